"""What a check result may be before anything else looks at it: its size, its nesting, its text.

Results come from every monitored host (and anyone who can publish to the Sensu transport), so one
hostile or broken body must cost a bounded amount of work and end as a failed event, never as an
exception that sends it back to the queue. Sensu events are a few levels deep and a few kilobytes;
the limits are far above that.
"""

from __future__ import annotations

import json

MAX_BYTES = 256 * 1024      # one event's body
MAX_DEPTH = 16              # objects and arrays inside each other
MAX_STATUS = 255            # a check's exit code
MAX_TEXT = 64 * 1024        # a check's output kept as status_text is cut far below this anyway


class BadEvent(ValueError):
    """An event that cannot be handled; the message says why."""


def _depth_ok(value, limit: int) -> bool:
    """Whether `value` nests at most `limit` containers deep (iteratively: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return True


def load(body: bytes | bytearray | str | dict) -> dict:
    """The event as a dict, or BadEvent saying what is wrong with it (size, encoding, JSON, nesting)."""
    if isinstance(body, (bytes, bytearray)):
        if len(body) > MAX_BYTES:
            raise BadEvent(f"the event has {len(body)} bytes, over the limit of {MAX_BYTES}")
        body = bytes(body).decode("utf-8", "replace")
    if isinstance(body, str):
        if len(body) > MAX_BYTES:
            raise BadEvent(f"the event has {len(body)} characters, over the limit of {MAX_BYTES}")
        try:
            body = json.loads(body)
        except RecursionError:
            raise BadEvent(f"JSON nested more than {MAX_DEPTH} levels deep") from None
        except ValueError as e:
            raise BadEvent(f"not JSON: {e}") from None
    if not isinstance(body, dict):
        raise BadEvent("an event must be a JSON object")
    if not _depth_ok(body, MAX_DEPTH):
        raise BadEvent(f"JSON nested more than {MAX_DEPTH} levels deep")
    return body


def status(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_STATUS \
            or int(value) != value:
        raise BadEvent(f"check status {short(value)} is not a whole number from 0 to {MAX_STATUS}")
    return int(value)


def text(value) -> str:
    """A check's output: a string, cut to MAX_TEXT (anything else is no output)."""
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def printable(body) -> str:
    """The body as text for failed_events, whatever it is (a body too deep to print is said so)."""
    if isinstance(body, (bytes, bytearray)):
        return bytes(body[:MAX_BYTES + 1]).decode("utf-8", "replace")
    if isinstance(body, str):
        return body
    try:
        return json.dumps(body, default=str)
    except (RecursionError, ValueError, TypeError):
        return f"<a {type(body).__name__} that cannot be printed>"


def short(value) -> str:
    """`value` as a short text for a reason (a huge number or a long string shown by its start)."""
    try:
        s = repr(value)
    except (RecursionError, ValueError):     # a huge int's repr is refused past 4300 digits
        s = f"<a {type(value).__name__}>"
    return s if len(s) <= 40 else s[:37] + "..."
