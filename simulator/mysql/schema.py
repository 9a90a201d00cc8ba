"""The nova, neutron and keystone tables of vim-contract §3, with the columns of the recorded Zed schemas.

`ddl(style, names)` gives CREATE TABLE statements valid for both SQLite (the embedded server) and MariaDB
(`--mysql-url`). Where the releases differ: the "old" style names the owner column `tenant_id` in neutron
tables and keeps aggregates in `nova`; "current" (Zed) has `project_id`, keeps the legacy `nova.aggregates`
tables empty and fills `nova_api.aggregates` instead.
"""

from __future__ import annotations

from dataclasses import dataclass

#: (schema, table) -> columns "name TYPE" in the recorded Zed order; primary key first in KEYS
TABLES: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("keystone", "project"): [
        ("id", "VARCHAR(64)"), ("name", "VARCHAR(64)"), ("extra", "TEXT"), ("description", "TEXT"),
        ("enabled", "TINYINT(1)"), ("domain_id", "VARCHAR(64)"), ("parent_id", "VARCHAR(64)"),
        ("is_domain", "TINYINT(1)"),
    ],
    ("neutron", "agents"): [
        ("id", "VARCHAR(36)"), ("agent_type", "VARCHAR(255)"), ("binary", "VARCHAR(255)"),
        ("topic", "VARCHAR(255)"), ("host", "VARCHAR(255)"), ("admin_state_up", "TINYINT(1)"),
        ("created_at", "DATETIME"), ("started_at", "DATETIME"), ("heartbeat_timestamp", "DATETIME"),
        ("description", "VARCHAR(255)"), ("configurations", "VARCHAR(4095)"), ("load", "INT"),
        ("availability_zone", "VARCHAR(255)"), ("resource_versions", "VARCHAR(8191)"),
        ("resources_synced", "TINYINT(1)"),
    ],
    ("neutron", "ml2_geneve_endpoints"): [
        ("ip_address", "VARCHAR(64)"), ("host", "VARCHAR(255)"),
    ],
    ("neutron", "ml2_gre_endpoints"): [
        ("ip_address", "VARCHAR(64)"), ("host", "VARCHAR(255)"),
    ],
    ("neutron", "ml2_port_bindings"): [
        ("port_id", "VARCHAR(36)"), ("host", "VARCHAR(255)"), ("vif_type", "VARCHAR(64)"),
        ("vnic_type", "VARCHAR(64)"), ("profile", "VARCHAR(4095)"), ("vif_details", "VARCHAR(4095)"),
        ("status", "VARCHAR(16)"),
    ],
    ("neutron", "ml2_vxlan_endpoints"): [
        ("ip_address", "VARCHAR(64)"), ("udp_port", "INT"), ("host", "VARCHAR(255)"),
    ],
    ("neutron", "networks"): [
        ("project_id", "VARCHAR(255)"), ("id", "VARCHAR(36)"), ("name", "VARCHAR(255)"), ("status", "VARCHAR(16)"),
        ("admin_state_up", "TINYINT(1)"), ("vlan_transparent", "TINYINT(1)"), ("standard_attr_id", "BIGINT"),
        ("availability_zone_hints", "VARCHAR(255)"), ("mtu", "INT"),
    ],
    ("neutron", "networksegments"): [
        ("id", "VARCHAR(36)"), ("network_id", "VARCHAR(36)"), ("network_type", "VARCHAR(32)"),
        ("physical_network", "VARCHAR(64)"), ("segmentation_id", "INT"), ("is_dynamic", "TINYINT(1)"),
        ("segment_index", "INT"), ("standard_attr_id", "BIGINT"), ("name", "VARCHAR(255)"),
    ],
    ("neutron", "ports"): [
        ("project_id", "VARCHAR(255)"), ("id", "VARCHAR(36)"), ("name", "VARCHAR(255)"),
        ("network_id", "VARCHAR(36)"), ("mac_address", "VARCHAR(32)"), ("admin_state_up", "TINYINT(1)"),
        ("status", "VARCHAR(16)"), ("device_id", "VARCHAR(255)"), ("device_owner", "VARCHAR(255)"),
        ("standard_attr_id", "BIGINT"), ("ip_allocation", "VARCHAR(16)"),
    ],
    ("neutron", "routerports"): [
        ("router_id", "VARCHAR(36)"), ("port_id", "VARCHAR(36)"), ("port_type", "VARCHAR(255)"),
    ],
    ("neutron", "routers"): [
        ("project_id", "VARCHAR(255)"), ("id", "VARCHAR(36)"), ("name", "VARCHAR(255)"), ("status", "VARCHAR(16)"),
        ("admin_state_up", "TINYINT(1)"), ("gw_port_id", "VARCHAR(36)"), ("enable_snat", "TINYINT(1)"),
        ("standard_attr_id", "BIGINT"), ("flavor_id", "VARCHAR(36)"),
    ],
    ("neutron", "standardattributes"): [
        ("id", "BIGINT"), ("resource_type", "VARCHAR(255)"), ("created_at", "DATETIME"), ("updated_at", "DATETIME"),
        ("description", "VARCHAR(255)"), ("revision_number", "BIGINT"),
    ],
    ("neutron", "subnets"): [
        ("project_id", "VARCHAR(255)"), ("id", "VARCHAR(36)"), ("name", "VARCHAR(255)"),
        ("network_id", "VARCHAR(36)"), ("ip_version", "INT"), ("cidr", "VARCHAR(64)"),
        ("gateway_ip", "VARCHAR(64)"), ("enable_dhcp", "TINYINT(1)"), ("ipv6_ra_mode", "VARCHAR(16)"),
        ("ipv6_address_mode", "VARCHAR(16)"), ("subnetpool_id", "VARCHAR(36)"), ("standard_attr_id", "BIGINT"),
        ("segment_id", "VARCHAR(36)"), ("in_use", "TINYINT(1)"),
    ],
    ("nova", "aggregate_hosts"): [
        ("created_at", "DATETIME"), ("updated_at", "DATETIME"), ("deleted_at", "DATETIME"), ("id", "INT"),
        ("host", "VARCHAR(255)"), ("aggregate_id", "INT"), ("deleted", "INT"),
    ],
    ("nova", "aggregates"): [
        ("created_at", "DATETIME"), ("updated_at", "DATETIME"), ("deleted_at", "DATETIME"), ("id", "INT"),
        ("name", "VARCHAR(255)"), ("deleted", "INT"), ("uuid", "VARCHAR(36)"),
    ],
    ("nova", "compute_nodes"): [
        ("created_at", "DATETIME"), ("updated_at", "DATETIME"), ("deleted_at", "DATETIME"), ("id", "INT"),
        ("service_id", "INT"), ("vcpus", "INT"), ("memory_mb", "INT"), ("local_gb", "INT"), ("vcpus_used", "INT"),
        ("memory_mb_used", "INT"), ("local_gb_used", "INT"), ("hypervisor_type", "MEDIUMTEXT"),
        ("hypervisor_version", "INT"), ("cpu_info", "MEDIUMTEXT"), ("disk_available_least", "INT"),
        ("free_ram_mb", "INT"), ("free_disk_gb", "INT"), ("current_workload", "INT"), ("running_vms", "INT"),
        ("hypervisor_hostname", "VARCHAR(255)"), ("deleted", "INT"), ("host_ip", "VARCHAR(39)"),
        ("supported_instances", "TEXT"), ("pci_stats", "TEXT"), ("metrics", "TEXT"), ("extra_resources", "TEXT"),
        ("stats", "TEXT"), ("numa_topology", "TEXT"), ("host", "VARCHAR(255)"), ("ram_allocation_ratio", "FLOAT"),
        ("cpu_allocation_ratio", "FLOAT"), ("uuid", "VARCHAR(36)"), ("disk_allocation_ratio", "FLOAT"),
        ("mapped", "INT"),
    ],
    ("nova", "instance_info_caches"): [
        ("created_at", "DATETIME"), ("updated_at", "DATETIME"), ("deleted_at", "DATETIME"), ("id", "INT"),
        ("network_info", "MEDIUMTEXT"), ("instance_uuid", "VARCHAR(36)"), ("deleted", "INT"),
    ],
    ("nova", "instances"): [
        ("created_at", "DATETIME"), ("updated_at", "DATETIME"), ("deleted_at", "DATETIME"), ("id", "INT"),
        ("internal_id", "INT"), ("user_id", "VARCHAR(255)"), ("project_id", "VARCHAR(255)"),
        ("image_ref", "VARCHAR(255)"), ("kernel_id", "VARCHAR(255)"), ("ramdisk_id", "VARCHAR(255)"),
        ("launch_index", "INT"), ("key_name", "VARCHAR(255)"), ("key_data", "MEDIUMTEXT"), ("power_state", "INT"),
        ("vm_state", "VARCHAR(255)"), ("memory_mb", "INT"), ("vcpus", "INT"), ("hostname", "VARCHAR(255)"),
        ("host", "VARCHAR(255)"), ("user_data", "MEDIUMTEXT"), ("reservation_id", "VARCHAR(255)"),
        ("launched_at", "DATETIME"), ("terminated_at", "DATETIME"), ("display_name", "VARCHAR(255)"),
        ("display_description", "VARCHAR(255)"), ("availability_zone", "VARCHAR(255)"), ("locked", "TINYINT(1)"),
        ("os_type", "VARCHAR(255)"), ("launched_on", "MEDIUMTEXT"), ("instance_type_id", "INT"),
        ("vm_mode", "VARCHAR(255)"), ("uuid", "VARCHAR(36)"), ("architecture", "VARCHAR(255)"),
        ("root_device_name", "VARCHAR(255)"), ("access_ip_v4", "VARCHAR(39)"), ("access_ip_v6", "VARCHAR(39)"),
        ("config_drive", "VARCHAR(255)"), ("task_state", "VARCHAR(255)"),
        ("default_ephemeral_device", "VARCHAR(255)"), ("default_swap_device", "VARCHAR(255)"), ("progress", "INT"),
        ("auto_disk_config", "TINYINT(1)"), ("shutdown_terminate", "TINYINT(1)"),
        ("disable_terminate", "TINYINT(1)"), ("root_gb", "INT"), ("ephemeral_gb", "INT"),
        ("cell_name", "VARCHAR(255)"), ("node", "VARCHAR(255)"), ("deleted", "INT"), ("locked_by", "VARCHAR(16)"),
        ("cleaned", "INT"), ("ephemeral_key_uuid", "VARCHAR(36)"), ("hidden", "TINYINT(1)"),
    ],
    ("nova_api", "aggregate_hosts"): [
        ("created_at", "DATETIME"), ("updated_at", "DATETIME"), ("id", "INT"), ("host", "VARCHAR(255)"),
        ("aggregate_id", "INT"),
    ],
    ("nova_api", "aggregate_metadata"): [
        ("created_at", "DATETIME"), ("updated_at", "DATETIME"), ("id", "INT"), ("aggregate_id", "INT"),
        ("key", "VARCHAR(255)"), ("value", "VARCHAR(255)"),
    ],
    ("nova_api", "aggregates"): [
        ("created_at", "DATETIME"), ("updated_at", "DATETIME"), ("id", "INT"), ("uuid", "VARCHAR(36)"),
        ("name", "VARCHAR(255)"),
    ],
}

