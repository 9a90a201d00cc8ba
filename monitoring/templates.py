"""monitoring_config_templates (spec §4.3): select by side, type and condition, merge by order,
fill `{placeholders}`.

Better than the original in three ways (spec §6.2 #25): templates of the same type are deep-merged
in ascending `order` (a later one overrides only the keys it names); a template with an
`environment` field applies to that environment only and wins over the global ones of the same
order; a placeholder with no value is an error naming the template, never a literal `{x}` shipped
to a host. Values filled into a check `command` are shell-quoted (Sensu runs commands with a shell).
"""

from __future__ import annotations

import copy
import re
import shlex
from dataclasses import dataclass
from typing import Iterable

from app.errors import CalipsoError

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class TemplateError(CalipsoError):
    exit_code = 2


@dataclass(frozen=True)
class Template:
    side: str            # server | client
    type: str            # file name, or client_check_<check type>.json
    order: int
    config: dict
    condition: object = None
    environment: str = ""

    @property
    def label(self) -> str:
        return f"{self.side}/{self.type} (order {self.order})"


def from_document(doc: dict) -> Template:
    try:
        order = int(doc.get("order") or 1)
    except (TypeError, ValueError):
        raise TemplateError(f"template {doc.get('side')}/{doc.get('type')}: order {doc.get('order')!r} "
                            "is not a number") from None
    if not isinstance(doc.get("config"), dict):
        raise TemplateError(f"template {doc.get('side')}/{doc.get('type')}: config must be an object")
    return Template(str(doc.get("side")), str(doc.get("type")), order, doc["config"], doc.get("condition"),
                    str(doc.get("environment") or ""))


def load(store) -> list[Template]:
    """Every Sensu template of the store (monitoring_system sensu, or unset)."""
    docs = store["monitoring_config_templates"].find({})
    return [from_document(d) for d in docs if str(d.get("monitoring_system") or "sensu").lower() == "sensu"]


def condition_matches(condition: object, env: dict) -> bool:
    """Every key names an environment field; the template applies when the environment's value(s)
    intersect the required value(s). No condition: applies. A non-object condition: never applies."""
    if condition is None or condition == {}:
        return True
    if not isinstance(condition, dict):
        return False
    for key, wanted in condition.items():
        have = env.get(key)
        have_set = set(map(str, have)) if isinstance(have, (list, tuple)) else {str(have)}
        want_set = set(map(str, wanted)) if isinstance(wanted, (list, tuple)) else {str(wanted)}
        if not have_set & want_set:
            return False
    return True


def deep_merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


class TemplateSet:
    """The templates that apply to one environment, merged per (side, type)."""

    def __init__(self, templates: Iterable[Template], env: dict):
        chosen: dict[tuple[str, str], list[Template]] = {}
        for t in templates:
            if t.environment and t.environment != env.get("name"):
                continue
            if condition_matches(t.condition, env):
                chosen.setdefault((t.side, t.type), []).append(t)
        self._merged: dict[tuple[str, str], tuple[dict, str]] = {}
        for key, ts in chosen.items():
            ts.sort(key=lambda t: (t.order, bool(t.environment)))
            config: dict = {}
            for t in ts:
                config = deep_merge(config, t.config)
            self._merged[key] = (config, ts[-1].label)

    def has(self, side: str, file_type: str) -> bool:
        return (side, file_type) in self._merged

    def types(self, side: str) -> list[str]:
        return sorted(t for s, t in self._merged if s == side)

    def render(self, side: str, file_type: str, values: dict) -> dict:
        """The merged config of (side, type) with placeholders filled from `values`."""
        config, label = self._merged[(side, file_type)]
        return fill(config, values, label)


def _fill_text(text: str, values: dict, label: str, quote: bool) -> object:
    whole = PLACEHOLDER.fullmatch(text)
    if whole and not quote:   # "{rabbitmq_port}" stays a number when the value is one
        return _value(whole.group(1), values, label)

    def repl(m: re.Match) -> str:
        v = _value(m.group(1), values, label)
        s = v if isinstance(v, str) else str(v)
        return shlex.quote(s) if quote else s
    return PLACEHOLDER.sub(repl, text)


def _value(name: str, values: dict, label: str) -> object:
    if name not in values or values[name] is None:
        raise TemplateError(f"template {label}: no value for placeholder {{{name}}}")
    return values[name]


def fill(value: object, values: dict, label: str = "template", quote: bool = False) -> object:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = _fill_text(k, values, label, False) if isinstance(k, str) and "{" in k else k
            out[str(key)] = fill(v, values, label, quote or k == "command")
        return out
    if isinstance(value, list):
        return [fill(v, values, label, quote) for v in value]
    if isinstance(value, str):
        return _fill_text(value, values, label, quote) if "{" in value else value
    return value
