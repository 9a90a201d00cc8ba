"""Cisco APIC REST (vim-contract §5): login cookie, class and managed-object queries."""

from __future__ import annotations

import threading

import requests
import urllib3

from scan.access.calls import AuthError, Caller, RemoteError


class Aci:
    def __init__(self, section: dict, caller: Caller, session: requests.Session | None = None):
        self.host = str(section["host"])
        port = section.get("port")
        protocol = section.get("protocol") or "https"
        self.base = f"{protocol}://{self.host}" + (f":{port}" if port else "") + "/api"
        self.user, self.pwd = section["user"], section["pwd"]
        self.caller = caller
        self.session = session or requests.Session()
        self.session.verify = False  # APICs run with self-signed certificates (as the original assumed)
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        self._token: str | None = None
        self._lock = threading.Lock()

    def login(self) -> str:
        timeout = self.caller.policy("ACI").timeout
        body = {"aaaUser": {"attributes": {"name": self.user, "pwd": self.pwd}}}

        def do() -> str:
            try:
                r = self.session.post(f"{self.base}/aaaLogin.json", json=body, timeout=timeout)
            except requests.RequestException as e:
                raise RemoteError("ACI", self.host, "aaaLogin", type(e).__name__, transient=True) from None
            if r.status_code in (401, 403):
                raise AuthError("ACI", self.host, "aaaLogin", f"APIC refused user {self.user!r}")
            if r.status_code >= 500:
                raise RemoteError("ACI", self.host, "aaaLogin", f"HTTP {r.status_code}", transient=True)
            if r.status_code != 200:
                raise RemoteError("ACI", self.host, "aaaLogin", f"HTTP {r.status_code}")
            try:
                attrs = r.json()["imdata"][0]["aaaLogin"]["attributes"]
            except (ValueError, KeyError, IndexError, TypeError):
                raise RemoteError("ACI", self.host, "aaaLogin", "unexpected login answer") from None
            return attrs.get("token") or ""

        token = self.caller("ACI", self.host, "aaaLogin", do)
        with self._lock:
            self._token = token
        self.session.cookies.set("APIC-cookie", token)
        return token

    def get(self, path: str, params: dict | None = None) -> list[dict]:
        """imdata entries of a query; one re-login on 403."""
        if self._token is None:
            self.login()
        timeout = self.caller.policy("ACI").timeout
        url = f"{self.base}/{path.lstrip('/')}"

        def do() -> list[dict]:
            for attempt in (0, 1):
                try:
                    r = self.session.get(url, params=params, timeout=timeout)
                except requests.RequestException as e:
                    raise RemoteError("ACI", self.host, path, type(e).__name__, transient=True) from None
                if r.status_code == 403 and attempt == 0:
                    self.login()
                    continue
                if r.status_code >= 500:
                    raise RemoteError("ACI", self.host, path, f"HTTP {r.status_code}", transient=True)
                if r.status_code != 200:
                    raise RemoteError("ACI", self.host, path, f"HTTP {r.status_code}")
                try:
                    return list(r.json().get("imdata") or [])
                except (ValueError, AttributeError):
                    raise RemoteError("ACI", self.host, path, "answer is not JSON") from None
            raise AuthError("ACI", self.host, path, "APIC refused the session twice")

        return self.caller("ACI", self.host, path, do)


def unwrap(imdata: list[dict], cls: str) -> list[dict]:
    """Attributes (+children) of the entries of one class; other classes are ignored, not fatal."""
    out = []
    for entry in imdata:
        obj = entry.get(cls) if isinstance(entry, dict) else None
        if isinstance(obj, dict):
            attrs = dict(obj.get("attributes") or {})
            if obj.get("children"):
                attrs["_children"] = obj["children"]
            out.append(attrs)
    return out
