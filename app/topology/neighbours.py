"""The ways a packet can leave a batch of states, read from the store for the path search (app.topology.path).

A state is (inventory id, network the packet is in); app.topology.datapath decides which links it
may take. Links are read by their ends' indexed keys (`_env_source_id`, `_env_target_id`), both
directions; OTEP-to-OTEP tunnels are derived edges (app.topology.tunnels), never stored links.
Containment steps join an end that has no links of its own (a host, a port) to the host or
network holding it, and a host to what it holds; the search makes them dear, so links come first.
An instance, vNIC or vService end has links or no path: it never reaches the datapath through its host.
"""

from __future__ import annotations

from app.keyenc import decode
from app.store.keys import as_object_id, k
from app.store.store import Store
from app.topology import datapath
from app.topology.ends import resolve
from app.topology.datapath import UNCOMMITTED, UNDERLAY, enter
from app.topology.path import CONTAINMENT, Step, describe, shortest, weight
from app.topology.tunnels import TUNNEL_TYPES, TunnelMesh, edge_link, network_kind, segment

BATCH = 1000
# One query per key up to this many keys, one `$in` beyond: the embedded store answers an equality on
# an indexed field from the index (a few ms) but scans the collection for `$in` (seconds at 34k links
# on a loaded machine); on MongoDB both are indexed, and past this size one `$in` is cheaper anyway.
PER_KEY = 400
HOLDERS = frozenset({"host", "network", "switch"})   # a containment step may lead up to these
OPENS = frozenset({"host", "switch"})                # ...and down from these (not networks: ports)
HOLDER_SUFFIXES = tuple(f" in {t}" for t in OPENS) + ("bound to host",)   # steps up to a holder open it
LINKS_ONLY = frozenset({"instance", "vnic", "vservice"})   # ends that reach the datapath by links only
FIELDS = {"_id": 1, "id": 1, "type": 1, "parent_id": 1, "host": 1, "binding:host_id": 1, "stale_since": 1}
LINK_FIELDS = {"_id": 1, "source": 1, "target": 1, "source_id": 1, "target_id": 1, "link_type": 1, "link_name": 1,
               "host": 1, "state": 1, "status": 1, "status_value": 1, "implicit": 1, "stale_since": 1,
               "attributes": 1}
NET_FIELDS = {"_id": 1, "id": 1, "type": 1, "name": 1, "object_name": 1, "provider:network_type": 1,
              "provider:segmentation_id": 1, "provider:physical_network": 1, "router:external": 1}
MAX_RETRIES = 4   # searches again without a tunnel found one-way (its far end has none back)


def _folder(doc: dict) -> bool:
    return str(doc.get("type") or "").endswith("_folder")


