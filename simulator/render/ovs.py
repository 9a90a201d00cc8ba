"""Open vSwitch: `ovs-vsctl show|list-br|list-ports|list-ifaces|list Interface`, `ovs-dpctl show`,
`ovs-appctl dpctl/show`, `ovs-ofctl dump-flows`, in the format of the OVS version the view names."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache

from simulator.hostview import Ovs, OvsBridge, OvsPort

_UUID_CHARS = set("0123456789abcdef-")


@lru_cache(maxsize=64)
def _old_ovs(version: str | None) -> bool:
    """OVS before 2.10 quoted any string holding a digit (`string_needs_quotes` used isalpha)."""
    if not version:
        return False
    try:
        major, minor = (int(x) for x in version.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) < (2, 10)


@lru_cache(maxsize=1 << 16)   # a full tunnel mesh repeats every name and address on every host
def _quote(s: str, old: bool) -> str:
    if not s:
        return '""'
    ok_rest = (lambda c: c.isalpha() or c in "_-.") if old else (lambda c: c.isalnum() or c in "_-.")
    needs = not (s[0].isalpha() or s[0] == "_") or not all(ok_rest(c) for c in s[1:])
    needs = needs or s in ("true", "false") or (len(s) == 36 and set(s) <= _UUID_CHARS)
    return f'"{s}"' if needs else s


class Quoted(dict):
    """Option values as `ovs-vsctl show` of that version prints them inside `options: {...}`
    (quoted where OVS quotes), by value: a view of a full tunnel mesh asks millions, and a hit
    is a dict lookup, not a call."""

    def __init__(self, version: str | None):
        super().__init__()
        self.old = _old_ovs(version)

    def __missing__(self, s: str) -> str:
        q = self[s] = _quote(s, self.old)
        return q


def vsctl_show(ovs: Ovs) -> str:
    q = Quoted(ovs.version).__getitem__
    out = [ovs.uuid]
    if ovs.manager:
        out += [f'    Manager "{ovs.manager}"', "        is_connected: true"]
    for br in ovs.bridges:
        out.append(f"    Bridge {q(br.name)}")
        if br.controller:
            out += [f'        Controller "{br.controller}"', "            is_connected: true"]
        if br.fail_mode:
            out.append(f"        fail_mode: {br.fail_mode}")
        if br.datapath_type:
            out.append(f"        datapath_type: {br.datapath_type}")
        for p in br.ports:
            out.append(f"        Port {q(p.name)}")
            if p.tag is not None:
                out.append(f"            tag: {p.tag}")
            out.append(f"            Interface {q(p.name)}")
            if p.type:
                out.append(f"                type: {p.type}")
            if p.options:
                opts = ", ".join(f"{k}={v}" for k, v in p.options)
                out.append(f"                options: {{{opts}}}")
    if ovs.version:
        out.append(f'    ovs_version: "{ovs.version}"')
    return "\n".join(out) + "\n"


#: the Interface columns a simulated switch knows (one interface per port, none in error)
INTERFACE_COLUMNS = ("name", "type", "options", "error")


def interface_cell(port: OvsPort, column: str, q: Callable[[str], str]) -> str:
    """One Interface column in OVSDB's string form (ovsdb_datum_to_string): strings quoted as `show`
    quotes them, a map `{k=v, ...}` by key, the empty optional `error` `[]`, a system port's type `""`."""
    if column == "name":
        return q(port.name)
    if column == "type":
        return q(port.type or "")
    if column == "options":
        return "{" + ", ".join(f"{q(k)}={v}" for k, v in sorted(port.options)) + "}"
    return "[]"


def csv_cell(text: str) -> str:
    """A cell of OVS's CSV (lib/table.c): raw unless it holds `"`, `,` or a newline, else quoted, `"` doubled."""
    if '"' in text or "," in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_row(port: OvsPort, columns: tuple[str, ...], q: Callable[[str], str]) -> str:
    return ",".join(csv_cell(interface_cell(port, c, q)) for c in columns)


