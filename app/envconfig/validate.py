"""Validation of environment_config documents: every problem found, with its field path.

Follows the API POST sequence of spec §1.6, with the API and UI rules unified: `listen`
needs an AMQP section, `enable_monitoring` a Monitoring section and `aci_enabled` an ACI
section, and every mechanism driver (not only the first) must support the features asked for.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from datetime import datetime

from app.envconfig.catalog import Catalog
from app.envconfig.fields import MANDATORY_SECTIONS, SECTIONS, TOP_LEVEL, Field
from app.errors import Problem, ValidationFailed, shorten
from app.registry import did_you_mean

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
IGNORED = {"_id"}


def valid_host(value: str) -> bool:
    v = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    try:
        ipaddress.ip_address(v)
        return True
    except ValueError:
        pass
    if len(value) > 253 or not value:
        return False
    return all(_LABEL.match(label) for label in value.rstrip(".").split("."))


_hint = did_you_mean


def _empty(v) -> bool:
    return v is None or v == "" or v == [] or v == {}


class _Checker:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.problems: list[Problem] = []

    def add(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason))

    def value(self, path: str, key: str, f: Field, v):
        """Check and coerce one value; returns the value to store (or None after a problem)."""
        where = f"{path}.{key}" if path else key
        kind = f.kind
        # a secret is never quoted back, not even one that looks like a file path (CLI.key): what
        # `env validate` prints is what `env show` would, redacted
        shown = shorten(repr(v)) if not f.secret else "(a secret value, not shown)"
        if kind == "bool":
            if isinstance(v, bool):
                return v
            if v in (1, "1", "true", "True"):
                return True
            if v in (0, "0", "false", "False"):
                return False
            self.add(where, f"must be true or false, got {shown}")
            return None
        if kind in ("port", "int"):
            if isinstance(v, bool) or not (isinstance(v, int) or (isinstance(v, str) and v.strip().isdigit())):
                self.add(where, f"must be {'a port number' if kind == 'port' else 'a whole number'}, got {shown}")
                return None
            n = int(v)
            if kind == "port" and not 0 < n <= 65535:
                self.add(where, f"port {n} is out of range 1-65535")
                return None
            if kind == "int" and n <= 0:
                self.add(where, f"must be positive, got {n}")
                return None
            return n
        if kind == "strings":
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                self.add(where, f"must be a list of strings, got {shown}")
                return None
            if f.choices:
                allowed = self.catalog.values(f.choices)
                for i, x in enumerate(v):
                    if x not in allowed:
                        self.add(f"{where}[{i}]", f"{shorten(repr(x))} is not one of {', '.join(allowed)}{_hint(x, allowed)}")
            if len(set(v)) != len(v):
                self.add(where, "lists a value twice")
            return v
        if kind == "object":
            if not isinstance(v, dict):
                self.add(where, f"must be an object, got {type(v).__name__}")
                return None
            return v
        if kind == "timestamp":
            if isinstance(v, datetime) or v in ("", None):
                return v
            if isinstance(v, str):
                try:
                    return datetime.fromisoformat(v.replace("Z", "+00:00"))
                except ValueError:
                    pass
            self.add(where, f"must be an ISO 8601 time, got {shown}")
            return None
        # string-like kinds
        if not isinstance(v, str):
            self.add(where, f"must be a string, got {type(v).__name__}")
            return None
        if kind == "host" and not valid_host(v):
            self.add(where, f"{shown} is not an IP address or host name")
            return None
        if kind == "path" and (not v.startswith("/") or "\0" in v):
            self.add(where, f"{shown} is not an absolute path")
            return None
        if f.choices:
            allowed = self.catalog.values(f.choices)
            if v not in allowed:
                self.add(where, f"{shown} is not one of {', '.join(allowed)}{_hint(v, allowed)}")
                return None
        return v

    def fields(self, path: str, doc: dict, spec: dict[str, Field], skip: set[str],
               optional: set[str] = frozenset()) -> dict:
        out = {}
        for key in doc:
            if key not in spec and key not in skip:
                self.add(f"{path}.{key}" if path else key,
                         f"unknown key{_hint(key, list(spec))}")
        for key, f in spec.items():
            where = f"{path}.{key}" if path else key
            needed = f.required and key not in optional
            if key not in doc:
                if needed:
                    self.add(where, "is required")
                elif f.default is not None:
                    out[key] = copy.deepcopy(f.default)
                continue
            if _empty(doc[key]):
                if f.may_be_empty:
                    out[key] = doc[key]
                else:
                    self.add(where, "must not be empty")
                continue
            if f.kind == "sections":
                continue
            v = self.value(path, key, f, doc[key])
            if v is not None:
                out[key] = v
        return out


def validate_sections(sections, env_type: str | None, catalog: Catalog, check_mandatory: bool = True,
                      path: str = "configuration") -> tuple[list[dict], list[Problem]]:
    """Validate a list of configuration sections; also used by connection tests."""
    c = _Checker(catalog)
    out: list[dict] = []
    if not isinstance(sections, list):
        c.add(path, f"must be a list of sections, got {type(sections).__name__}")
        return out, c.problems
    seen: set[str] = set()
    for i, section in enumerate(sections):
        if not isinstance(section, dict):
            c.add(f"{path}[{i}]", f"must be an object, got {type(section).__name__}")
            continue
        name = section.get("name")
        if not name:
            c.add(f"{path}[{i}].name", "is required")
            continue
        if not isinstance(name, str):
            c.add(f"{path}[{i}].name", f"must be a string, got {type(name).__name__}")
            continue
        where = f"{path}[{name}]"
        if name not in SECTIONS:
            c.add(f"{path}[{i}].name", f"unknown section {name!r}{_hint(str(name), list(SECTIONS))}; "
                                       f"known: {', '.join(SECTIONS)}")
            continue
        if name in seen:
            c.add(where, "appears more than once")
            continue
        seen.add(name)
        optional: set[str] = set()
        if name == "AMQP" and section.get("url"):
            optional = {"host", "port", "user", "pwd"}
        fields = c.fields(where, section, SECTIONS[name], skip={"name"}, optional=optional)
        if name == "CLI" and not section.get("pwd") and not section.get("key"):
            c.add(where, "needs a password (pwd) or a private key file (key)")
        out.append({"name": name, **fields})
    if check_mandatory:
        for required in MANDATORY_SECTIONS.get(env_type or "OpenStack", ()):
            if required not in seen:
                c.add(path, f"section {required} is required for an environment of type {env_type or 'OpenStack'}")
    return out, c.problems


def validate_environment(doc, catalog: Catalog) -> dict:
    """The normalised document (defaults filled, values coerced), or ValidationFailed listing every problem."""
    if not isinstance(doc, dict):
        raise ValidationFailed("environment config", [Problem("", f"must be a JSON object, got {type(doc).__name__}")])
    c = _Checker(catalog)
    out = c.fields("", doc, TOP_LEVEL, skip=IGNORED)
    problems = c.problems
    name = doc.get("name")
    if isinstance(name, str) and name and not NAME_RE.match(name):
        problems.append(Problem("name", "must be 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit"))
    if "type" in out and out["type"] != "environment":
        problems.append(Problem("type", f"must be 'environment', got {out['type']!r}"))
    env_type = out.get("environment_type") or "OpenStack"
    out["environment_type"] = env_type
    auth = out.get("auth")
    if isinstance(auth, dict):
        for key in ("view-env", "edit-env"):
            if not isinstance(auth.get(key), list) or not all(isinstance(u, str) for u in auth.get(key, [])):
                problems.append(Problem(f"auth.{key}", "must be a list of user names"))
        for key in auth:
            if key not in ("view-env", "edit-env"):
                problems.append(Problem(f"auth.{key}", "unknown key (expected view-env and edit-env)"))
    if "configuration" in doc:
        sections, section_problems = validate_sections(doc["configuration"], env_type, catalog)
        problems += section_problems
        out["configuration"] = sections
        names = {s["name"] for s in sections}
        for flag, section in (("listen", "AMQP"), ("enable_monitoring", "Monitoring"), ("aci_enabled", "ACI")):
            if out.get(flag) is True and section not in names and isinstance(doc["configuration"], list) \
                    and not any(isinstance(s, dict) and s.get("name") == section for s in doc["configuration"]):
                problems.append(Problem("configuration", f"section {section} is required because {flag} is true"))
    # supported variant (only when the variant itself is well formed)
    variant_ok = not any(p.path.split(".")[0].split("[")[0] in
                         ("distribution", "distribution_version", "mechanism_drivers", "type_drivers") for p in problems)
    if variant_ok and env_type == "OpenStack" and all(k in out for k in ("distribution", "distribution_version",
                                                                          "mechanism_drivers", "type_drivers")):
        variant = f"{out['distribution']} {out['distribution_version']} / {{driver}} / {out['type_drivers']}"
        ok, driver = catalog.supports(out, "scanning")
        if not ok:
            problems.append(Problem("distribution", f"scanning is not supported for {variant.format(driver=driver)} "
                                                    "(see supported_environments)"))
        else:
            names = {s["name"] for s in out.get("configuration", [])}
            for section, feature in (("Monitoring", "monitoring"), ("AMQP", "listening")):
                if section in names:
                    ok, driver = catalog.supports(out, feature)
                    if not ok:
                        problems.append(Problem(f"configuration[{section}]",
                                                f"{feature} is not supported for {variant.format(driver=driver)}"))
    if problems:
        raise ValidationFailed(f"environment config {name!r}" if isinstance(name, str) and name else "environment config",
                               problems)
    return out
