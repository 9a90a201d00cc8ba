"""The environment_config document, as data: top-level fields and configuration sections (spec §1).

One definition drives validation (app.envconfig.validate), redaction of secrets
(app.envconfig.secrets) and the JSON Schema the API publishes (json_schema()).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    kind: str                   # string | host | port | path | bool | int | strings | object | timestamp
    required: bool = False
    secret: bool = False
    choices: str | None = None  # name of a constants list the value must be in
    default: object = None
    may_be_empty: bool = False
    doc: str = ""


TOP_LEVEL: dict[str, Field] = {
    "name": Field("string", required=True, doc="unique environment name; the key of all its data"),
    "type": Field("string", default="environment", doc="always 'environment'"),
    "environment_type": Field("string", choices="environment_types", default="OpenStack", may_be_empty=True),
    "distribution": Field("string", required=True, choices="distributions"),
    "distribution_version": Field("string", required=True),
    "mechanism_drivers": Field("strings", required=True, choices="mechanism_drivers"),
    "type_drivers": Field("string", required=True, choices="type_drivers"),
    "listen": Field("bool", default=False, doc="follow the cloud's AMQP notifications"),
    "scanned": Field("bool", default=False),
    "last_scanned": Field("timestamp", may_be_empty=True),
    "operational": Field("string", choices="environment_operational_status", default="stopped"),
    "enable_monitoring": Field("bool", default=False),
    "monitoring_setup_done": Field("bool", default=False),
    "aci_enabled": Field("bool", default=False),
    "app_path": Field("path"),
    "user": Field("string"),
    "auth": Field("object", doc="{'view-env': [user], 'edit-env': [user]}"),
    "configuration": Field("sections", required=True),
}

_HOST = Field("host", required=True)
_PORT = Field("port", required=True)
_USER = Field("string", required=True)
_PWD = Field("string", required=True, secret=True)

SECTIONS: dict[str, dict[str, Field]] = {
    "OpenStack": {
        "host": _HOST, "port": _PORT, "user": _USER, "pwd": _PWD,
        "admin_token": Field("string", secret=True, doc="accepted for compatibility; never used"),
        "admin_project": Field("string", default="admin"),
        "protocol": Field("string", default="http", doc="http or https"),
        "region": Field("string", doc="limit the scan to one region"),
    },
    "mysql": {
        "host": _HOST, "port": _PORT, "user": _USER,
        "pwd": Field("string", secret=True, may_be_empty=True),
        "connect_timeout": Field("int", default=5),
        "schema": Field("string", default="nova"),
    },
    "CLI": {
        "host": _HOST, "user": _USER,
        "pwd": Field("string", secret=True),
        "key": Field("path", secret=True, doc="private key file on the scanner host"),
        "port": Field("port", default=22),
        "hosts": Field("object", doc="per-host credentials {hostname: {host, user, pwd, key, port}}"),
        "host_key_policy": Field("string", default="known_hosts", doc="known_hosts, accept-new or accept-any"),
        "known_hosts": Field("path", doc="known_hosts file holding the hosts' SSH keys (besides Calipso's own)"),
        "host_access": Field("string", default="auto", choices="ssh_host_access",
                             doc="how other hosts are reached through the master: jump (direct-tcpip, as "
                                 "ProxyJump), hop (ssh run on the master) or auto (jump, else hop)"),
    },
    "AMQP": {
        "host": _HOST, "port": _PORT, "user": _USER, "pwd": _PWD,
        "vhost": Field("string", default="/"),
        "url": Field("string", secret=True, doc="a kombu URL instead of host/port/user/pwd"),
    },
    "Monitoring": {
        "config_folder": Field("path", required=True),
        "provision": Field("string", required=True, choices="environment_provision_types"),
        "env_type": Field("string", required=True, choices="env_types"),
        "api_port": _PORT,
        "rabbitmq_user": _USER,
        "rabbitmq_pass": _PWD,
        "rabbitmq_port": _PORT,
        "server_ip": _HOST,
        "server_name": Field("string", required=True),
        "type": Field("string", required=True, choices="environment_monitoring_types"),
        "ssh_port": Field("port"), "ssh_user": Field("string"),
        "ssh_password": Field("string", secret=True),
        "install_monitoring_client": Field("bool"),
        "rabbitmq_vhost": Field("string", default="/sensu", doc="vhost of the Sensu transport"),
        "transport_url": Field("string", secret=True, doc="a kombu URL of the Sensu transport instead of "
                                                          "server_ip/rabbitmq_* (e.g. the simulator's bus)"),
    },
    "ACI": {
        "host": _HOST, "user": _USER, "pwd": _PWD,
        "port": Field("port"), "protocol": Field("string", default="https"),
    },
    "Kubernetes": {"host": _HOST, "port": _PORT, "user": _USER, "token": Field("string", required=True, secret=True)},
    "NFV_provider": {"host": _HOST, "port": _PORT, "user": _USER, "pwd": _PWD,
                     "nfv_token": Field("string", required=True, secret=True)},
    "VMware": {"host": Field("host"), "port": Field("port"), "user": Field("string"),
               "pwd": Field("string", secret=True)},
    "Bare-metal": {"host": Field("host"), "port": Field("port"), "user": Field("string"),
                   "pwd": Field("string", secret=True)},
}

MANDATORY_SECTIONS = {"OpenStack": ("OpenStack", "mysql", "CLI"), "Kubernetes": ("Kubernetes", "CLI")}


def secret_keys(section: str) -> set[str]:
    return {k for k, f in SECTIONS.get(section, {}).items() if f.secret}


ALL_SECRET_KEYS = {k for s in SECTIONS for k in secret_keys(s)} | {"password", "token"}


_JSON_KIND = {
    "string": {"type": "string"}, "host": {"type": "string"}, "path": {"type": "string", "pattern": "^/"},
    "port": {"type": ["integer", "string"]}, "bool": {"type": ["boolean", "string", "integer"]},
    "int": {"type": ["integer", "string"]}, "strings": {"type": "array", "items": {"type": "string"}},
    "object": {"type": "object"}, "timestamp": {"type": ["string", "null"]},
}


def json_schema() -> dict:
    """JSON Schema of an environment_config document (secrets marked writeOnly)."""
    def field_schema(f: Field) -> dict:
        s = dict(_JSON_KIND[f.kind])
        if f.secret:
            s["writeOnly"] = True
        if f.doc:
            s["description"] = f.doc
        if f.default is not None:
            s["default"] = f.default
        return s

    sections = []
    for name, fields in SECTIONS.items():
        sections.append({
            "type": "object",
            "properties": {"name": {"const": name}, **{k: field_schema(f) for k, f in fields.items()}},
            "required": ["name"] + [k for k, f in fields.items() if f.required],
            "additionalProperties": False,
        })
    props = {k: field_schema(f) for k, f in TOP_LEVEL.items() if f.kind != "sections"}
    props["configuration"] = {"type": "array", "items": {"oneOf": sections}}
    return {"type": "object", "properties": props,
            "required": [k for k, f in TOP_LEVEL.items() if f.required], "additionalProperties": False}
