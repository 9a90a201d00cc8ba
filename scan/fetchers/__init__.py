"""The fetcher registry: one table, name -> "module:Class", resolved lazily.

A new fetcher is one small module plus one line here. A name the hierarchy uses that is
not in this table fails at start-up with a "did you mean" hint, never mid-scan.
"""

from __future__ import annotations

from app.errors import CalipsoError
from app.registry import did_you_mean, load_object

FETCHERS: dict[str, str] = {
    # OpenStack REST
    "ApiFetchRegions": "scan.fetchers.api.regions:ApiFetchRegions",
    "ApiFetchProjects": "scan.fetchers.api.projects:ApiFetchProjects",
    "ApiFetchAvailabilityZones": "scan.fetchers.api.availability_zones:ApiFetchAvailabilityZones",
    "ApiFetchHosts": "scan.fetchers.api.hosts:ApiFetchHosts",
    "ApiFetchHostInstances": "scan.fetchers.api.instances:ApiFetchHostInstances",
    "ApiFetchNetworks": "scan.fetchers.api.networks:ApiFetchNetworks",
    "ApiFetchPorts": "scan.fetchers.api.ports:ApiFetchPorts",
    # MySQL
    "DbFetchAggregates": "scan.fetchers.db.aggregates:DbFetchAggregates",
    "DbFetchAggregateHosts": "scan.fetchers.db.aggregate_hosts:DbFetchAggregateHosts",
    "DbFetchHostNetworkAgents": "scan.fetchers.db.network_agents:DbFetchHostNetworkAgents",
    "DbFetchVedgesOvs": "scan.fetchers.db.vedges_ovs:DbFetchVedgesOvs",
    "DbFetchOteps": "scan.fetchers.db.oteps:DbFetchOteps",
    # SSH
    "CliFetchHostPnics": "scan.fetchers.cli.host_pnics:CliFetchHostPnics",
    "CliFetchBondHostPnics": "scan.fetchers.cli.bond_pnics:CliFetchBondHostPnics",
    "CliFetchHostVservices": "scan.fetchers.cli.vservices:CliFetchHostVservices",
    "CliFetchVserviceVnics": "scan.fetchers.cli.vservice_vnics:CliFetchVserviceVnics",
    "CliFetchInstanceVnics": "scan.fetchers.cli.instance_vnics:CliFetchInstanceVnics",
    "CliFetchInstanceVnicsVpp": "scan.fetchers.cli.instance_vnics_vpp:CliFetchInstanceVnicsVpp",
    "CliFetchVconnectorsOvs": "scan.fetchers.cli.vconnectors_ovs:CliFetchVconnectorsOvs",
    "CliFetchVconnectorsLxb": "scan.fetchers.cli.vconnectors_lxb:CliFetchVconnectorsLxb",
    "CliFetchVconnectorsVpp": "scan.fetchers.cli.vconnectors_vpp:CliFetchVconnectorsVpp",
    "CliFetchProviderBridgesOvs": "scan.fetchers.cli.provider_bridges_ovs:CliFetchProviderBridgesOvs",
    "CliFetchOtepsLxb": "scan.fetchers.cli.oteps_lxb:CliFetchOtepsLxb",
    "CliFetchVedgesVpp": "scan.fetchers.cli.vedges_vpp:CliFetchVedgesVpp",
    "CliFetchHostPnicsVpp": "scan.fetchers.cli.host_pnics_vpp:CliFetchHostPnicsVpp",
    "CliFetchVedgesSriov": "scan.fetchers.cli.vedges_sriov:CliFetchVedgesSriov",
    # Cisco ACI
    "AciFetchSwitchPnic": "scan.fetchers.aci.switch_pnics:AciFetchSwitchPnic",
    "AciFetchLeafToSpinePnics": "scan.fetchers.aci.leaf_spine:AciFetchLeafToSpinePnics",
}


class UnknownFetcher(CalipsoError):
    pass


hint = did_you_mean


def resolve(name: str, table: dict[str, str] | None = None):
    """The fetcher instance registered under `name`."""
    table = FETCHERS if table is None else table
    if name not in table:
        raise UnknownFetcher(f"unknown fetcher {name!r}{hint(name, table)}")
    try:
        return load_object(table[name])()
    except (ImportError, AttributeError) as e:
        raise UnknownFetcher(f"fetcher {name!r} is registered as {table[name]!r}, which cannot be loaded: {e}") from None
