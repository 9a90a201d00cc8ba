"""Per-request protections: the session cookie, CSRF on every state change, sign-in, and headers.

A state-changing request (anything but GET/HEAD/OPTIONS) must carry the session's CSRF token,
as the `X-CSRF-Token` header (scripts) or the `csrf_token` form field (forms), or it is refused
with 403 before any screen runs. Screens are private unless their resource says `public = True`;
a private page asked for without a session goes to sign-in and comes back after it.
"""

from __future__ import annotations

import hmac
import re
from urllib.parse import quote, urlsplit

import falcon

from ui.sessions import Session, Sessions

COOKIE = "calipso_session"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class CsrfRefused(Exception):
    """A state-changing request without the session's CSRF token."""


class SignInNeeded(Exception):
    """A private screen asked for without a signed-in session."""


def is_background(path: str) -> bool:
    """What a page asks for behind the user's back (the API relay, the live stream): never a page to return to."""
    return path.startswith("/ui-api/") or path == "/events"


def login_url(next_path: str | None) -> str:
    return "/login" + (f"?next={quote(next_path, safe='/')}" if next_path and next_path != "/" else "")


#: what a redirect target after sign-in may hold: printable ASCII, no backslash, no space (a browser drops
#: tabs and line breaks, turns backslashes into slashes and trims spaces and controls before it resolves a
#: URL, so any of them could turn "/<x>/host" into "//host"; none is needed by a path of ours)
_NEXT_RE = re.compile(r"/(?![/\\])[A-Za-z0-9._~!$&'()*+,;=:@%/?#-]*")


def safe_next(value: str | None) -> str:
    """Only a path on this site may be a redirect target after sign-in: one starting with a single "/",
    made of the characters a URL path holds as is, that no browser can read as another host."""
    if not isinstance(value, str) or not _NEXT_RE.fullmatch(value):
        return "/Dashboard"
    parts = urlsplit(value)
    if (parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//")
            or is_background(parts.path)):     # a page's background request is no place to land after sign-in
        return "/Dashboard"
    return value


def page_of(req: falcon.Request) -> str | None:
    """The console page a background request came from (its Referer on this site), for sign-in to return to."""
    referer = urlsplit(req.get_header("Referer") or "")
    if referer.netloc != req.host and referer.netloc != req.netloc:
        return None
    if not referer.path.startswith("/") or is_background(referer.path):
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


def _csrf_given(req: falcon.Request) -> str | None:
    header = req.get_header("X-CSRF-Token")
    if header:
        return header
    if req.content_type and req.content_type.startswith("application/x-www-form-urlencoded"):
        form = req.get_media(default_when_empty={})
        value = form.get("csrf_token") if isinstance(form, dict) else None
        return value if isinstance(value, str) else None
    return None


class SessionMiddleware:
    def __init__(self, sessions: Sessions, cookie_secure: bool):
        self.sessions, self.cookie_secure = sessions, cookie_secure

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        values = req.get_cookie_values(COOKIE) or []
        session = None
        for sid in values:
            session = self.sessions.get(sid)
            if session:
                break
        req.context.had_session = bool(values)
        req.context.session = session or self.sessions.create()

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource, params) -> None:
        session: Session = req.context.session
        if req.method not in SAFE_METHODS:
            given = _csrf_given(req)
            if not given or not hmac.compare_digest(given.encode(), session.csrf.encode()):
                raise CsrfRefused()
        if resource is not None and not getattr(resource, "public", False) and not session.signed_in:
            raise SignInNeeded()

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource, req_succeeded: bool) -> None:
        session: Session | None = getattr(req.context, "session", None)
        if session is not None and req.get_cookie_values(COOKIE) != [session.sid]:
            resp.set_cookie(COOKIE, session.sid, path="/", http_only=True, secure=self.cookie_secure,
                            same_site="Strict")
        for name, value in HEADERS.items():
            resp.set_header(name, value)
        if not req.path.startswith("/static/"):
            resp.set_header("Cache-Control", "no-store")
