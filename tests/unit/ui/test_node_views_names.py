"""An object page names every id it shows with one /names read (ui/screens/node_views.py), not a read per id."""

from __future__ import annotations

from ui.apiclient import ApiDown
from ui.screens.node_views import data_view, references


class FakeScreen:
    """Answers the API calls a data view makes, and remembers them."""

    def __init__(self, names: dict, down: bool = False):
        self.names, self.down, self.calls = names, down, []

    def api(self, req, path: str, params=None) -> dict:
        self.calls.append((path, params))
        if self.down:
            raise ApiDown("the API did not answer")
        if path == "/names":
            return {"names": {i: self.names[i] for i in params["id"] if i in self.names}}
        return {"objects": []}


PORT = {"id": "port-1", "type": "port", "name": "port-1", "object_name": "fa:16:3e:00:00:01", "host": "compute-1",
        "parent_id": "net-1-ports", "network_id": "net-1", "device_id": "vm-1", "network": ["net-1", "gone"],
        "mac_address": "fa:16:3e:00:00:01", "id_path": "/e/net-1/port-1", "fixed_ips": [{"subnet_id": "s"}]}
NAMES = {"compute-1": {"name": "compute-1", "type": "host"}, "net-1": {"name": "blue net", "type": "network"},
         "vm-1": {"name": "vm one", "type": "instance"}, "net-1-ports": {"name": "Ports", "type": "ports_folder"}}


def test_one_read_names_every_reference():
    screen = FakeScreen(NAMES)
    view = data_view(screen, None, {"name": "e", "counts": {}}, PORT)
    assert [c[0] for c in screen.calls] == ["/names"]
    assert sorted(screen.calls[0][1]["id"]) == sorted(["compute-1", "net-1-ports", "net-1", "vm-1", "gone"])
    assert view["named"]["net-1"] == {"name": "blue net", "type": "network"} and "gone" not in view["named"]
    # fields beyond the highlights that name objects are listed; mac addresses and paths are never looked up
    assert [f for f, _ in view["related"]] == ["network_id", "device_id"]


def test_the_page_keeps_its_ids_when_the_api_does_not_answer():
    view = data_view(FakeScreen(NAMES, down=True), None, {"name": "e", "counts": {}}, PORT)
    assert view["named"] == {} and view["related"] == []
    assert ("network", ["net-1", "gone"]) in view["highlights"]


def test_what_is_looked_up():
    refs = references({"id": "h", "host": "h", "name": "h", "type": "host", "parent_id": "zone", "status": "OK",
                       "name_path": "/a/b", "ports": ["p1", "", 3], "config": {"x": "y"}})
    assert refs == {"parent_id": ["zone"], "ports": ["p1"]}     # not itself, names, paths, statuses, dicts
