"""A notification's request-context credentials (`_context_auth_token`, a live Keystone token on a real
cloud) leave no trace: not in messages, not in failed_events, not in any collection, not in the API."""

from __future__ import annotations

import json

import pytest
from falcon import testing

from api.app import create_app
from api.auth.users import Users
from api.settings import Settings
from listen.apply import Applier
from listen.events import load
from listen.processor import Delivery, Processor
from tests.integration.listen.support import AMQP, add_env, full_scan
from tests.scan_support.zed import ENV, zed_clients

TOKEN = "gAAAAAB-planted-keystone-token-7c1f"
SERVICE = "planted-service-token-99ab"


def _with_credentials(path, **extra) -> str:
    outer = json.loads(path.read_text())
    inner = json.loads(outer["oslo.message"])
    inner.update(_context_auth_token=TOKEN, _context_service_token=SERVICE,
                 _context_auth_token_info={"token": {"id": TOKEN}}, **extra)
    return json.dumps({**outer, "oslo.message": json.dumps(inner)})


@pytest.fixture
def zed(initialized_store):
    env = add_env(initialized_store, ENV)
    full_scan(initialized_store, "zed", zed_clients())
    applier = Applier(initialized_store, env, clients_factory=zed_clients(), serial=True)
    yield initialized_store, applier
    applier.close()


def test_context_credentials_are_dropped_on_receipt(zed):
    store, applier = zed
    acked = []
    processor = Processor(store, "zed", load(), applier, sleep=lambda s: None)
    applied = _with_credentials(AMQP / "port.delete.end.json")
    unknown = _with_credentials(AMQP / "port.delete.end.json", event_type="bogus.thing.end", message_id="m-unknown")
    broken = '{"event_type": "port.delete.end", "_context_auth_token": "' + TOKEN + '", "payload": '   # not JSON
    out = processor.handle([Delivery(b, lambda: acked.append(1)) for b in (applied, unknown, broken)])
    assert len(acked) == 3 and out.applied + out.skipped == 1 and out.failed == 2
    # the event itself is kept, without the credentials
    message = store["messages"].find_one({"event_type": "port.delete.end"})
    assert message is not None and "_context_user_name" in json.dumps(message["notification"], default=str)
    assert store["failed_events"].count_documents({"environment": "zed"}) == 2
    for name in store.db.list_collection_names():
        for doc in store.db[name].find():
            text = json.dumps(doc, default=str)
            assert TOKEN not in text and SERVICE not in text, f"a planted credential is stored in {name}"
    # and so nobody can read it through the API
    Users(store, rounds=4).add("ops", "Ops-pass-123", admin=True)
    client = testing.TestClient(create_app(store, Settings(bcrypt_rounds=4)))
    for path in ("/messages?env_name=zed&page_size=100", "/messages?env_name=zed&level=error"):
        r = client.simulate_get(path.split("?")[0], query_string=path.split("?")[1],
                                headers={"Authorization": "Basic b3BzOk9wcy1wYXNzLTEyMw=="})
        assert r.status_code == 200 and TOKEN not in r.text and SERVICE not in r.text
    for doc in client.simulate_get("/messages", query_string="env_name=zed&page_size=100", headers={
            "Authorization": "Basic b3BzOk9wcy1wYXNzLTEyMw=="}).json["messages"]:
        one = client.simulate_get("/messages", query_string=f"env_name=zed&id={doc['id']}",
                                  headers={"Authorization": "Basic b3BzOk9wcy1wYXNzLTEyMw=="})
        assert TOKEN not in one.text and SERVICE not in one.text
