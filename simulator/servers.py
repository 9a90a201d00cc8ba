"""The protocol servers `calipso sim` runs: name -> "module:Class".

A server class is constructed as `Cls(model, options)` and has `start()`, `stop()` and
`config_section() -> dict | None` (the environment_config section it answers for, or None).
`options` is a `simulator.options.SimOptions` (state_dir, conditions, release, aci, amqp_url,
mysql_url, http ports...). Servers start in table order; `config_section()` is read after every
server has started. A new protocol = one module + one line here. Entries whose module does not
exist yet are skipped with a warning (sim-protocols adds ssh, mysql and apic).
"""

from __future__ import annotations

SERVERS: dict[str, str] = {
    "openstack": "simulator.openstack.server:OpenStackServer",  # Keystone + Nova + Neutron (HTTP)
    "amqp": "simulator.amqp:NotificationPublisher",
    "mysql": "simulator.mysql.server:MySQLServer",
    "ssh": "simulator.ssh.service:SSHServer",
    "apic": "simulator.apic.server:APICServer",
    "sensu": "simulator.sensu.server:SensuServer",   # the hosts' Sensu clients (with --monitoring)
}

#: the environment_config section each server answers for (its config_section() may omit "name")
SECTION_NAMES: dict[str, str] = {"openstack": "OpenStack", "amqp": "AMQP", "mysql": "mysql", "ssh": "CLI",
                                 "apic": "ACI",
                                 "sensu": "Monitoring"}

#: servers that run only when asked for (option name on SimOptions that must be true)
OPTIONAL: dict[str, str] = {"apic": "aci", "sensu": "monitoring"}
