"""libvirt: `virsh list [--all]`, `virsh dumpxml <id|name|uuid>`, `virsh domstate <x>`."""

from __future__ import annotations

from xml.sax.saxutils import escape

from simulator.hostview import Domain, DomainInterface


def virsh_list(domains: list[Domain], show_all: bool = False, style: str = "old") -> str:
    shown = [d for d in domains if show_all or d.state != "shut off"]
    shown.sort(key=lambda d: (d.id is None, d.id or 0, d.name))
    rows = [("-" if d.id is None else str(d.id), d.name, d.state) for d in shown]
    if style == "old":  # libvirt < 5: fixed printf widths
        out = [f" {'Id':<5} {'Name':<30} State", "-" * 52]
        out += [f" {i:<5} {n:<30} {s}" for i, n, s in rows]
        return "\n".join(out) + "\n\n"
    # libvirt >= 5 (vshTable): columns as wide as their widest cell, 3 spaces apart, dashes = sum(width + 3)
    header = ("Id", "Name", "State")
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(3)]
    fmt = lambda r: (" " + "   ".join(cell.ljust(w) for cell, w in zip(r, widths))).rstrip()  # noqa: E731
    out = [fmt(header), "-" * sum(w + 3 for w in widths)] + [fmt(r) for r in rows]
    return "\n".join(out) + "\n\n"


def no_domain(key: str) -> str:
    """stderr of virsh for an unknown domain (exit 1)."""
    return f"error: failed to get domain '{key}'\n\n"


def domstate(domain: Domain) -> str:
    return f"{domain.state}\n\n"


def _interface(i: DomainInterface, index: int, slot: int) -> list[str]:
    out = [f"    <interface type='{i.type}'>" if i.type != "hostdev" else "    <interface type='hostdev' managed='yes'>",
           f"      <mac address='{i.mac}'/>"]
    if i.type == "vhostuser":
        out.append(f"      <source type='unix' path='{i.vhost_path}' mode='server'/>")
        out.append("      <model type='virtio'/>")
    elif i.type == "hostdev":
        out += ["      <driver name='vfio'/>", "      <source>",
                f"        <address type='pci' domain='0x0000' bus='0x05' slot='0x10' function='0x{index:x}'/>",
                "      </source>"]
        if i.vlan is not None:
            out += ["      <vlan>", f"        <tag id='{i.vlan}'/>", "      </vlan>"]
        out.append(f"      <alias name='{i.alias or f'hostdev{index}'}'/>")
        out.append("    </interface>")
        return out
    else:
        out.append(f"      <source bridge='{i.source_bridge}'/>")
        if i.virtualport:
            out += [f"      <virtualport type='{i.virtualport}'>",
                    f"        <parameters interfaceid='{i.port_id}'/>", "      </virtualport>"]
        out.append(f"      <target dev='{i.target_dev}'/>")
        out.append("      <model type='virtio'/>")
    if i.mtu:
        out.append(f"      <mtu size='{i.mtu}'/>")
    out.append(f"      <alias name='{i.alias or f'net{index}'}'/>")
    out.append(f"      <address type='pci' domain='0x0000' bus='0x00' slot='0x{slot:02x}' function='0x0'/>")
    out.append("    </interface>")
    return out


def dumpxml(d: Domain, style: str = "old") -> str:
    running = d.id is not None
    head = f"<domain type='kvm' id='{d.id}'>" if running else "<domain type='kvm'>"
    ports = []
    for i in d.interfaces:
        ports.append(f"        <nova:port uuid=\"{i.port_id}\">")
        ports += [f"          <nova:ip type=\"fixed\" address=\"{ip}\" ipVersion=\"4\"/>" for ip in i.ips]
        ports.append("        </nova:port>")
    out = [head, f"  <name>{d.name}</name>", f"  <uuid>{d.uuid}</uuid>",
           "  <metadata>",
           '    <nova:instance xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1">',
           f'      <nova:package version="{"26.2.2" if style == "current" else "13.1.4"}"/>',
           f"      <nova:name>{escape(d.display_name)}</nova:name>",
           f"      <nova:creationTime>{d.created}</nova:creationTime>",
           f'      <nova:flavor name="{d.flavor}">',
           f"        <nova:memory>{d.memory_mb}</nova:memory>",
           f"        <nova:disk>{d.disk_gb}</nova:disk>",
           "        <nova:swap>0</nova:swap>",
           "        <nova:ephemeral>0</nova:ephemeral>",
           f"        <nova:vcpus>{d.vcpus}</nova:vcpus>",
           "      </nova:flavor>",
           "      <nova:owner>",
           f'        <nova:user uuid="{d.user_id}">{escape(d.user_name)}</nova:user>',
           f'        <nova:project uuid="{d.project_id}">{escape(d.project_name)}</nova:project>',
           "      </nova:owner>",
           f'      <nova:root type="image" uuid="{d.image_id}"/>',
           "      <nova:ports>", *ports, "      </nova:ports>",
           "    </nova:instance>",
           "  </metadata>",
           f"  <memory unit='KiB'>{d.memory_mb * 1024}</memory>",
           f"  <currentMemory unit='KiB'>{d.memory_mb * 1024}</currentMemory>",
           f"  <vcpu placement='static'>{d.vcpus}</vcpu>",
           "  <os>",
           "    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>",
           "    <boot dev='hd'/>",
           "  </os>",
           "  <on_poweroff>destroy</on_poweroff>",
           "  <on_reboot>restart</on_reboot>",
           "  <on_crash>destroy</on_crash>",
           "  <devices>",
           "    <emulator>/usr/bin/qemu-system-x86_64</emulator>",
           "    <disk type='file' device='disk'>",
           "      <driver name='qemu' type='qcow2' cache='none'/>",
           f"      <source file='/var/lib/nova/instances/{d.uuid}/disk'/>",
           "      <target dev='vda' bus='virtio'/>",
           "      <alias name='virtio-disk0'/>",
           "    </disk>"]
    hostdevs = 0
    for n, i in enumerate(d.interfaces):
        if i.type == "hostdev":
            out += _interface(i, hostdevs, 0)
            hostdevs += 1
        else:
            out += _interface(i, n, 2 + n)
    out += ["    <serial type='pty'>",
            f"      <log file='/var/lib/nova/instances/{d.uuid}/console.log' append='off'/>",
            "      <target type='isa-serial' port='0'/>",
            "    </serial>",
            "  </devices>",
            "</domain>"]
    return "\n".join(out) + "\n\n"