#: primary keys (real ones, so row order is primary-key order as on MariaDB: vim-contract Q14's quirk)
KEYS: dict[tuple[str, str], tuple[str, ...]] = {
    ("keystone", "project"): ("id",), ("neutron", "agents"): ("id",), ("neutron", "ml2_geneve_endpoints"): ("ip_address",),
    ("neutron", "ml2_gre_endpoints"): ("ip_address",), ("neutron", "ml2_port_bindings"): ("port_id", "host"),
    ("neutron", "ml2_vxlan_endpoints"): ("ip_address",), ("neutron", "networks"): ("id",),
    ("neutron", "networksegments"): ("id",), ("neutron", "ports"): ("id",), ("neutron", "routerports"): ("router_id", "port_id"),
    ("neutron", "routers"): ("id",), ("neutron", "standardattributes"): ("id",), ("neutron", "subnets"): ("id",),
    ("nova", "aggregate_hosts"): ("id",), ("nova", "aggregates"): ("id",), ("nova", "compute_nodes"): ("id",),
    ("nova", "instance_info_caches"): ("id",), ("nova", "instances"): ("id",), ("nova_api", "aggregate_hosts"): ("id",),
    ("nova_api", "aggregate_metadata"): ("id",), ("nova_api", "aggregates"): ("id",),
}

