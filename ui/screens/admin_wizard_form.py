"""The environment wizard's form, as data: its tabs, their fields, and how a posted form becomes a document.

The sections and their fields come from app.envconfig.fields (the definition the API validates
with), so a field added there appears here. Secrets are write-only: the form never holds them,
and a blank secret on an edit sends back the redacted marker, which the API replaces with the
stored value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.envconfig.fields import SECTIONS
from app.envconfig.secrets import REDACTED
from ui.screens.admin_base import checked, many, one

MAIN_FIELDS = ("name", "environment_type", "distribution", "distribution_version", "mechanism_drivers",
               "type_drivers", "listen", "enable_monitoring", "aci_enabled", "app_path")
LOCKED_ON_EDIT = ("name", "environment_type", "distribution", "distribution_version")
DEFAULT_APP_PATH = "/home/scan/calipso_prod/app"
LABELS = {"host": "Host", "port": "Port", "user": "User name", "pwd": "Password", "admin_token": "Admin token",
          "admin_project": "Admin project", "protocol": "Protocol", "region": "Region", "connect_timeout":
          "Connect timeout (s)", "schema": "Schema", "key": "SSH private key file", "host_key_policy":
          "Host key policy", "known_hosts": "known_hosts file", "host_access": "Reach other hosts by",
          "vhost": "Virtual host", "url": "URL (instead of host/port/user)", "config_folder": "Config folder",
          "provision": "Provision", "env_type": "Environment type", "api_port": "API port", "rabbitmq_user":
          "RabbitMQ user", "rabbitmq_pass": "RabbitMQ password", "rabbitmq_port": "RabbitMQ port",
          "server_ip": "Server IP", "server_name": "Server name", "type": "Type", "ssh_port": "SSH port",
          "ssh_user": "SSH user", "ssh_password": "SSH password", "install_monitoring_client":
          "Install the monitoring client", "token": "Token", "nfv_token": "NFV token"}
PLACEHOLDERS = {("OpenStack", "port"): "5000", ("mysql", "port"): "3307", ("AMQP", "port"): "5673",
                ("Kubernetes", "port"): "6443", ("Monitoring", "rabbitmq_port"): "5671",
                ("Monitoring", "api_port"): "4567", ("Monitoring", "ssh_port"): "20022",
                ("Monitoring", "config_folder"): "/local_dir/sensu_config"}
_PROBLEM = re.compile(r"^configuration\[([A-Za-z_-]+)\](?:\.(\w+))?")


@dataclass(frozen=True)
class Tab:
    section: str
    title: str
    when: str          # shown when: "openstack", "kubernetes", "cli", "listen", "aci", "monitoring"
    testable: bool = True


TABS = (
    Tab("OpenStack", "OS API endpoint", "openstack"),
    Tab("mysql", "OS database", "openstack"),
    Tab("CLI", "Master host (SSH)", "cli"),
    Tab("AMQP", "AMQP", "listen"),
    Tab("ACI", "ACI", "aci"),
    Tab("Monitoring", "Monitoring", "monitoring"),
    Tab("Kubernetes", "Kubernetes", "kubernetes"),
)


@dataclass(frozen=True)
class FormField:
    name: str          # form input name: "<section>.<key>"
    key: str
    label: str
    kind: str
    secret: bool
    required: bool
    choices: str | None
    placeholder: str


def fields_of(section: str) -> list[FormField]:
    out = []
    for key, f in SECTIONS[section].items():
        if f.kind == "object":
            continue  # per-host credentials: kept as stored, edited with `calipso env`
        placeholder = PLACEHOLDERS.get((section, key)) or (str(f.default) if f.default is not None else "")
        out.append(FormField(f"{section}.{key}", key, LABELS.get(key, key), f.kind, f.secret, f.required,
                             f.choices, placeholder))
    return out


def shown(tab: Tab, env_type: str, flags: dict) -> bool:
    return {"openstack": env_type == "OpenStack", "kubernetes": env_type == "Kubernetes",
            "cli": env_type in ("OpenStack", "Kubernetes"),
            "listen": env_type == "OpenStack" and flags.get("listen"), "aci": flags.get("aci_enabled"),
            "monitoring": flags.get("enable_monitoring")}[tab.when]


def section_from(form: dict, section: str, stored: dict | None) -> dict:
    """One configuration section from the form, over what is stored (fields the form lacks are kept)."""
    out = dict(stored or {})
    out["name"] = section
    for f in fields_of(section):
        if f.kind == "bool":
            out[f.key] = checked(form, f.name)
            continue
        value = one(form, f.name)
        if value:
            out[f.key] = value
        elif f.secret and (stored or {}).get(f.key) not in (None, ""):
            out[f.key] = REDACTED  # blank keeps the stored secret
        else:
            out.pop(f.key, None)
    return out


def _filled(section: dict) -> bool:
    return any(v not in (None, "", False) for k, v in section.items() if k != "name")


def document_from(form: dict, stored: dict | None, username: str) -> dict:
    """The environment document to send: the stored one (redacted) updated with the form."""
    doc = dict(stored or {})
    for key in MAIN_FIELDS:
        if stored is not None and key in LOCKED_ON_EDIT:
            continue
        if key in ("listen", "enable_monitoring", "aci_enabled"):
            doc[key] = checked(form, key)
        elif key == "mechanism_drivers":
            doc[key] = many(form, key)
        elif one(form, key):
            doc[key] = one(form, key)
        else:
            doc.pop(key, None)
    if stored is None:
        doc.setdefault("app_path", DEFAULT_APP_PATH)
        doc["auth"] = {"view-env": [username], "edit-env": [username]}
    env_type = doc.get("environment_type") or "OpenStack"
    old = {s.get("name"): s for s in (stored or {}).get("configuration") or [] if isinstance(s, dict)}
    managed = {t.section for t in TABS}
    sections = [s for name, s in old.items() if name not in managed]
    for tab in TABS:
        if not shown(tab, env_type, doc):
            continue
        section = section_from(form, tab.section, old.get(tab.section))
        if _filled(section) or tab.when in ("openstack", "cli", "kubernetes"):
            sections.append(section)
    doc["configuration"] = sections
    for key in ("_id", "id"):
        doc.pop(key, None)
    return doc


def values_of(doc: dict) -> dict:
    """Form values from a stored (redacted) document; secrets are never put in the form."""
    values = {k: doc.get(k) for k in MAIN_FIELDS}
    for s in doc.get("configuration") or []:
        if not isinstance(s, dict) or s.get("name") not in SECTIONS:
            continue
        for f in fields_of(s["name"]):
            if f.key in s and not f.secret:
                values[f.name] = s[f.key]
            elif f.key in s and f.secret:
                values[f.name + ":stored"] = True
    return values


def problem_field(parameter: str) -> str:
    """Where an API problem belongs in the form: `configuration[mysql].port` -> `mysql.port`."""
    m = _PROBLEM.match(parameter)
    if m:
        return f"{m.group(1)}.{m.group(2)}" if m.group(2) else m.group(1)
    return parameter.split(".")[0] if parameter.startswith("auth") else parameter
