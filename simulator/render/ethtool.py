"""`ethtool <if>` in the layout of the NIC's driver (leading TABs kept: [cvim] parsers rely on them)."""

from __future__ import annotations

from simulator.hostview import Link

_COPPER = """\tSupported ports: [ TP ]
\tSupported link modes:   10baseT/Half 10baseT/Full
\t                        100baseT/Half 100baseT/Full
\t                        1000baseT/Full
\tSupported pause frame use: No
\tSupports auto-negotiation: Yes
\tAdvertised link modes:  1000baseT/Full
\tAdvertised pause frame use: No
\tAdvertised auto-negotiation: Yes
\tSpeed: {speed}
\tDuplex: {duplex}
\tPort: Twisted Pair
\tPHYAD: 0
\tTransceiver: internal
\tAuto-negotiation: on
\tMDI-X: off (auto)
\tSupports Wake-on: d
\tWake-on: d
\tCurrent message level: 0x00000007 (7)
\t\t\t       drv probe link
"""

_VIRTIO = """\tSupported ports: [  ]
\tSupported link modes:   Not reported
\tSupported pause frame use: No
\tSupports auto-negotiation: No
\tSupported FEC modes: Not reported
\tAdvertised link modes:  Not reported
\tAdvertised pause frame use: No
\tAdvertised auto-negotiation: No
\tAdvertised FEC modes: Not reported
\tSpeed: {speed}
\tDuplex: {duplex}
\tAuto-negotiation: off
\tPort: Other
\tPHYAD: 0
\tTransceiver: internal
"""

_TAP = """\tSupported ports: [  ]
\tSupported link modes:   Not reported
\tSupported pause frame use: No
\tSupports auto-negotiation: No
\tSupported FEC modes: Not reported
\tAdvertised link modes:  Not reported
\tAdvertised pause frame use: No
\tAdvertised auto-negotiation: No
\tAdvertised FEC modes: Not reported
\tSpeed: {speed}
\tDuplex: {duplex}
\tAuto-negotiation: off
\tPort: Twisted Pair
\tPHYAD: 0
\tTransceiver: internal
\tMDI-X: Unknown
        Current message level: 0x00000000 (0)
                              
"""

TEMPLATES = {"copper": _COPPER, "virtio": _VIRTIO, "tap": _TAP}


def ethtool(link: Link) -> str:
    info = link.ethtool
    kind, speed, duplex, detected = ("tap", "10000Mb/s", "Full", True) if info is None else (
        info.kind, info.speed, info.duplex, info.link_detected)
    body = TEMPLATES[kind].format(speed=speed, duplex=duplex)
    return f"Settings for {link.name}:\n{body}\tLink detected: {'yes' if detected else 'no'}\n"


def no_device(name: str) -> str:
    """stderr for an unknown interface (exit 75 with ethtool 6.1)."""
    return "netlink error: no device matches name (offset 24)\nnetlink error: No such device\n"
