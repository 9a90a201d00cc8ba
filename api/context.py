"""What a request handler works with: the store, settings, the caller and their environments."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from api.errors import ApiError, forbidden, not_found
from api.settings import Settings
from app.clock import Clock, utcnow
from app.envconfig.catalog import Catalog
from app.store.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Caller:
    """Who is calling. Admins see everything; others what environments' `auth` lists give them."""

    username: str
    admin: bool = False
    method: str = "credentials"

    def can_view(self, env: dict) -> bool:
        if self.admin:
            return True
        auth = env.get("auth") or {}
        return self.username in (auth.get("view-env") or []) or self.username in (auth.get("edit-env") or [])

    def can_edit(self, env: dict) -> bool:
        if self.admin:
            return True
        return self.username in ((env.get("auth") or {}).get("edit-env") or [])


class CatalogCache:
    """Constants and supported environments, re-read at most every `ttl` seconds."""

    def __init__(self, store: Store, ttl: float = 30.0):
        self.store, self.ttl = store, ttl
        self._catalog: Catalog | None = None
        self._at = 0.0
        self._lock = threading.Lock()

    def get(self) -> Catalog:
        with self._lock:
            if self._catalog is None or time.monotonic() - self._at > self.ttl:
                self._catalog = Catalog.from_store(self.store)
                self._at = time.monotonic()
            return self._catalog

    def values(self, name: str) -> list[str]:
        return self.get().values(name)


@dataclass
class Deps:
    """Everything the resources need, passed in (no globals)."""

    store: Store
    settings: Settings
    clock: Clock = utcnow
    catalog: CatalogCache = None  # type: ignore[assignment]
    extra: dict = field(default_factory=dict)
    keeper: object = None         # app.store.keeper.StoreKeeper: is the store up, since when down
    envs: object = None           # api.env_directory.EnvDirectory (create_app makes one)

    def __post_init__(self):
        if self.catalog is None:
            self.catalog = CatalogCache(self.store)


def unknown_env(name: str) -> ApiError:
    return not_found(f"Unknown environment: {name}")


class EnvAccess:
    """The caller's view of environments: an environment they may not view does not exist for them."""

    def __init__(self, store: Store, caller: Caller, directory=None):
        self.coll = store["environments_config"]
        self.caller = caller
        self.directory = directory      # api.env_directory.EnvDirectory: what the worker read lately
        self._names: list[str] | None = None

    def find(self, name: str, fields: tuple[str, ...] | None = None) -> dict | None:
        """The environment's configuration if the caller may view it; with `fields`, only those (with its
        name and `auth`): an environment's configuration is kilobytes, most requests only check access."""
        if not isinstance(name, str):
            return None
        if fields is not None and self.directory is not None and set(fields) <= set(self.directory.FIELDS):
            doc = self.directory.get(name)
        else:
            projection = None if fields is None else {f: 1 for f in ("name", "auth", *fields)}
            doc = self.coll.find_one({"name": name}, projection)
        if doc is None or not self.caller.can_view(doc):
            return None
        return doc

    def view(self, name: str, fields: tuple[str, ...] | None = None) -> dict:
        doc = self.find(name, fields)
        if doc is None:
            raise unknown_env(name)
        return doc

    def edit(self, name: str) -> dict:
        doc = self.view(name)
        if not self.caller.can_edit(doc):
            raise forbidden(f"You may not change environment {name} (edit-env is needed)")
        return doc

    def names(self) -> list[str]:
        """Environments the caller may view."""
        if self._names is None:
            self._names = sorted(d["name"] for d in self.coll.find({}, {"name": 1, "auth": 1})
                                 if isinstance(d.get("name"), str) and self.caller.can_view(d))
        return self._names
