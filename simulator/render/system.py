"""Host identity: /etc/os-release, /etc/hostname, `uname`, `arch`, `hostname`."""

from __future__ import annotations

from simulator.hostview import HostView

OS_RELEASES: dict[str, list[str]] = {
    "ubuntu-16.04": ['NAME="Ubuntu"', 'VERSION="16.04.6 LTS (Xenial Xerus)"', "ID=ubuntu", "ID_LIKE=debian",
                     'PRETTY_NAME="Ubuntu 16.04.6 LTS"', 'VERSION_ID="16.04"',
                     'HOME_URL="http://www.ubuntu.com/"', 'SUPPORT_URL="http://help.ubuntu.com/"',
                     'BUG_REPORT_URL="http://bugs.launchpad.net/ubuntu/"', "VERSION_CODENAME=xenial",
                     "UBUNTU_CODENAME=xenial"],
    "debian-12": ['PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"', 'NAME="Debian GNU/Linux"', 'VERSION_ID="12"',
                  'VERSION="12 (bookworm)"', "VERSION_CODENAME=bookworm", "ID=debian",
                  'HOME_URL="https://www.debian.org/"', 'SUPPORT_URL="https://www.debian.org/support"',
                  'BUG_REPORT_URL="https://bugs.debian.org/"'],
    "centos-7": ['NAME="CentOS Linux"', 'VERSION="7 (Core)"', 'ID="centos"', 'ID_LIKE="rhel fedora"',
                 'VERSION_ID="7"', 'PRETTY_NAME="CentOS Linux 7 (Core)"', 'ANSI_COLOR="0;31"',
                 'CPE_NAME="cpe:/o:centos:centos:7"', 'HOME_URL="https://www.centos.org/"',
                 'BUG_REPORT_URL="https://bugs.centos.org/"'],
    "rhel-8": ['NAME="Red Hat Enterprise Linux"', 'VERSION="8.4 (Ootpa)"', 'ID="rhel"', 'ID_LIKE="fedora"',
               'VERSION_ID="8.4"', 'PLATFORM_ID="platform:el8"', 'PRETTY_NAME="Red Hat Enterprise Linux 8.4 (Ootpa)"',
               'ANSI_COLOR="0;31"', 'HOME_URL="https://www.redhat.com/"'],
}


def os_release(view: HostView) -> str:
    return "".join(f"{line}\n" for line in view.os_release)


def hostname(view: HostView) -> str:
    return f"{view.hostname}\n"


def uname(view: HostView, flags: str) -> str:
    """`uname` with -n, -s, -r, -m, -a (other letters print what GNU uname prints for them)."""
    kernel = "5.10.0-28-amd64" if view.style == "current" else "4.4.0-210-generic"
    parts = {"s": "Linux", "n": view.hostname, "r": kernel,
             "v": "#1 SMP Debian 5.10.209-2 (2024-01-31)", "m": view.arch, "o": "GNU/Linux"}
    if not flags or flags == "s":
        return "Linux\n"
    if "a" in flags:
        return " ".join(parts[k] for k in "snrvm") + f" {view.arch} {view.arch} GNU/Linux\n"
    return " ".join(parts[k] for k in "snrvmo" if k in flags) + "\n"
