"""One API over one embedded-store database per test module, with users, two environments and data.

Users: admin (admin), erin (edit-env on `visible`), alice (view-env on `visible`), mallory (nothing).
The `hidden` environment is viewable by admin only. Every environment has distinctive secrets
(SECRETS) that no response and no log line may ever contain.
"""

from __future__ import annotations

import base64
import copy
import json
import logging
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from falcon import testing

from api.app import create_app
from api.auth.limiter import LoginPolicy
from api.settings import Settings
from app.cliques import Cliques
from app.inventory import Inventory
from app.links import Links, new_link
from app.logs import SecretFilter, setup_logging
from app.messages import Messages
from app.paths import place, root
from app.scans import Scans, ScheduledScans
from app.store.init import init_db
from app.store.store import Store, StoreLocation

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "environment_config.json"
PASSWORDS = {"admin": "Admin-pass-1", "erin": "Erin-pass-22", "alice": "Alice-pass-333", "mallory": "Mallory-pass-4444"}
SECRETS: dict[str, list[str]] = {}


class MovableClock:
    def __init__(self):
        self.now = datetime.now(timezone.utc).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def env_config(name: str, auth: dict) -> dict:
    doc = json.loads(FIXTURE.read_text())
    doc["name"] = name
    doc["auth"] = auth
    tag = name.capitalize()
    secrets = {"OpenStack": {"pwd": f"OsPw-{tag}-7f3a9", "admin_token": f"OsTok-{tag}-c81d2"},
               "mysql": {"pwd": f"DbPw-{tag}-55e0b"}, "AMQP": {"pwd": f"MqPw-{tag}-90aa4"},
               "CLI": {"pwd": f"SshPw-{tag}-1bd77"}}
    for s in doc["configuration"]:
        s.update(secrets.get(s["name"], {}))
    SECRETS[name] = [v for d in secrets.values() for v in d.values()]
    return doc


class LogCapture(logging.Handler):
    """Every log line as a user would see it on stderr (secret filter applied)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.addFilter(SecretFilter())
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record):
        try:
            self.lines.append(self.format(record))
        except Exception:
            pass


def seed(store: Store, env: str) -> dict:
    inv = Inventory(store)
    r = root(env)
    region = place({"id": "RegionOne", "type": "region"}, r, env)
    host = place({"id": f"{env}-node-1", "type": "host", "host": f"{env}-node-1"}, region, env)
    vnics = [place({"id": f"{env}-tap{i}", "type": "vnic", "host": host["id"], "mac_address": f"fa:16:3e:00:00:0{i}"},
                   host, env) for i in range(3)]
    inv.upsert([region, host, *vnics])
    docs = {d["id"]: d for d in inv.find({"environment": env})}
    links = [new_link(env, docs[host["id"]], docs[v["id"]], link_type="vnic-vconnector",
                      attributes={"network": "net-1"}) for v in vnics]
    Links(store).upsert(links)
    stored_links = Links(store).for_env(env)
    Cliques(store).upsert({"environment": env, "focal_point": docs[host["id"]]["_id"], "focal_point_type": "host",
                           "focal_point_object_id": host["id"], "nodes": [docs[v["id"]]["_id"] for v in vnics],
                           "links": [l["_id"] for l in stored_links],
                           "links_detailed": [{"_id": l["_id"], "link_type": l["link_type"]} for l in stored_links]})
    Messages(store).add("a message", level="info", environment=env, related_object=host["id"],
                        related_object_type="host")
    scan = Scans(store).submit(env, log_level="info")
    sched = ScheduledScans(store).add(env, "DAILY", log_level="info")
    return {"host": host["id"], "vnic": vnics[0]["id"], "scan": str(scan), "schedule": str(sched),
            "link": str(stored_links[0]["_id"]), "focal_point": str(docs[host["id"]]["_id"])}


class Api:
    """A falcon test client with a token per user, and helpers."""

    def __init__(self, app, client, store, clock, logs):
        self.app, self.client, self.store, self.clock, self.logs = app, client, store, clock, logs
        self.tokens: dict[str, str] = {}
        self.data: dict[str, dict] = {}

    def headers(self, user: str | None) -> dict:
        if user is None:
            return {}
        if user not in self.tokens:
            r = self.client.simulate_post("/auth/tokens", json={"auth": {"methods": ["credentials"], "credentials": {
                "username": user, "password": PASSWORDS[user]}}})
            assert r.status_code == 201, r.text
            self.tokens[user] = r.json["token"]
        return {"X-Auth-Token": self.tokens[user]}

    def basic(self, user: str, password: str | None = None) -> dict:
        raw = f"{user}:{password or PASSWORDS[user]}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}

    def call(self, method: str, path: str, user: str | None = "admin", query: str | None = None, json_body=None,
             body: bytes | str | None = None, headers: dict | None = None):
        h = {**self.headers(user), **(headers or {})}
        kwargs = {"headers": h, "query_string": query}
        if json_body is not None:
            kwargs["json"] = json_body
        elif body is not None:
            kwargs["body"] = body
            h.setdefault("Content-Type", "application/json")
        return self.client.simulate_request(method, path, **kwargs)

    def get(self, path, user="admin", query=None, **kw):
        return self.call("GET", path, user, query, **kw)


@pytest.fixture(scope="module")
def api(store_uri) -> Api:
    name = f"api_{uuid.uuid4().hex[:10]}"
    store = Store.connect(StoreLocation(f"{store_uri}{name}", "api test store", embedded=True))
    init_db(store)
    clock = MovableClock()
    logs = LogCapture()
    setup_logging("DEBUG")
    logging.getLogger().addHandler(logs)
    # the contract suites send wrong credentials on purpose, hundreds of times: login limits are
    # tested on their own (test_login_abuse)
    app = create_app(store, Settings(bcrypt_rounds=4, page_size_cap=1000,
                                     login=LoginPolicy(free_per_pair=10**6, free_per_address=10**6)), clock=clock)
    users = app.deps.extra["users"]
    for user, pw in PASSWORDS.items():
        users.add(user, pw, admin=(user == "admin"))
    a = Api(app, testing.TestClient(app), store, clock, logs)
    for env, auth in (("visible", {"view-env": ["alice", "erin"], "edit-env": ["erin"]}),
                      ("hidden", {"view-env": [], "edit-env": []})):
        r = a.call("POST", "/environment_configs", json_body=env_config(env, auth))
        assert r.status_code == 201, r.text
        a.data[env] = seed(store, env)
    yield a
    logging.getLogger().removeHandler(logs)
    setup_logging("INFO")
    store.client.drop_database(name)
    store.close()


def fresh_env_config(name: str, auth: dict | None = None) -> dict:
    return copy.deepcopy(env_config(name, auth or {"view-env": ["erin"], "edit-env": ["erin"]}))
