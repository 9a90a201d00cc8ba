"""The console's only way to data: the REST API over HTTP, with the signed-in user's token.

Failures become four exceptions a screen can act on: the API is down (banner), the token is
no longer valid (back to sign-in), the thing asked for does not exist for this user (404
page), or the API refused the request with a message to show.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import urlencode

import requests

from app.console_link import ADDRESS_HEADER, SECRET_HEADER

log = logging.getLogger(__name__)


class ApiDown(Exception):
    """The API did not answer (connection refused, timeout, 5xx)."""


class SessionExpired(Exception):
    """The API no longer accepts the session's token."""


class NotFound(Exception):
    """The API says 404: the object or environment does not exist, or the user may not view it."""


class Refused(Exception):
    """The API answered 4xx with a message for the user."""

    def __init__(self, status: int, message: str, problems: list | None = None):
        super().__init__(message)
        self.status, self.message, self.problems = status, message, problems or []


def _message(resp: requests.Response) -> tuple[str, list]:
    try:
        err = resp.json().get("error") or {}
        return str(err.get("message") or resp.reason), list(err.get("problems") or [])
    except ValueError:
        return resp.reason or f"HTTP {resp.status_code}", []


class Api:
    """A thread-safe client of one Calipso API (one requests.Session per thread)."""

    def __init__(self, base_url: str, timeout: float = 10.0, console_secret: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.console_secret = console_secret     # proves the browser addresses sent with sign-ins
        self._local = threading.local()

    @property
    def http(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = requests.Session()
        return s

    def _send(self, method: str, path: str, token: str | None, params=None, json=None,
              extra: dict | None = None) -> requests.Response:
        headers = {"Accept": "application/json", **(extra or {})}
        if token:
            headers["X-Auth-Token"] = token
        url = self.base_url + path
        if params:
            url += "?" + (params if isinstance(params, str) else urlencode(params, doseq=True))
        try:
            resp = self.http.request(method, url, headers=headers, json=json, timeout=self.timeout)
        except requests.RequestException as e:
            log.warning("API %s %s failed: %s", method, path, e.__class__.__name__)
            raise ApiDown(f"the API at {self.base_url} did not answer") from None
        if resp.status_code >= 500 and resp.status_code not in (501,):
            raise ApiDown(f"the API at {self.base_url} answered {resp.status_code}")
        return resp

    def _checked(self, resp: requests.Response):
        if resp.status_code == 401:
            raise SessionExpired()
        if resp.status_code == 404:
            raise NotFound(_message(resp)[0])
        if resp.status_code >= 400:
            raise Refused(resp.status_code, *_message(resp))
        return resp.json() if resp.content else {}

    # -- calls -------------------------------------------------------------------------------------
    def login(self, username: str, password: str, browser: str | None = None) -> dict | None:
        """A token document for these credentials, or None when they are wrong. With a console secret,
        the API counts failures against the `browser`'s address instead of the console's."""
        extra = {ADDRESS_HEADER: browser, SECRET_HEADER: self.console_secret} if browser and self.console_secret else {}
        resp = self._send("POST", "/auth/tokens", None, json={"auth": {"methods": ["credentials"], "credentials": {
            "username": username, "password": password}}}, extra=extra)
        if resp.status_code in (400, 401):
            return None
        return self._checked(resp)

    def logout(self, token: str) -> None:
        try:
            self._send("DELETE", "/auth/tokens", token)
        except ApiDown:
            log.warning("could not revoke a token: the API is down")

    def get(self, token: str, path: str, params=None) -> dict:
        return self._checked(self._send("GET", path, token, params))

    def send(self, method: str, token: str, path: str, body=None, params=None) -> dict:
        return self._checked(self._send(method, path, token, params, json=body))

    def passthrough(self, token: str, path: str, query_string: str) -> tuple[int, bytes]:
        """A GET relayed as is (status and JSON body), for the browser's scripts."""
        resp = self._send("GET", path, token, query_string or None)
        return resp.status_code, resp.content

    def ping(self) -> bool:
        try:
            self._send("GET", "/health", None)
            return True
        except ApiDown:
            return False