class StoreNeighbours:
    """Callable for app.topology.path.shortest over one environment's links, tunnels and inventory."""

    def __init__(self, store: Store, env: str, ends: tuple = ()):
        self.env = env
        self.ends = {d["id"]: d for d in ends}
        # containment is looked up for the ends that have no links and for what a containment step reached
        self.open = {i for i, d in self.ends.items() if d.get("type") not in LINKS_ONLY}
        self.links = store["links"]
        self.inventory = store["inventory"]
        self.mesh = TunnelMesh(store, env)
        self.nets: dict[str, dict | None] = {}
        self.vservices: dict[str, dict | None] = {}
        self.excluded: set[tuple[str, str]] = set()   # tunnels found one-way only
        self.broken: dict[str, None] = {}               # why tunnels could not be taken, in order
        self.dead_ends: set[str] = set()                # ends with no way out at all
        self._links: dict[str, list[dict]] = {}
        self.queries = 0

    def _find(self, coll, query: dict, fields: dict | None) -> list[dict]:
        self.queries += 1
        docs = list(coll.find(query, fields))
        for d in docs:
            for f in ("_id", "source", "target"):
                if f in d:
                    d[f] = as_object_id(d[f])
        return docs

    def _lookup(self, coll, field: str, values: list, fields: dict | None) -> list[dict]:
        values = list(dict.fromkeys(values))
        if len(values) <= PER_KEY:
            return [d for v in values for d in self._find(coll, {field: v}, fields)]
        out: list[dict] = []
        for start in range(0, len(values), BATCH):
            out += self._find(coll, {field: {"$in": values[start:start + BATCH]}}, fields)
        return out

    def _by(self, field: str, values: list, fields: dict | None = FIELDS) -> list[dict]:
        return self._lookup(self.inventory, field, values, fields)

    def _read_links(self, oids: list[str]) -> None:
        todo = [o for o in dict.fromkeys(oids) if o not in self._links]
        if not todo:
            return
        keys = [k(self.env, i) for i in todo]
        found = self._lookup(self.links, "_env_source_id", keys, LINK_FIELDS)
        found += self._lookup(self.links, "_env_target_id", keys, LINK_FIELDS)
        for o in todo:
            self._links[o] = []
        seen: set = set()
        for l in found:
            if l.get("implicit") or l.get("stale_since") or l["_id"] in seen or l["source_id"] == l["target_id"]:
                continue
            seen.add(l["_id"])
            for end in ("source_id", "target_id"):
                if l[end] in self._links:
                    self._links[l[end]].append(l)

    def links_of(self, oid: str) -> list[dict]:
        """The links read for an object (none when the search never reached it)."""
        return self._links.get(oid, [])

    def networks(self, ids) -> dict:
        """Networks by id (read once each)."""
        todo = [i for i in dict.fromkeys(ids) if i and i != UNDERLAY and i not in self.nets]
        if todo:
            for i in todo:
                self.nets[i] = None
            for d in self._by("_env_id", [k(self.env, i) for i in todo], NET_FIELDS):
                if d.get("type") == "network":
                    self.nets[d["id"]] = d
        return {i: d for i, d in self.nets.items() if d is not None}

    def _read_vservices(self, ids) -> None:
        todo = [i for i in dict.fromkeys(ids) if i not in self.vservices]
        for i in todo:
            self.vservices[i] = None
        for d in self._by("_env_id", [k(self.env, i) for i in todo], {**FIELDS, "service_type": 1}) if todo else []:
            self.vservices[d["id"]] = d

    def __call__(self, batch: list) -> dict:
        """Steps out of each state (object id, network) of `batch`."""
        self._read_links([st[0] for st in batch])
        there = {l["target_id"] if l["source_id"] == oid else l["source_id"] for oid, *_ in batch
                 for l in self._links[oid]
                 if datapath.ends_of(l.get("link_type") or "", l["source_id"] == oid)[1] == "vservice"}
        self._read_vservices(there)
        self.networks([st[1] for st in batch] + [datapath.carried(l) for oid, *_ in batch for l in self._links[oid]]
                      + [l[e] for oid, *_ in batch for l in self._links[oid] for e in ("source_id", "target_id")
                         if l.get("link_type", "").endswith("-network")])
        nets = {i: d for i, d in self.nets.items() if d is not None}
        is_end = self.ends.__contains__
        steps: dict = {}
        for state in batch:
            oid, ctx = state[0], state[1]
            out = steps.setdefault(state, [])
            tag = state[2:]   # ("tunnel",): in from a tunnel, the packet never goes back into one
            for l in self._links[oid]:
                forward = l["source_id"] == oid
                other = l["target_id"] if forward else l["source_id"]
                lt = l.get("link_type") or ""
                there_type = datapath.ends_of(lt, forward)[1]
                if tag and there_type == "otep":
                    continue
                new = enter(ctx, l, forward, self.vservices.get(other), nets, is_end)
                if new is not None:
                    keep = () if there_type in ("vservice", "instance") else tag
                    out.append(Step((other, new, *keep), weight(lt), "link", lt, l, forward))
            otep = self.mesh.otep(oid)
            if otep is not None and not tag:
                out += self.tunnel_steps(otep, ctx, nets)
        opened = [oid for oid, *_ in batch if oid in self.open and not (oid in self.ends and self._links[oid])]
        if opened:
            found = self.containment(opened)
            for state in batch:
                for step in found.get(state[0], ()):
                    steps[state].append(Step((step.other, state[1]), step.cost, step.kind, step.link_type))
                    if step.link_type.endswith(HOLDER_SUFFIXES):
                        self.open.add(step.other)
        self.dead_ends.update(st[0] for st, s in steps.items() if st[0] in self.ends and not s)
        return steps

    def tunnel_steps(self, otep: dict, ctx: str, nets: dict) -> list[Step]:
        """Across the tunnels this OTEP really has, staying in the network (any, from an end not in one)."""
        net = nets.get(ctx)
        if ctx == UNDERLAY or (ctx and network_kind(net) not in TUNNEL_TYPES):
            return []
        edges = self.mesh.edges(otep, net)
        if net is not None:
            for far in self.mesh.missing(otep, net):
                self.broken[f"{_name(otep)} has no tunnel to {_name(far)} ({far.get('ip_address')}) on "
                            f"{far.get('host')}, where {_name(net)} ({segment(net)}) is"] = None
        useful = self.useful_hosts(ctx)
        out = []
        for e in edges:
            if (otep["id"], e.target["id"]) in self.excluded:
                continue
            if useful is not None and e.target.get("host") not in useful:
                continue   # out of the tunnel there, the packet can only reach that host's own ports: no end
            out.append(Step((e.target["id"], ctx, "tunnel"), weight("otep-otep"), "tunnel", "otep-otep",
                            edge_link(e, [ctx] if ctx else None), True))
        return out

    def useful_hosts(self, ctx: str) -> set[str] | None:
        """Where a tunnel may usefully lead: the ends' hosts and, in a network, the hosts of its routers (out of
        a tunnel a packet stays on that host until a vNIC or a router takes it). None: every host (an end
        without a host, a network or a switch, may be reached anywhere)."""
        hosts = {d.get("host") for d in self.ends.values()}
        if None in hosts or "" in hosts:
            return None
        routers = self.mesh.router_hosts()
        return hosts | routers.get("*", set()) | (routers.get(ctx, set()) if ctx else
                                                  {h for hs in routers.values() for h in hs})

    def one_way(self, chain: list) -> list[tuple[dict, dict]]:
        """Tunnels of the chain that only one of their OTEPs holds (a packet goes, its answer cannot):
        (the OTEP holding it, the one without a tunnel back). The search found each from one side."""
        bad = []
        for _, step in chain[1:]:
            if step.kind != "tunnel":
                continue
            a, b = self.mesh.otep(step.link["source_id"]), self.mesh.otep(step.link["target_id"])
            if a is None or b is None:
                continue
            if not self.mesh.has_tunnel(b, a.get("ip_address")):
                bad.append((a, b))
            elif not self.mesh.has_tunnel(a, b.get("ip_address")):
                bad.append((b, a))
        return bad

    def containment(self, ids: list) -> dict:
        """Containment steps of the objects that have them: up to their holder, down from a holder."""
        docs = self._by("_env_id", [k(self.env, i) for i in ids])
        out: dict = {}
        up = [d for d in docs if d.get("parent_id") and d.get("type") not in ("region", "environment")]
        parents = {d["id"]: d for d in self._by("_env_id", [k(self.env, p) for p in {d["parent_id"] for d in up}])}
        grand = {d["id"]: d for d in self._by("_env_id", [k(self.env, p["parent_id"]) for p in parents.values()
                                                            if _folder(p) and p.get("parent_id")])}
        for d in up:
            holder = parents.get(d["parent_id"])
            if holder is not None and _folder(holder):
                holder = grand.get(holder.get("parent_id"))
            if holder is not None and holder.get("type") in HOLDERS:
                out.setdefault(d["id"], []).append(
                    Step(holder["id"], CONTAINMENT, "containment", f"{d.get('type')} in {holder['type']}"))
        bound = [d for d in docs if d.get("type") == "port" and d.get("binding:host_id")]
        if bound:
            hosts = {h["id"]: h for h in self._by("_env_id", [k(self.env, d["binding:host_id"]) for d in bound])
                     if h.get("type") == "host"}
            for d in bound:
                h = hosts.get(d["binding:host_id"])
                if h is not None:
                    out.setdefault(d["id"], []).append(Step(h["id"], CONTAINMENT, "containment", "port bound to host"))
        opens = {d["id"]: d for d in docs if d.get("type") in OPENS}
        if opens:
            children = self._by("_env_parent", [k(self.env, i) for i in opens])
            folders = [c for c in children if _folder(c)]
            children += self._by("_env_parent", [k(self.env, f["id"]) for f in folders]) if folders else []
            folder_parent = {f["id"]: f["parent_id"] for f in folders}
            for c in children:
                if _folder(c) or c.get("type") in LINKS_ONLY:
                    continue
                holder = opens.get(c.get("parent_id")) or opens.get(folder_parent.get(c.get("parent_id")))
                if holder is not None:
                    out.setdefault(holder["id"], []).append(
                        Step(c["id"], CONTAINMENT, "containment", f"{holder['type']} holds {c.get('type')}"))
        return out


