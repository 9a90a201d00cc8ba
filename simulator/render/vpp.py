"""VPP: `vppctl show ver|int|mode|hardware-interfaces|int addr|bond`, in VPP 19.x's column layout."""

from __future__ import annotations

from simulator.hostview import Vpp, VppInterface


def show_version(vpp: Vpp) -> str:
    return f"vpp {vpp.version} built by root on builder at 2020-01-01T00:00:00\n"


def show_int(vpp: Vpp) -> str:
    out = [f"{'Name':>19}{'':14}Idx    State  MTU (L3/IP4/IP6/MPLS)     Counter          Count"]
    for i in sorted(vpp.interfaces, key=lambda x: x.index):
        mtu = f"{i.mtu}/0/0/0" if i.mtu else "0/0/0/0"
        line = f"{i.name:<30}{i.index:>3}{i.state:>10}{mtu:>17}"
        if i.state == "up" and i.name != "local0":
            out.append(f"{line}     rx packets{1200:>22}")
            out.append(f"{'':68}rx bytes{150000:>24}")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def show_mode(vpp: Vpp) -> str:
    out = []
    for i in sorted(vpp.interfaces, key=lambda x: x.index):
        if i.bridge_domain is None:
            out.append(f"l3 {i.name}")
        else:
            out.append(f"l2 bridge {i.name} bd_id {i.bridge_domain} shg {i.shg}")
    return "\n".join(out) + "\n"


def _hw_block(i: VppInterface) -> list[str]:
    block = [f"{i.name:<30}{i.index:>5}{i.state:>6}   {i.hardware or i.name}"]
    if i.mac:
        block.append(f"  Ethernet address {i.mac}")
    if "GigabitEthernet" in i.name:
        block += ["  Cisco VIC", f"    carrier {i.state} full duplex speed 10000 mtu {i.mtu}"]
    return block


def show_hardware(vpp: Vpp, name: str | None = None) -> str | None:
    """All interfaces, or one (a `.NNN` sub-interface suffix is the caller's to strip); None if unknown."""
    chosen = [i for i in sorted(vpp.interfaces, key=lambda x: x.index) if name is None or i.name == name]
    if name is not None and not chosen:
        return None
    out = [f"{'Name':>18}{'':16}Idx   Link  Hardware"]
    for i in chosen:
        out += _hw_block(i)
    return "\n".join(out) + "\n"


def show_int_addr(vpp: Vpp) -> str:
    out = []
    for i in sorted(vpp.interfaces, key=lambda x: x.index):
        out.append(f"{i.name} ({'up' if i.state == 'up' else 'dn'}):")
        out += [f"  {a}" for a in i.addresses]
    return "\n".join(out) + "\n"


def show_bond(vpp: Vpp) -> str:
    return "interface name   sw_if_index  mode         load balance  active slaves  slaves\n"


def unknown_command(words: list[str]) -> str:
    return f"show: unknown input `{' '.join(words)}'\n"
