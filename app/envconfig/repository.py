"""environment_config documents in the store: add, replace, get, list, delete.

Validation always happens before any write, so a rejected document leaves nothing behind.
"""

from __future__ import annotations

import logging

from pymongo.errors import DuplicateKeyError

from app.envconfig.catalog import Catalog
from app.envconfig.secrets import keep_secrets, register_secrets
from app.envconfig.validate import validate_environment
from app.errors import CalipsoError, Problem, ValidationFailed
from app.store.store import Store

log = logging.getLogger(__name__)


class UnknownEnvironment(CalipsoError):
    def __init__(self, name: str, known: list[str]):
        self.name, self.known = name, known
        listed = ", ".join(known) if known else "none yet; add one with 'calipso env add FILE'"
        super().__init__(f"unknown environment {name!r} (known: {listed})")


class EnvironmentConfigs:
    def __init__(self, store: Store, catalog: Catalog | None = None):
        self.store = store
        self.coll = store["environments_config"]
        self._catalog = catalog

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = Catalog.from_store(self.store)
        return self._catalog

    def validate(self, doc: dict) -> dict:
        return validate_environment(doc, self.catalog)

    def add(self, doc: dict) -> dict:
        env = self.validate(doc)
        try:
            self.coll.insert_one(dict(env))
        except DuplicateKeyError:
            raise ValidationFailed(f"environment config {env['name']!r}",
                                   [Problem("name", f"environment {env['name']!r} already exists")]) from None
        register_secrets(env)
        log.info("environment %s added", env["name"])
        return env

    def replace(self, name: str, doc: dict) -> dict:
        """Replace an environment's config; secrets the new document omits are kept."""
        old = self.get(name)
        if doc.get("name", name) != name:
            raise ValidationFailed(f"environment config {name!r}",
                                   [Problem("name", f"cannot rename {name!r} to {doc.get('name')!r}")])
        merged = keep_secrets({**doc, "name": name}, old)
        env = self.validate(merged)
        # state kept by Calipso itself is not the caller's to reset
        for key in ("scanned", "last_scanned", "operational", "monitoring_setup_done"):
            if key in old and key not in doc:
                env[key] = old[key]
        self.coll.replace_one({"name": name}, env)
        register_secrets(env)
        log.info("environment %s replaced", name)
        return env

    def get(self, name: str) -> dict:
        doc = self.coll.find_one({"name": name})
        if doc is None:
            raise UnknownEnvironment(name, self.names())
        doc.pop("_id", None)
        register_secrets(doc)
        return doc

    def find(self, name: str) -> dict | None:
        doc = self.coll.find_one({"name": name}, {"_id": 0})
        if doc:
            register_secrets(doc)
        return doc

    def names(self) -> list[str]:
        return sorted(d["name"] for d in self.coll.find({}, {"name": 1}) if d.get("name"))

    def list(self) -> list[dict]:
        docs = list(self.coll.find({}, {"_id": 0}).sort("name", 1))
        for d in docs:
            register_secrets(d)
        return docs

    def set_fields(self, name: str, fields: dict) -> None:
        self.coll.update_one({"name": name}, {"$set": fields})

    def delete(self, name: str) -> None:
        res = self.coll.delete_one({"name": name})
        if res.deleted_count == 0:
            raise UnknownEnvironment(name, self.names())
        # its connection tests may hold its secrets (a request still waiting): they go with it
        self.store["connection_tests"].delete_many({"environment": name})
        log.info("environment %s deleted", name)
