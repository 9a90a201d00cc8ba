"""The allowed values validation checks against: constants lists and supported_environments."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.releases import release_in
from app.store.seed import load_seed


@dataclass
class Catalog:
    constants: dict[str, list[str]]
    supported: list[dict] = field(default_factory=list)

    @classmethod
    def from_docs(cls, constants: list[dict], supported: list[dict]) -> "Catalog":
        lists = {c["name"]: [str(d["value"]) for d in c.get("data", [])] for c in constants}
        return cls(lists, [dict(s) for s in supported])

    @classmethod
    def from_seed(cls) -> "Catalog":
        return cls.from_docs(load_seed("constants"), load_seed("supported_environments"))

    @classmethod
    def from_store(cls, store) -> "Catalog":
        constants = list(store["constants"].find({}, {"_id": 0}))
        supported = list(store["supported_environments"].find({}, {"_id": 0}))
        if not constants:
            return cls.from_seed()
        known = {c["name"] for c in constants}   # a store seeded by an older version lacks newer lists
        return cls.from_docs(constants + [c for c in load_seed("constants") if c["name"] not in known], supported)

    def values(self, name: str) -> list[str]:
        return self.constants.get(name, [])

    def supports(self, env: dict, feature: str) -> tuple[bool, str]:
        """Whether every mechanism driver of this variant supports `feature`, and if not, which fails.

        The original looked at the first mechanism driver only; a multi-driver environment
        is supported only when each of its drivers is.
        """
        dist = env.get("distribution")
        version = env.get("distribution_version")
        if isinstance(version, list):
            version = version[0] if version else None
        type_driver = env.get("type_drivers")
        for driver in env.get("mechanism_drivers") or []:
            if not any(_matches(doc.get("environment", {}), dist, version, driver, type_driver)
                       and doc.get("features", {}).get(feature) is True for doc in self.supported):
                return False, driver
        return True, ""


def _as_list(v) -> list:
    return v if isinstance(v, list) else [v]


def _matches(e: dict, dist, version, driver, type_driver) -> bool:
    return (str(e.get("distribution") or "").lower() == str(dist or "").lower()
            and release_in(version, _as_list(e.get("distribution_version")))
            and driver in _as_list(e.get("mechanism_drivers")) and type_driver in _as_list(e.get("type_drivers")))
