"""Per-type result handlers (spec §4.9): pure functions from the stored document and one result to
the fields to set. Table in monitoring.results.handlers; the batch processor does the I/O."""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.results.events import CheckResult
from monitoring.results.names import Target
from monitoring.results.status import fields, otep_overall


@dataclass
class Change:
    set: dict                  # fields to $set on the document
    old: int | None            # status_value before
    new: int | None            # status_value after
    text: str                  # what the message says


def _name(doc: dict) -> str:
    return str(doc.get("object_name") or doc.get("name") or doc.get("id"))


def basic(doc: dict, target: Target, res: CheckResult, labels: dict[int, str]) -> Change:
    """Store the result on the object itself (vedge, pNIC, vconnector, vservice, instance, vNIC...)."""
    f = fields(res.status, res.output, res.executed, labels)
    return Change(f, doc.get("status_value"), res.status, f"{doc.get('type')} {_name(doc)}: {f['status']}: "
                                                           f"{res.output.strip()[:300]}")


def otep(doc: dict, target: Target, res: CheckResult, labels: dict[int, str]) -> Change:
    """The result is one tunnel port's: stored inside `ports` (or, where the scanner keeps the ports as the
    mesh's difference, in `tunnel_status` by port name); the OTEP's own status follows its ports."""
    if "ports" not in doc and isinstance(doc.get("tunnels"), dict):
        return _tunnel_status(doc, target, res, labels)
    ports = [dict(p) for p in doc.get("ports") or []]
    port = next((p for p in ports if p.get("name") == target.part), None)
    if port is None:
        if target.part:
            raise LookupError(f"otep {doc.get('id')!r} has no port {target.part!r}")
        return basic(doc, target, res, labels)
    port.update({k: v for k, v in fields(res.status, res.output, res.executed, labels).items()
                 if k != "status_timestamp"})
    overall = otep_overall(ports)
    f = fields(overall, res.output, res.executed, labels)
    f["ports"] = ports
    return Change(f, doc.get("status_value"), overall,
                  f"otep {_name(doc)}: {f['status']} (port {target.part}: {port['status']}: {res.output.strip()[:200]})")


def _tunnel_status(doc: dict, target: Target, res: CheckResult, labels: dict[int, str]) -> Change:
    if not target.part:
        return basic(doc, target, res, labels)
    statuses = {name: dict(s) for name, s in (doc.get("tunnel_status") or {}).items()}
    port = statuses[target.part] = {k: v for k, v in fields(res.status, res.output, res.executed, labels).items()
                                    if k != "status_timestamp"}
    overall = otep_overall(list(statuses.values()))
    f = fields(overall, res.output, res.executed, labels)
    f["tunnel_status"] = statuses
    return Change(f, doc.get("status_value"), overall,
                  f"otep {_name(doc)}: {f['status']} (port {target.part}: {port['status']}: {res.output.strip()[:200]})")


def link(doc: dict, target: Target, res: CheckResult, labels: dict[int, str]) -> Change:
    f = fields(res.status, res.output, res.executed, labels)
    return Change(f, doc.get("status_value"), res.status,
                  f"link {doc.get('link_type')} {doc.get('link_name') or ''}: {f['status']}: {res.output.strip()[:300]}")