def _name(doc: dict | None) -> str:
    doc = doc or {}
    return str(doc.get("object_name") or doc.get("name") or doc.get("id"))


def path_between(store: Store, env: str, source_id: str, target_id: str) -> dict:
    """The described path (app.topology.path.describe) between two objects named by inventory id or unique name."""
    ends = [decode(resolve(store, env, which, text)) for which, text in (("source", source_id), ("target", target_id))]
    search = StoreNeighbours(store, env, tuple(ends))
    for _ in range(MAX_RETRIES):
        result = shortest((ends[0]["id"], UNCOMMITTED), (ends[1]["id"], UNCOMMITTED), search)
        bad = search.one_way(result["chain"]) if result["found"] else []
        for a, b in bad:
            search.excluded |= {(a["id"], b["id"]), (b["id"], a["id"])}
            search.broken[f"{_name(a)} has a tunnel to {_name(b)} on {b.get('host')}, but {_name(b)} has none back "
                          f"to {a.get('ip_address')}"] = None
        if not bad:
            break
    ids = {n[0] for n, _ in result["chain"]} | {n for s in result["stops"] or [] for n in s["farthest"]}
    found = search._lookup(search.inventory, "_env_id", [k(env, i) for i in ids], None) if ids else []
    docs = {d["id"]: decode(d) for d in found}
    chain_nets = [n[1] for n, _ in result["chain"]] + [i for s in result["stops"] or [] for i in s.get("networks", [])]
    out = describe(result, docs, ends[0], ends[1], search.networks(chain_nets))
    out["environment"] = env
    out["queries"] = search.queries + search.mesh.queries
    if not result["found"]:
        out["reasons"] = no_path_reasons(out, search)
        out["reason"] = "; ".join(out["reasons"])
    elif search.broken:
        out["notes"] = _capped(list(search.broken))
    return out


