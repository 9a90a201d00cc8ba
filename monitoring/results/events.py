"""One check result from any of the three ways it arrives, as one `CheckResult`:

* Sensu 1.x transport result (what clients publish to the `results` exchange):
  `{"client": "<client name>", "check": {"name", "status", "output", "executed", ...}}`;
* Sensu 1.x event (what a Sensu 1.x server pipes to a handler):
  `{"id", "client": {"name", "environment", ...}, "check": {...}, "occurrences", "action"}`;
* Sensu Go event (a handler's stdin, or the API's `{"type": "Event", "spec": {...}}` form):
  `{"entity": {"metadata": {"name", "labels"}}, "check": {"metadata": {"name"}, "status", "output",
  "executed"}, "id", "timestamp"}`.

Anything else raises BadEvent with the reason, which goes to failed_events.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone


class BadEvent(ValueError):
    """An event that cannot be handled; the message says why."""


@dataclass(frozen=True)
class CheckResult:
    client: str
    check_name: str
    status: int
    output: str
    executed: datetime
    event_id: str
    source: str                 # sensu1-result | sensu1-event | sensu-go
    environment: str | None = None
    subtype: str | None = None


def _epoch(value, what: str) -> datetime:
    if value in (None, ""):
        return datetime.now(timezone.utc)
    try:
        return datetime.fromtimestamp(float(value), timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        raise BadEvent(f"{what} {value!r} is not a time in seconds since the epoch") from None


def _status(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value or value < 0:
        raise BadEvent(f"check status {value!r} is not a non-negative whole number")
    return int(value)


def _text(value, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise BadEvent(f"{what} is missing or not a string")
    return value


def parse(body: bytes | str | dict) -> CheckResult:
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError as e:
            raise BadEvent(f"not JSON: {e}") from None
    if not isinstance(body, dict):
        raise BadEvent("an event must be a JSON object")
    if body.get("type") == "Event" and isinstance(body.get("spec"), dict):
        body = body["spec"]
    check = body.get("check")
    if not isinstance(check, dict):
        raise BadEvent("no 'check' object in the event")
    if isinstance(body.get("entity"), dict):
        return _sensu_go(body, check)
    client = body.get("client")
    output = check.get("output")
    common = dict(status=_status(check.get("status")), output=output if isinstance(output, str) else "",
                  executed=_epoch(check.get("executed"), "check.executed"), subtype=check.get("subtype"))
    name = _text(check.get("name"), "check.name")
    if isinstance(client, str):
        return CheckResult(client=_text(client, "client"), check_name=name, source="sensu1-result",
                           event_id=str(body.get("id") or uuid.uuid4()),
                           environment=check.get("environment") if isinstance(check.get("environment"), str) else None,
                           **common)
    if isinstance(client, dict):
        return CheckResult(client=_text(client.get("name"), "client.name"), check_name=name, source="sensu1-event",
                           event_id=str(body.get("id") or uuid.uuid4()),
                           environment=client.get("environment") if isinstance(client.get("environment"), str)
                           else None, **common)
    raise BadEvent("no 'client' (Sensu 1.x) or 'entity' (Sensu Go) in the event")


def _sensu_go(body: dict, check: dict) -> CheckResult:
    meta = check.get("metadata") if isinstance(check.get("metadata"), dict) else {}
    entity = body["entity"]
    emeta = entity.get("metadata") if isinstance(entity.get("metadata"), dict) else {}
    labels = emeta.get("labels") if isinstance(emeta.get("labels"), dict) else {}
    output = check.get("output")
    return CheckResult(client=_text(emeta.get("name"), "entity.metadata.name"),
                       check_name=_text(meta.get("name"), "check.metadata.name"),
                       status=_status(check.get("status")), output=output if isinstance(output, str) else "",
                       executed=_epoch(check.get("executed") or body.get("timestamp"), "check.executed"),
                       event_id=str(body.get("id") or uuid.uuid4()), source="sensu-go",
                       environment=labels.get("calipso_environment") or labels.get("environment"))
