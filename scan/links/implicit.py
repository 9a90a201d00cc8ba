"""Implicit links (spec §4.5): A->B, B->C gives A->C, within clique constraints, pass by pass.

Run only when asked (`--implicit_links`), as in V2; bounded by a pass limit and computed
with an index by source, not the original's all-pairs scan."""

from __future__ import annotations

from scan.links.base import LinkIndex

MAX_PASSES = 10


def _agree(a: dict, b: dict, constraints: list[str]) -> bool:
    for c in constraints:
        if c in a and c in b and a[c] != b[c]:
            return False
    return True


class FindImplicitLinks:
    def __init__(self, constraints: list[str] | None = None):
        self.constraints = constraints or ["network"]

    def find(self, idx: LinkIndex) -> None:
        originals = [l for l in idx.links if not l.get("implicit")]
        by_source: dict[str, list[dict]] = {}
        for m in originals:
            by_source.setdefault(m["source_id"], []).append(m)
        existing = {(l["link_type"], l["source_id"], l["target_id"]) for l in idx.links}
        frontier = originals
        for _ in range(MAX_PASSES):
            new = []
            for l in frontier:
                for m in by_source.get(l["target_id"], []):
                    if m["link_type"] == l["link_type"] or m["target_id"] == l["source_id"]:
                        continue
                    la, ma = l.get("attributes") or {}, m.get("attributes") or {}
                    if not _agree(la, ma, self.constraints):
                        continue
                    ltype = f"{l['link_type'].split('-')[0]}-{m['link_type'].split('-')[1]}"
                    key = (ltype, l["source_id"], m["target_id"])
                    if key in existing:
                        continue
                    existing.add(key)
                    attrs = {c: la.get(c, ma.get(c)) for c in self.constraints if c in la or c in ma}
                    hosts = {h for h in (l.get("host"), m.get("host")) if h}
                    link = {**{k: v for k, v in l.items() if k not in ("_id",)},
                            "link_type": ltype, "link_name": "", "target": m["target"], "target_id": m["target_id"],
                            "state": "down" if "down" in (l.get("state"), m.get("state")) else "up",
                            "implicit": True, "attributes": attrs, "host": hosts.pop() if len(hosts) == 1 else None,
                            "source_label": "", "target_label": ""}
                    new.append(link)
            if not new:
                break
            idx.links.extend(new)
            frontier = new
