"""OpenStack REST: Keystone v3 (falling back to v2.0), the service catalog, and JSON GETs.

Service URLs come from the catalog (service type first, then the names the original looked
for), never from swapping ports on the Keystone URL as the original did. The catalog's
host part is replaced by the configured OpenStack host, as in the original, because
catalogs often list internal addresses the scanner cannot reach.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit, urlunsplit

import requests

from app.jsonload import loads
from scan.access.calls import AuthError, Caller, RemoteError

log = logging.getLogger(__name__)

INTERFACES = ("admin", "internal", "public")
SERVICE_NAMES = {"compute": ("nova",), "network": ("neutron", "quantum"), "identity": ("keystone",)}
JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json; charset=UTF-8"}


@dataclass
class Token:
    id: str
    project_id: str
    project_name: str
    expires: datetime | None
    catalog: list[dict]
    version: str  # "v3" | "v2.0"

    def expired(self, now: datetime) -> bool:
        return self.expires is not None and now >= self.expires - timedelta(seconds=60)


@dataclass
class Region:
    name: str
    endpoints: dict[str, dict] = field(default_factory=dict)  # service name -> {service_type, url, interface, ...}


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        log.warning("token expiry %r not understood; assuming it does not expire", value)
        return None


def strip_version(url: str) -> str:
    """`http://h:5000/v3/` -> `http://h:5000`: the unversioned root of a service URL."""
    parts = urlsplit(url)
    segs = [s for s in parts.path.split("/") if s]
    while segs and (segs[-1][:1] == "v" and segs[-1][1:2].isdigit()):
        segs.pop()
    keep: list[str] = []
    for s in segs:
        if s[:1] == "v" and s[1:2].isdigit():
            break
        keep.append(s)
    return urlunsplit((parts.scheme, parts.netloc, "/".join([""] + keep) if keep else "", "", ""))


def join(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path.lstrip("/")


def regions_from_catalog(catalog: list[dict]) -> dict[str, Region]:
    """Regions as the catalog names them; one endpoint per service, preferring admin, then internal, then public."""
    regions: dict[str, Region] = {}
    for service in catalog or []:
        name, stype = service.get("name") or service.get("type"), service.get("type", "")
        for ep in service.get("endpoints", []):
            region = ep.get("region") or ep.get("region_id") or "No-Region"
            reg = regions.setdefault(region, Region(region))
            if "url" in ep:   # v3: one entry per interface
                candidates = [(ep.get("interface", "public"), ep["url"])]
            else:             # v2.0: one entry with the three URLs
                candidates = [(i, ep[f"{i}URL"]) for i in INTERFACES if ep.get(f"{i}URL")]
            for interface, url in candidates:
                old = reg.endpoints.get(name)
                rank = INTERFACES.index(interface) if interface in INTERFACES else len(INTERFACES)
                if old is None or rank < old["_rank"]:
                    reg.endpoints[name] = {"name": name, "service_type": stype, "url": url, "interface": interface,
                                           "id": ep.get("id"), "_rank": rank}
    return regions


class OpenStackApi:
    """Talks to Keystone, Nova and Neutron for one environment; thread-safe."""

    def __init__(self, section: dict, caller: Caller, session: requests.Session | None = None,
                 rewrite_host: bool = True):
        self.host = str(section["host"])
        self.port = int(section["port"])
        self.user, self.pwd = section["user"], section["pwd"]
        self.project = section.get("admin_project") or "admin"
        self.protocol = section.get("protocol") or "http"
        self.only_region = section.get("region") or None
        self.base = f"{self.protocol}://{self.host}:{self.port}"
        self.caller = caller
        self.session = session or requests.Session()
        self.rewrite_host = rewrite_host
        self._token: Token | None = None
        self._lock = threading.Lock()
        self._regions: dict[str, Region] | None = None

    # -- Keystone -------------------------------------------------------------------------------
    def _post(self, path: str, body: dict) -> requests.Response:
        url = join(self.base, path)
        timeout = self.caller.policy("REST").timeout

        def do() -> requests.Response:
            try:
                r = self.session.post(url, json=body, headers=JSON_HEADERS, timeout=timeout)
            except requests.RequestException as e:
                raise RemoteError("REST", self.host, f"POST {path}", _reason(e), transient=True) from None
            if r.status_code >= 500:
                raise RemoteError("REST", self.host, f"POST {path}", f"HTTP {r.status_code}", transient=True)
            return r

        return self.caller("REST", self.host, f"POST {path}", do)

    def _login_v3(self) -> Token | None:
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": self.user, "password": self.pwd, "domain": {"id": "default"}}}},
            "scope": {"project": {"name": self.project, "domain": {"id": "default"}}}}}
        r = self._post("/v3/auth/tokens", body)
        if r.status_code == 404:
            return None
        if r.status_code in (401, 403):
            raise AuthError("REST", self.host, "POST /v3/auth/tokens",
                            f"Keystone refused user {self.user!r} on project {self.project!r} (HTTP {r.status_code})")
        if r.status_code not in (200, 201):
            raise RemoteError("REST", self.host, "POST /v3/auth/tokens", f"HTTP {r.status_code}")
        token_id = r.headers.get("X-Subject-Token")
        data = _json(r, "REST", self.host, "POST /v3/auth/tokens").get("token") or {}
        if not token_id:
            raise RemoteError("REST", self.host, "POST /v3/auth/tokens", "no X-Subject-Token header in the answer")
        project = data.get("project") or {}
        return Token(token_id, project.get("id", ""), project.get("name", self.project),
                     _parse_time(data.get("expires_at")), data.get("catalog") or [], "v3")

    def _login_v2(self) -> Token:
        body = {"auth": {"passwordCredentials": {"username": self.user, "password": self.pwd},
                         "tenantName": self.project}}
        r = self._post("/v2.0/tokens", body)
        if r.status_code in (401, 403):
            raise AuthError("REST", self.host, "POST /v2.0/tokens",
                            f"Keystone refused user {self.user!r} on project {self.project!r} (HTTP {r.status_code})")
        if r.status_code != 200:
            raise RemoteError("REST", self.host, "POST /v2.0/tokens",
                              f"HTTP {r.status_code}: neither Identity v3 nor v2.0 answered")
        access = _json(r, "REST", self.host, "POST /v2.0/tokens").get("access") or {}
        token = access.get("token") or {}
        if not token.get("id"):
            raise AuthError("REST", self.host, "POST /v2.0/tokens", "Keystone answered without a token")
        tenant = token.get("tenant") or {}
        return Token(token["id"], tenant.get("id", ""), tenant.get("name", self.project),
                     _parse_time(token.get("expires")), access.get("serviceCatalog") or [], "v2.0")

    def token(self, renew: bool = False) -> Token:
        with self._lock:
            if renew or self._token is None or self._token.expired(datetime.now(timezone.utc)):
                self._token = self._login_v3() or self._login_v2()
                self._regions = None
            return self._token

    # -- catalog --------------------------------------------------------------------------------
    def regions(self) -> dict[str, Region]:
        tok = self.token()
        with self._lock:
            if self._regions is None:
                regions = regions_from_catalog(tok.catalog)
                if self.only_region:
                    regions = {k: v for k, v in regions.items() if k == self.only_region}
                self._regions = regions
            return self._regions

    def service_url(self, region: str, service_type: str) -> str:
        reg = self.regions().get(region)
        if reg is None:
            raise RemoteError("REST", self.host, f"catalog {service_type}", f"region {region!r} is not in the catalog")
        ep = next((e for e in reg.endpoints.values() if e["service_type"] == service_type), None)
        if ep is None:
            for name in SERVICE_NAMES.get(service_type, ()):
                ep = reg.endpoints.get(name)
                if ep:
                    break
        if ep is None:
            raise RemoteError("REST", self.host, f"catalog {service_type}",
                              f"region {region!r} offers no {service_type} service")
        return self._rewrite(ep["url"])

    def rewrite(self, url: str) -> str:
        return self._rewrite(url)

    def _rewrite(self, url: str) -> str:
        if not self.rewrite_host:
            return url
        p = urlsplit(url)
        netloc = self.host + (f":{p.port}" if p.port else "")
        return urlunsplit((p.scheme or self.protocol, netloc, p.path, p.query, p.fragment))

    # -- GET ------------------------------------------------------------------------------------
    def get(self, url: str, what: str) -> dict:
        """GET a JSON document; one re-login on 401; 5xx and connection errors are retried."""
        timeout = self.caller.policy("REST").timeout
        host = urlsplit(url).hostname or self.host

        def do() -> dict:
            for attempt in (0, 1):
                tok = self.token(renew=attempt == 1)
                headers = {"Accept": "application/json", "X-Auth-Token": tok.id,
                           "X-Auth-Project-Id": tok.project_name}
                try:
                    r = self.session.get(url, headers=headers, timeout=timeout)
                except requests.RequestException as e:
                    raise RemoteError("REST", host, what, _reason(e), transient=True) from None
                if r.status_code == 401 and attempt == 0:
                    continue
                if r.status_code >= 500:
                    raise RemoteError("REST", host, what, f"HTTP {r.status_code}", transient=True)
                if r.status_code != 200:
                    raise RemoteError("REST", host, what, f"HTTP {r.status_code}")
                return _json(r, "REST", host, what)
            raise AuthError("REST", host, what, "token refused twice")

        return self.caller("REST", host, what, do)

    def service_get(self, region: str, service_type: str, path: str, unversioned: bool = False) -> dict:
        base = self.service_url(region, service_type)
        if unversioned:
            base = strip_version(base)
        return self.get(join(base, path), f"GET {service_type} {path}")


def _reason(e: Exception) -> str:
    if isinstance(e, requests.ConnectTimeout):
        return "connection timed out"
    if isinstance(e, requests.ConnectionError):
        return "cannot connect"
    if isinstance(e, requests.Timeout):
        return "timed out"
    return type(e).__name__


def _json(r: requests.Response, source: str, host: str, what: str) -> dict:
    try:
        data = loads(r.content)          # UTF-8, as OpenStack answers (app.jsonload says why)
    except ValueError:
        try:
            data = r.json()              # another charset, as requests reads it
        except ValueError:
            raise RemoteError(source, host, what, f"answer is not JSON (HTTP {r.status_code})") from None
    if not isinstance(data, dict):
        raise RemoteError(source, host, what, "answer is not a JSON object")
    return data
