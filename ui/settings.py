"""What `calipso ui` is told: where the API is, how long sessions last, how live updates poll."""

from __future__ import annotations

from dataclasses import dataclass, field

from app import __version__


@dataclass(frozen=True)
class UiSettings:
    api_url: str = "http://127.0.0.1:8747"
    api_timeout: float = 10.0
    session_idle: float = 8 * 3600        # seconds without a request before a session ends
    cookie_secure: bool = False           # set the Secure flag (serve behind HTTPS)
    poll_interval: float = 1.0            # the live hub asks the API for changes this often
    sse_lifetime: float = 300.0           # an event stream is closed after this; the browser reconnects
    sse_max_clients: int = 500
    sse_per_user: int = 12                # event streams one user may hold open (tabs); the oldest gives way
    max_body_bytes: int = 1 << 20         # a form or script body larger than this is refused (413)
    console_secret: str | None = None     # shared with the API: it then trusts the browser addresses we send
    version: str = __version__
    mongo_config: str | None = None      # where the sessions are: -m FILE, else $CALIPSO_MONGO_URI, else embedded
    extra: dict = field(default_factory=dict)
