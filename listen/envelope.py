"""oslo.messaging notification bodies (vim-contract §6.2) -> one Notification.

Two shapes: the flat v1 body (`messaging` driver: the notification itself), and the v2 envelope
(`messagingv2`: {"oslo.version": "2.0", "oslo.message": "<JSON string>"}). Anything else is a
BadMessage with a reason a person can act on; the consumer records it and moves on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


class BadMessage(Exception):
    """A message the listener cannot use: not JSON, no event type, unknown event, missing fields."""

    def __init__(self, reason: str, event_type: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.event_type = event_type


PRIORITY_LEVEL = {"DEBUG": "debug", "INFO": "info", "SAMPLE": "info", "AUDIT": "info", "WARN": "warn",
                  "WARNING": "warn", "ERROR": "error", "CRITICAL": "crit"}


@dataclass(frozen=True)
class Notification:
    event_type: str
    payload: dict
    message_id: str = ""
    publisher_id: str = ""
    priority: str = "INFO"
    timestamp: str = ""
    context: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def level(self) -> str:
        return PRIORITY_LEVEL.get(str(self.priority).upper(), "info")

    @property
    def publisher_host(self) -> str:
        """`network.ctl-1` -> `ctl-1`, `compute.cmp-1` -> `cmp-1` (the host part of publisher_id)."""
        _, _, host = self.publisher_id.partition(".")
        return host

    @property
    def project_id(self) -> str | None:
        return self.context.get("project_id") or self.context.get("tenant_id")

    @property
    def project_name(self) -> str | None:
        return self.context.get("project_name") or self.context.get("tenant_name")

    @property
    def when(self) -> datetime | None:
        return parse_time(self.timestamp)


def parse_time(text: str | None) -> datetime | None:
    """oslo timestamps ('2026-11-24 17:20:53.366695', ISO forms too) as aware UTC datetimes."""
    if not text:
        return None
    t = str(text).strip().replace("T", " ").replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _load(body: Any) -> Any:
    if isinstance(body, (bytes, bytearray, memoryview)):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            raise BadMessage("body is not UTF-8 text") from None
    if isinstance(body, str):
        try:
            return json.loads(body)
        except json.JSONDecodeError as e:
            raise BadMessage(f"body is not JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    return body


#: request-context fields that carry credentials: the caller's Keystone token (live on a real cloud),
#: its service token and auth plugin, any password or secret. Not ours to keep: dropped on receipt.
_CREDENTIAL = re.compile(r"^_context_\w*(token|password|secret|credential|auth_plugin)\w*$", re.IGNORECASE)
_CREDENTIAL_TEXT = re.compile(r'("_context_\w*(?:token|password|secret|credential|auth_plugin)\w*"\s*:\s*)'
                              r'("(?:[^"\\]|\\.)*"|\{[^{}]*\}|[^,}\s]+)', re.IGNORECASE)


def _drop_credentials(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if not (isinstance(k, str) and _CREDENTIAL.match(k))}


def scrub(body: Any) -> Any:
    """The body without the credentials of its request context, in the form it came (dict or text).

    Both shapes are cleaned (the v2 envelope's inner message too); a body that is not JSON has the
    values of such fields blanked, since it is kept as text in `failed_events`.
    """
    try:
        doc = _load(body)
    except BadMessage:
        doc = None
    if not isinstance(doc, dict):
        if isinstance(body, (bytes, bytearray, memoryview)):
            body = bytes(body).decode("utf-8", "replace")
        return _CREDENTIAL_TEXT.sub(r'\1""', body) if isinstance(body, str) else body
    doc = _drop_credentials(doc)
    inner = doc.get("oslo.message")
    if isinstance(inner, str):
        try:
            inner_doc = json.loads(inner)
        except json.JSONDecodeError:
            doc["oslo.message"] = _CREDENTIAL_TEXT.sub(r'\1""', inner)
        else:
            if isinstance(inner_doc, dict):
                doc["oslo.message"] = json.dumps(_drop_credentials(inner_doc))
    return doc if isinstance(body, dict) else json.dumps(doc)


def parse(body: Any) -> Notification:
    """Decode a delivered body (bytes, text or an already-decoded dict) into a Notification."""
    doc = _load(body)
    if not isinstance(doc, dict):
        raise BadMessage(f"body is JSON {type(doc).__name__}, not an object")
    if "oslo.message" in doc:
        inner = doc["oslo.message"]
        if not isinstance(inner, str):
            raise BadMessage("oslo.message is not a string")
        try:
            doc = json.loads(inner)
        except json.JSONDecodeError as e:
            raise BadMessage(f"oslo.message is not JSON: {e.msg}") from None
        if not isinstance(doc, dict):
            raise BadMessage("oslo.message is not a JSON object")
    event_type = doc.get("event_type")
    if not isinstance(event_type, str) or not event_type:
        what = "an RPC message (method " + repr(doc["method"]) + ")" if "method" in doc else "a message"
        raise BadMessage(f"{what} without event_type")
    payload = doc.get("payload")
    if not isinstance(payload, dict):
        raise BadMessage(f"{event_type}: payload is missing or not an object", event_type)
    context = {k[len("_context_"):]: v for k, v in doc.items() if k.startswith("_context_")}
    return Notification(
        event_type=event_type, payload=payload, message_id=str(doc.get("message_id") or ""),
        publisher_id=str(doc.get("publisher_id") or ""), priority=str(doc.get("priority") or "INFO"),
        timestamp=str(doc.get("timestamp") or ""), context=context, raw=doc,
    )


def encode_v2(notification: dict) -> str:
    """The `messagingv2` wire body of a notification (used by tests and the benchmark)."""
    return json.dumps({"oslo.version": "2.0", "oslo.message": json.dumps(notification)})
