"""One log format for every service, and a filter that keeps registered secrets out of every record."""

from __future__ import annotations

import logging
import sys
import threading

from app.errors import printable

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_secrets: set[str] = set()
_lock = threading.Lock()
MASK = "********"


def register_secret(value: object) -> None:
    """Make sure this value never appears in a log line, whatever logs it."""
    if isinstance(value, str) and len(value) >= 3:
        with _lock:
            _secrets.add(value)


def mask(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for s in secrets:
        if s in text:
            text = text.replace(s, MASK)
    return text


class SecretFilter(logging.Filter):
    """Rewrites a record's final message with every registered secret masked, and the control bytes
    a host's output may carry (terminal escape sequences) made visible instead of acted on."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is logging's problem to report
            return True
        cleaned = printable(mask(message) if _secrets else message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(level: str | int = "INFO", stream=None) -> None:
    """Configure the root logger once: stderr, one format, secrets masked."""
    if isinstance(level, str):
        level = logging.getLevelName(level.upper())
        if not isinstance(level, int):
            level = logging.INFO
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_calipso", False):
            root.removeHandler(h)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(SecretFilter())
    handler._calipso = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("nx_27017", "pymongo", "paramiko", "asyncssh", "kombu", "amqp", "urllib3"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
