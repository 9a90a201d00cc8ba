"""Sensu configuration of one environment, from its scanned objects and the templates (spec §4.4-4.5).

Pure: documents in, files out. The server side gets one file per server template; every host gets
transport.json, rabbitmq.json and one client.json holding all of that host's checks. An object whose
check cannot be rendered (a field missing, a template placeholder without value) is reported and
skipped; the others are still generated.

Secrets (the broker password) are not copied into what is generated: it holds a reference
(`secret_ref("rabbitmq_pass")`) that `with_secrets` replaces by the environment's own value only in
the bytes written to files and hosts, so `monitoring_config` keeps no copy of the password.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable

from monitoring.ids import valid_check_name
from monitoring.setup import load_setups
from monitoring.setup.context import SetupContext
from monitoring.templates import Template, TemplateError, TemplateSet

log = logging.getLogger(__name__)

CLIENT_FILES = ("transport.json", "rabbitmq.json")
DEFAULTS = {"rabbitmq_vhost": "/sensu", "api_port": 4567, "app_path": "/etc/sensu/plugins"}
SECRETS = ("rabbitmq_pass", "ssh_password")


@dataclass
class Generated:
    server: dict[str, dict] = field(default_factory=dict)                      # file -> config
    hosts: dict[str, dict[str, dict]] = field(default_factory=dict)            # host -> file -> config
    checks: dict[str, dict[str, int]] = field(default_factory=dict)            # host -> check type -> count
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def total_checks(self) -> int:
        return sum(sum(c.values()) for c in self.checks.values())


def monitoring_section(env: dict) -> dict:
    return next((s for s in env.get("configuration") or [] if s.get("name") == "Monitoring"), {}) or {}


def secret_ref(key: str) -> str:
    """What generated configurations hold in place of the Monitoring section's secret `key`."""
    return f"calipso-secret:Monitoring.{key}"


def with_secrets(config, section: dict):
    """A copy of `config` with every secret reference replaced by the section's value (for the files)."""
    if isinstance(config, dict):
        return {k: with_secrets(v, section) for k, v in config.items()}
    if isinstance(config, list):
        return [with_secrets(v, section) for v in config]
    if isinstance(config, str) and "calipso-secret:Monitoring." in config:
        for key in SECRETS:
            config = config.replace(secret_ref(key), str(section.get(key) or ""))
    return config


def base_values(env: dict) -> dict:
    values = dict(DEFAULTS)
    values.update({k: (secret_ref(k) if k in SECRETS else v) for k, v in monitoring_section(env).items()
                   if k != "name" and v not in (None, "")})
    values["env_name"] = env["name"]
    if env.get("app_path"):
        values["app_path"] = env["app_path"]
    return values


def client_name(env_name: str, host: str) -> str:
    return f"{env_name}-{host}"


def generate(env: dict, objects: Iterable[dict], links: Iterable[dict], templates: Iterable[Template],
             setups: dict[str, Callable] | None = None) -> Generated:
    setups = setups if setups is not None else load_setups()
    tset = TemplateSet(templates, env)
    out = Generated()
    base = base_values(env)
    for file_type in tset.types("server"):
        try:
            out.server[file_type] = tset.render("server", file_type, base)
        except TemplateError as e:
            out.errors["(server)"].append(str(e))
    objects = [o for o in objects if o.get("type") and o.get("id") is not None]
    check_types = frozenset(t[len("client_check_"):-len(".json")] for t in tset.types("client")
                            if t.startswith("client_check_") and t.endswith(".json"))
    ctx = SetupContext(env, {(o["type"], o["id"]): o for o in objects}, list(links), check_types)
    hosts = {o["id"]: o for o in objects if o["type"] == "host"}
    checks: dict[str, dict[str, dict]] = defaultdict(dict)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    subjects = [(o["type"], o) for o in objects] + [(f"link:{l.get('link_type')}", l) for l in ctx.links]
    for key, subject in subjects:
        fn = setups.get(key)
        if fn is None:
            continue
        try:
            for check in fn(subject, ctx):
                rendered = tset.render("client", f"client_check_{check.check_type}.json", {**base, **check.values})
                for name, definition in (rendered.get("checks") or {}).items():
                    if not valid_check_name(name):
                        raise TemplateError(f"check name {name!r} has characters Sensu refuses")
                    checks[check.host][name] = definition
                    counts[check.host][check.check_type] += 1
        except (TemplateError, KeyError, TypeError, ValueError) as e:
            where = subject.get("host") or "(cloud)"
            label = subject.get("id") or f"{subject.get('source_id')}->{subject.get('target_id')}"
            out.errors[where].append(f"monitoring setup of {key} {label}: {e}")
    for host in sorted(set(hosts) | set(checks)):
        values = {**base, "client_name": client_name(env["name"], host),
                  "client_ip": (hosts.get(host) or {}).get("ip_address") or host, "host": host}
        files: dict[str, dict] = {}
        try:
            for file_type in CLIENT_FILES:
                if tset.has("client", file_type):
                    files[file_type] = tset.render("client", file_type, values)
            client = tset.render("client", "client.json", values) if tset.has("client", "client.json") else {}
        except TemplateError as e:
            out.errors[host].append(str(e))
            continue
        client["checks"] = dict(sorted(checks.get(host, {}).items()))
        files["client.json"] = client
        out.hosts[host] = files
        out.checks[host] = dict(counts.get(host, {}))
    out.errors = dict(out.errors)
    return out
