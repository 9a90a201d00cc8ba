"""A client of the original asks for one vEdge or OTEP and reads its tunnel ports where it always did
(`tunnel_ports`, `ports`), a page at a time, though the store keeps only the host's difference from
its mesh; lists of objects stay small."""

from __future__ import annotations

from app.inventory import Inventory
from app.paths import place
from app.tunnel_mesh import COLLECTION, Mesh, compact, port_name

N = 2500


def ip(k: int) -> str:
    return f"172.16.{k // 250}.{k % 250 + 2}"


def port(local: str, remote: str) -> dict:
    name = port_name("vxlan", remote)
    return {"name": name, "interface": name, "type": "vxlan",
            "options": {"df_default": "true", "egress_pkt_mark": "0", "in_key": "flow", "local_ip": local,
                        "out_key": "flow", "remote_ip": remote}}


def test_one_otep_serves_its_tunnel_ports_in_pages(api):
    env = "visible"
    mesh = Mesh("vxlan", [(ip(k), f"mesh-{k}") for k in range(N)])
    api.store[COLLECTION].insert_one(mesh.doc(env))
    ports = [port(ip(0), ip(k)) for k in range(1, N) if k != 7]     # the host lost its tunnel to mesh-7
    tunnels = compact(ports, mesh, ip(0), l2pop=False)
    host = api.data[env]["host"]
    hdoc = Inventory(api.store).get(env, host, "host")
    otep = place({"id": "mesh-0-otep", "type": "otep", "host": host, "ip_address": ip(0), "tunnels": tunnels,
                  "tunnels_missing": [{"remote_ip": ip(7), "host": "mesh-7"}]}, hdoc, env)
    Inventory(api.store).upsert([otep])
    r = api.get("/inventory", query=f"env_name={env}&id=mesh-0-otep")
    assert r.status_code == 200, r.text
    assert r.json["tunnel_ports_count"] == N - 2 and r.json["ports"] == ports[:1000]
    assert r.json["tunnels_missing"] == [{"remote_ip": ip(7), "host": "mesh-7"}]
    last = api.get("/inventory", query=f"env_name={env}&id=mesh-0-otep&tunnel_page=2&tunnel_page_size=1000").json
    assert last["ports"] == ports[2000:] and last["tunnel_page"] == 2
    listed = api.get("/inventory", query=f"env_name={env}&type=otep&projection=ports,tunnels").json["objects"]
    assert [o.get("ports") for o in listed] == [None]      # a list carries the small stored form only
    assert api.get("/inventory", query=f"env_name={env}&id=mesh-0-otep&tunnel_page_size=0").status_code == 400
    assert api.get("/inventory", user="mallory", query=f"env_name={env}&id=mesh-0-otep").status_code in (403, 404)