def interfaces(ovs: Ovs) -> Iterator[OvsPort]:
    """Every row of the Interface table: one per port, bridge by bridge (any stable order is OVS's)."""
    for br in ovs.bridges:
        yield from br.ports


def list_interface_csv(ovs: Ovs, columns: tuple[str, ...], headings: bool = True) -> str:
    """`ovs-vsctl --format=csv --columns=... list Interface`."""
    q = Quoted(ovs.version).__getitem__
    out = [",".join(csv_cell(c) for c in columns)] if headings else []
    out += [csv_row(p, columns, q) for p in interfaces(ovs)]
    return "".join(line + "\n" for line in out)


def list_interface_records(ovs: Ovs, columns: tuple[str, ...], headings: bool = True) -> str:
    """`ovs-vsctl list Interface` in its default format: `column : value` lines, a blank line between rows."""
    q = Quoted(ovs.version).__getitem__
    rows = ["".join((f"{c:<20}: " if headings else "") + interface_cell(p, c, q) + "\n" for c in columns)
            for p in interfaces(ovs)]
    return "\n".join(rows)


def list_br(ovs: Ovs) -> str:
    return "".join(f"{b.name}\n" for b in sorted(ovs.bridges, key=lambda b: b.name))


def list_ports(bridge: OvsBridge) -> str:
    """Ports except the bridge's own internal port, sorted, as ovs-vsctl prints them."""
    return "".join(f"{n}\n" for n in sorted(p.name for p in bridge.ports if p.name != bridge.name))


list_ifaces = list_ports  # one interface per port in everything Neutron creates


def no_bridge(name: str) -> str:
    return f"ovs-vsctl: no bridge named {name}\n"


def dpctl_show(ovs: Ovs) -> str:
    """Kernel datapath view; the caller handles the userspace-datapath failure (see `dpctl_failure`)."""
    n = len(ovs.datapath_ports)
    out = ["system@ovs-system:",
           f"\tlookups: hit:{37 * n} missed:{5 * n} lost:0",
           f"\tflows: {2 * n}",
           f"\tmasks: hit:{61 * n} total:2 hit/pkt:1.42"]
    for p in ovs.datapath_ports:
        out.append(f"\tport {p.number}: {p.name}" + (f" ({p.detail})" if p.detail else ""))
    return "\n".join(out) + "\n"


def dpctl_failure(timestamp: str = "2026-01-01T00:00:00Z") -> str:
    """stderr of `ovs-dpctl show` when only the userspace datapath exists (recorded on Zed, exit 1)."""
    return (f"{timestamp}|00001|dpif_netlink|INFO|Generic Netlink family 'ovs_datapath' does not exist. "
            "The Open vSwitch kernel module is probably not loaded.\n"
            f"{timestamp}|00002|dpif|WARN|failed to enumerate system datapaths: No such file or directory\n")


def appctl_dpctl_show(ovs: Ovs) -> str:
    """`ovs-appctl dpctl/show`: works for both datapaths."""
    if ovs.datapath == "netdev":
        out = ["netdev@ovs-netdev:", f"  lookups: hit:{5 * len(ovs.datapath_ports)} missed:0 lost:0", "  flows: 0"]
        for p in ovs.datapath_ports:
            detail = "tap" if p.detail == "internal" else p.detail
            out.append(f"  port {p.number}: {p.name}" + (f" ({detail})" if detail else ""))
        return "\n".join(out) + "\n"
    return dpctl_show(ovs).replace("\t", "  ")


def dump_flows(bridge: OvsBridge) -> str:
    """A plausible flow table: Neutron's NORMAL-action baseline plus one drop rule per patch port."""
    lines = [" cookie=0x0, duration=1000.000s, table=0, n_packets=0, n_bytes=0, priority=0 actions=NORMAL"]
    for p in bridge.ports:
        if p.type == "patch":
            lines.insert(0, f" cookie=0x0, duration=1000.000s, table=0, n_packets=0, n_bytes=0, "
                            f"priority=2,in_port=\"{p.name}\" actions=drop")
    return "".join(line + "\n" for line in lines)