def no_path_reasons(out: dict, search: StoreNeighbours) -> list[str]:
    """Why the two ends never meet, in words: an end off the datapath, networks no router joins, tunnels missing."""
    reasons = []
    for end, stop in zip((out["source"], out["target"]), out["stops"]):
        own = [l for l in search.links_of(end["object_id"]) if l.get("link_type") == "instance-vnic"]
        if end["type"] == "instance" and own and stop["exhausted"] and stop["reached"] <= 1 + len(own):
            reasons.append(f"instance {end['name']} has no vNIC on the datapath (a stopped server's vNICs are "
                           "not on its host)")
        elif end["object_id"] in search.dead_ends:
            extra = " (a stopped server's vNICs are not on the host)" if end["type"] == "instance" else ""
            reasons.append(f"{end['type']} {end['name']} has no link to the datapath{extra}")
    sides = [{n["network_id"]: n for n in s.get("networks", [])} for s in out["stops"]]
    if not reasons and all(sides) and not set(sides[0]) & set(sides[1]) and any(s["exhausted"] for s in out["stops"]):
        words = [", ".join(f"{n['network']} ({n['segment']})" for n in s.values()) for s in sides]
        joined = "" if search.broken else ": no router has interfaces on networks of both"
        reasons.append(f"{out['source']['name']} reaches only {words[0]} and {out['target']['name']} only "
                       f"{words[1]}{joined}")
    reasons += _capped(list(search.broken))
    return reasons or ["the two sides never meet"]


def _capped(lines: list[str], most: int = 10) -> list[str]:
    return lines if len(lines) <= most else lines[:most] + [f"and {len(lines) - most} more missing tunnels"]
