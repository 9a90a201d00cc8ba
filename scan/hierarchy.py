"""The object hierarchy as a table (spec §3.1): scanner -> entries (type, fetcher, children).

Differences from the original's scanners.json, on purpose (spec §9.1):
* availability zones and hosts are fetched once per region (not per project, and hosts
  no longer depend on the admin project being visible);
* the vServices folder no longer rescans instances;
* ordering dependencies are declared (`after`) instead of implied by file order;
* VPP OTEPs hang under their vEdge, where the OTEP fetcher can find them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.errors import CalipsoError
from scan.conditions import KNOWN_KEYS
from scan.fetchers import FETCHERS, hint, resolve
from scan.fetchers.folder import FolderFetcher

OVS, LXB, VPP = "OVS", "LXB", "VPP"
TUNNELS = ("vxlan", "gre", "geneve")


@dataclass(frozen=True)
class Folder:
    types_name: str
    text: str


@dataclass(frozen=True)
class Entry:
    type: str
    fetcher: str | Folder
    children: str | None = None
    when: dict = field(default_factory=dict)
    after: tuple[str, ...] = ()   # entry types of the same scanner whose objects must be found first

    @property
    def fetcher_name(self) -> str:
        return self.fetcher if isinstance(self.fetcher, str) else f"Folder({self.fetcher.types_name})"


def F(types_name: str, text: str, children: str | None = None, type_: str | None = None, **kw) -> Entry:
    return Entry(type_ or f"{types_name}_folder", Folder(types_name, text), children, **kw)


SCANNERS: dict[str, tuple[Entry, ...]] = {
    "ScanEnvironment": (
        F("regions", "Regions", "ScanRegionsRoot"),
        F("projects", "Projects", "ScanProjectsRoot"),
    ),
    "ScanRegionsRoot": (Entry("region", "ApiFetchRegions", "ScanRegion"),),
    "ScanProjectsRoot": (Entry("project", "ApiFetchProjects"),),
    "ScanRegion": (
        F("aggregates", "Aggregates", "ScanAggregatesRoot"),
        Entry("availability_zone", "ApiFetchAvailabilityZones"),
        Entry("host", "ApiFetchHosts", "ScanHost", after=("availability_zone",)),
        Entry("network", "ApiFetchNetworks", "ScanNetwork"),
        Entry("port", "ApiFetchPorts", after=("network",)),
    ),
    "ScanAggregatesRoot": (Entry("aggregate", "DbFetchAggregates", "ScanAggregate"),),
    "ScanAggregate": (Entry("host_ref", "DbFetchAggregateHosts"),),
    "ScanNetwork": (
        F("ports", "Ports"),
        F("network_services", "Network vServices"),
    ),
    "ScanHost": (
        F("vservices", "vServices"),
        Entry("vservice", "CliFetchHostVservices"),
        Entry("vnic", "CliFetchVserviceVnics", after=("vservice",)),
        F("instances", "Instances", "ScanInstancesRoot"),
        F("host_pnics", "host_pNICs", "ScanPnicsRoot", type_="pnics_folder", when={"mechanism_drivers": [OVS, LXB]}),
        F("vconnectors", "vConnectors", "ScanVconnectorsRoot"),
        F("vedges", "vEdges", "ScanVedgesRoot"),
        F("network_agents", "Network agents", "ScanNetworkAgentsRoot"),
    ),
    "ScanInstancesRoot": (Entry("instance", "ApiFetchHostInstances", "ScanInstance"),),
    "ScanInstance": (F("vnics", "vNICs", "ScanVnicsRoot"),),
    "ScanVnicsRoot": (
        Entry("vnic", "CliFetchInstanceVnics", when={"mechanism_drivers": [OVS, LXB]}),
        Entry("vnic", "CliFetchInstanceVnicsVpp", when={"mechanism_drivers": [VPP]}),
    ),
    "ScanPnicsRoot": (
        Entry("host_pnic", "CliFetchHostPnics", "ScanHostPnic"),
        Entry("host_pnic", "CliFetchBondHostPnics", "ScanHostPnic", after=("host_pnic",)),
    ),
    "ScanHostPnic": (Entry("switch_pnic", "AciFetchSwitchPnic", "ScanSpines", when={"aci_enabled": True}),),
    "ScanSpines": (Entry("switch_pnic", "AciFetchLeafToSpinePnics", when={"aci_enabled": True}),),
    "ScanVconnectorsRoot": (
        Entry("vconnector", "CliFetchVconnectorsOvs", when={"mechanism_drivers": [OVS]}),
        Entry("vconnector", "CliFetchVconnectorsLxb", "ScanLxbOteps", when={"mechanism_drivers": [LXB]}),
        Entry("vconnector", "CliFetchVconnectorsVpp", when={"mechanism_drivers": [VPP]}),
    ),
    "ScanLxbOteps": (Entry("otep", "CliFetchOtepsLxb"),),   # from the bridge's own vxlan-<vni> devices
    "ScanVedgesRoot": (
        Entry("vedge", "DbFetchVedgesOvs", "ScanOteps", when={"mechanism_drivers": [OVS]}),
        Entry("vedge", "CliFetchVedgesVpp", "ScanVppVedge", when={"mechanism_drivers": [VPP]}),
        Entry("vedge", "CliFetchVedgesSriov"),   # hosts with NIC Switch agents, whatever the main driver
    ),
    "ScanOteps": (
        Entry("otep", "DbFetchOteps"),   # when the agent tunnels (mixed clouds: whatever type_drivers says)
        Entry("provider_bridge", "CliFetchProviderBridgesOvs"),
    ),
    "ScanVppVedge": (
        F("host_pnics", "VPP-pNICs", "ScanVppPnicsRoot", type_="pnics_folder"),
        Entry("otep", "DbFetchOteps", when={"type_drivers": list(TUNNELS)}),
    ),
    "ScanVppPnicsRoot": (Entry("host_pnic", "CliFetchHostPnicsVpp", "ScanHostPnic"),),
    "ScanNetworkAgentsRoot": (Entry("network_agent", "DbFetchHostNetworkAgents"),),
}

ROOT = "ScanEnvironment"

OBJECT_TYPES = {
    "region", "project", "availability_zone", "aggregate", "host_ref", "host", "network", "port", "vservice",
    "vnic", "instance", "host_pnic", "switch", "switch_pnic", "vconnector", "vedge", "otep", "network_agent",
    "provider_bridge",
}


class HierarchyError(CalipsoError):
    pass


@dataclass
class Hierarchy:
    scanners: dict[str, tuple[Entry, ...]]
    fetchers: dict[str, object]

    def fetcher(self, entry: Entry):
        if isinstance(entry.fetcher, Folder):
            return FolderFetcher(entry.fetcher.types_name, entry.fetcher.text)
        return self.fetchers[entry.fetcher]

    def scanners_with(self, obj_type: str) -> list[str]:
        return [name for name, entries in self.scanners.items() if any(e.type == obj_type for e in entries)]

    def scanner_for(self, parent_type: str, child_type: str) -> list[str]:
        """Scanners that fetch `child_type` under a parent of `parent_type` (for one-object rescans)."""
        names = []
        for name, entries in self.scanners.items():
            for e in entries:
                if e.type == parent_type and e.children and any(c.type == child_type for c in self.scanners[e.children]):
                    names.append(e.children)
        if parent_type == "environment" and any(e.type == child_type for e in self.scanners[ROOT]):
            names.append(ROOT)
        return sorted(set(names))


def load(scanners: dict[str, tuple[Entry, ...]] | None = None, fetchers: dict[str, str] | None = None) -> Hierarchy:
    """Validate the table and resolve every fetcher: all problems reported together, at start-up."""
    scanners = SCANNERS if scanners is None else scanners
    table = FETCHERS if fetchers is None else fetchers
    problems: list[str] = []
    resolved: dict[str, object] = {}
    if ROOT not in scanners:
        problems.append(f"no root scanner {ROOT!r}")
    for name, entries in scanners.items():
        types = [e.type for e in entries]
        for i, e in enumerate(entries):
            where = f"{name}[{i}] ({e.type})"
            if not (e.type in OBJECT_TYPES or e.type.endswith("_folder")):
                problems.append(f"{where}: unknown object type {e.type!r}{hint(e.type, OBJECT_TYPES)}")
            if isinstance(e.fetcher, str) and e.fetcher not in resolved:
                try:
                    resolved[e.fetcher] = resolve(e.fetcher, table)
                except CalipsoError as err:
                    problems.append(f"{where}: {err}")
            if e.children and e.children not in scanners:
                problems.append(f"{where}: unknown children scanner {e.children!r}{hint(e.children, scanners)}")
            for key in e.when:
                if key not in KNOWN_KEYS:
                    problems.append(f"{where}: unknown condition key {key!r}{hint(key, KNOWN_KEYS)}")
            for dep in e.after:
                if dep not in types[:i]:
                    problems.append(f"{where}: 'after' names {dep!r}, which is not an earlier entry of {name}")
    if problems:
        raise HierarchyError("scanner hierarchy is invalid: " + "; ".join(problems))
    return Hierarchy(dict(scanners), resolved)
