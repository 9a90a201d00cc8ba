"""The commands a host's fetchers ask whatever they have found, run together when a host is first asked.

A host's fetchers on several levels each ask a fact or two of their own (the OS, addresses,
interfaces, bridges, OVS); one SSH call each was ten calls per host, and the channel, the
round trips and, through the master, two layers of encryption per call cost the host's SSH
server as much as the scanner. `Cli.prefetch` runs a host's list in one call at its first
touch and keeps each output, with its exit status, for its asker; a command that failed is
asked again alone, so its asker sees its own error. Fetchers use these constants, so the
command a fetcher asks and the one prefetched are the same text.
"""

from __future__ import annotations

from collections.abc import Callable

from scan.access.ssh import Piped, Raw
from scan.conditions import matches

OS_COMMAND = Raw('cat /etc/os-release && echo "ARCHITECTURE=`arch`"')
NET_CLASS = ("ls", "-l", "/sys/class/net")
ADDRESSES = ("ip", "address", "show")
BONDS = Raw("ls -1 /proc/net/bonding/ 2>&1")
BRIDGES = ("brctl", "show")
OVS_SHOW = ("ovs-vsctl", "show")
OVS_DATAPATH = ("ovs-dpctl", "show")
# A full tunnel mesh without reading it (scan.fetchers.cli.ovs_show): every interface's type, options and
# error with the remote address starred, each distinct line once with its count (a handful of lines
# however many tunnels); the digest of the sorted "name type remote_ip" of the interfaces that have one;
# and `ovs-vsctl show` without the lines of ports named, typed and optioned as Neutron's tunnels.
_TUNNEL_TYPES = "(vxlan|gre|geneve|stt)"
_INTERFACES = ("ovs-vsctl", "--no-headings", "--format=csv", "--columns=name,type,options,error", "list", "Interface")
TUNNEL_TEMPLATES = Piped(_INTERFACES, "sed -e 's/remote_ip=\"\"[^\"]*\"\"/remote_ip=\"\"*\"\"/' -e 's/^[^,]*,//'"
                                      " | LC_ALL=C sort | uniq -c")
TUNNEL_DIGEST = Piped(_INTERFACES, "sed -n 's/^\\([^,]*\\),\\([^,]*\\),"
                                   ".*remote_ip=\"\"\\([^\"]*\\)\"\".*$/\\1 \\2 \\3/p'"
                                   " | LC_ALL=C sort | md5sum")
OVS_SHOW_LEAN = Piped(OVS_SHOW, f"grep -v -E '^ {{8}}Port \"?{_TUNNEL_TYPES}-[0-9a-f]{{8}}\"?$"
                                f"|^ {{12}}Interface \"?{_TUNNEL_TYPES}-[0-9a-f]{{8}}\"?$"
                                f"|^ {{16}}type: {_TUNNEL_TYPES}$|^ {{16}}options: \\{{.*remote_ip='")
LINK_DETAILS = ("ip", "-d", "link", "show")
FDB = ("bridge", "fdb", "show")
VPP_VERSION = ("vppctl", "show", "ver")
VPP_INTERFACES = ("vppctl", "show", "int")
VPP_HARDWARE = ("vppctl", "show", "hardware-interfaces")
VPP_MODE = ("vppctl", "show", "mode")

#: (condition on the environment, commands) - every matching row's commands are prefetched
TABLE = (
    ({}, (OS_COMMAND, NET_CLASS, ADDRESSES, BONDS)),
    ({"mechanism_drivers": ["OVS"]}, (OVS_SHOW, OVS_DATAPATH, BRIDGES)),
    ({"mechanism_drivers": ["LXB"]}, (BRIDGES, LINK_DETAILS, FDB)),
    ({"mechanism_drivers": ["VPP"]}, (VPP_VERSION, VPP_INTERFACES, VPP_HARDWARE, VPP_MODE)),
)


#: on a host whose tunnel ports should be the whole mesh, what is asked instead of a command
AS_MESH = {OVS_SHOW: (TUNNEL_TEMPLATES, TUNNEL_DIGEST, OVS_SHOW_LEAN)}


def host_commands(env: dict, as_mesh: bool = False) -> list:
    """The commands to prefetch on a host of `env`, each once, in table order; `as_mesh` for a host
    whose tunnel ports should be the whole mesh (scan.fetchers.cli.ovs_show)."""
    out: list = []
    for condition, commands in TABLE:
        if matches(condition, env):
            for c in commands:
                for c in (AS_MESH.get(c, (c,)) if as_mesh else (c,)):
                    if c not in out:
                        out.append(c)
    return out


def commands_by_host(env: dict, as_mesh: Callable[[str], bool]) -> Callable[[str], list]:
    """What `Cli.prefetch` asks each host of `env`: `as_mesh(host)` says whether its tunnel ports should be
    the whole mesh (scan.fetchers.cli.ovs_show.mesh_kind)."""
    lists = {m: host_commands(env, m) for m in (False, True)}
    return lambda host: lists[as_mesh(host)]