#: neutron tables whose owner column is `tenant_id` before Newton-era renames ("old" style)
_TENANT_TABLES = {"networks", "ports", "routers", "subnets"}


@dataclass(frozen=True)
class Names:
    """Database names as served: `neutron` may be any name containing "neutron"; `prefix` isolates test runs."""

    neutron: str = "neutron"
    prefix: str = ""

    def db(self, schema: str) -> str:
        return self.prefix + (self.neutron if schema == "neutron" else schema)


def columns(schema: str, table: str, style: str) -> list[tuple[str, str]]:
    cols = TABLES[(schema, table)]
    if style == "old" and schema == "neutron" and table in _TENANT_TABLES:
        return [("tenant_id" if c == "project_id" else c, t) for c, t in cols]
    return cols


def schemas(style: str) -> list[str]:
    return ["keystone", "neutron", "nova"] + (["nova_api"] if style == "current" else [])


def tables(style: str) -> list[tuple[str, str]]:
    return [key for key in TABLES if key[0] in schemas(style)]


def ddl(schema: str, table: str, style: str, names: Names, qualify: bool = True) -> str:
    cols = ", ".join(f"`{c}` {t}" for c, t in columns(schema, table, style))
    key = ", ".join(f"`{k}`" for k in KEYS[(schema, table)])
    target = f"`{names.db(schema)}`.`{table}`" if qualify else f"`{table}`"
    return f"CREATE TABLE {target} ({cols}, PRIMARY KEY ({key}))"
