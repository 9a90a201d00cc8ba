"""One check result from any of the three ways it arrives, as one `CheckResult`:

* Sensu 1.x transport result (what clients publish to the `results` exchange):
  `{"client": "<client name>", "check": {"name", "status", "output", "executed", ...}}`;
* Sensu 1.x event (what a Sensu 1.x server pipes to a handler):
  `{"id", "client": {"name", "environment", ...}, "check": {...}, "occurrences", "action"}`;
* Sensu Go event (a handler's stdin, or the API's `{"type": "Event", "spec": {...}}` form):
  `{"entity": {"metadata": {"name", "labels"}}, "check": {"metadata": {"name"}, "status", "output",
  "executed"}, "id", "timestamp"}`.

Anything else raises BadEvent with the reason, which goes to failed_events. Sizes, nesting and
ranges are checked first (monitoring.results.limits).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from monitoring.results import limits
from monitoring.results.limits import BadEvent

MAX_NAME = 1024
FUTURE = 3600     # seconds a result's time may be ahead of ours (clocks of hosts drift)
__all__ = ["BadEvent", "CheckResult", "parse"]


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
    """A time no later than FUTURE seconds from now: a result stamped far ahead would make every real
    result after it look older than what is stored, and be ignored."""
    now = datetime.now(timezone.utc)
    if value is None or value == "":
        return now
    try:
        when = datetime.fromtimestamp(float(value), timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        raise BadEvent(f"{what} {limits.short(value)} is not a time in seconds since the epoch") from None
    if (when - now).total_seconds() > FUTURE:
        raise BadEvent(f"{what} {limits.short(value)} is more than {FUTURE} s in the future")
    return when


def _event_id(value) -> str:
    if isinstance(value, str) and 0 < len(value) <= MAX_NAME:
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 1 << 63:
        return str(value)
    return str(uuid.uuid4())


def _status(value) -> int:
    return limits.status(value)


def _text(value, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise BadEvent(f"{what} is missing or not a string")
    if len(value) > MAX_NAME:
        raise BadEvent(f"{what} has {len(value)} characters, over the limit of {MAX_NAME}")
    return value


def _optional(value) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= MAX_NAME else None


def parse(body: bytes | str | dict) -> CheckResult:
    body = limits.load(body)
    if body.get("type") == "Event" and isinstance(body.get("spec"), dict):
        body = body["spec"]
    check = body.get("check")
    if not isinstance(check, dict):
        raise BadEvent("no 'check' object in the event")
    if isinstance(body.get("entity"), dict):
        return _sensu_go(body, check)
    client = body.get("client")
    output = check.get("output")
    common = dict(status=_status(check.get("status")), output=limits.text(output),
                  executed=_epoch(check.get("executed"), "check.executed"), subtype=_optional(check.get("subtype")))
    name = _text(check.get("name"), "check.name")
    if isinstance(client, str):
        return CheckResult(client=_text(client, "client"), check_name=name, source="sensu1-result",
                           event_id=_event_id(body.get("id")),
                           environment=_optional(check.get("environment")), **common)
    if isinstance(client, dict):
        return CheckResult(client=_text(client.get("name"), "client.name"), check_name=name, source="sensu1-event",
                           event_id=_event_id(body.get("id")),
                           environment=_optional(client.get("environment")), **common)
    raise BadEvent("no 'client' (Sensu 1.x) or 'entity' (Sensu Go) in the event")


def _sensu_go(body: dict, check: dict) -> CheckResult:
    meta = check.get("metadata") if isinstance(check.get("metadata"), dict) else {}
    entity = body["entity"]
    emeta = entity.get("metadata") if isinstance(entity.get("metadata"), dict) else {}
    labels = emeta.get("labels") if isinstance(emeta.get("labels"), dict) else {}
    output = check.get("output")
    return CheckResult(client=_text(emeta.get("name"), "entity.metadata.name"),
                       check_name=_text(meta.get("name"), "check.metadata.name"),
                       status=_status(check.get("status")), output=limits.text(output),
                       executed=_epoch(check.get("executed") or body.get("timestamp"), "check.executed"),
                       event_id=_event_id(body.get("id")), source="sensu-go",
                       environment=_optional(labels.get("calipso_environment") or labels.get("environment")))
