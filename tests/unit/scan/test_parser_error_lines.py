"""A host's error output is never taken for an object name."""

from __future__ import annotations

import pytest

from scan.parsers import ParseError
from scan.parsers.host import bond_names, physical_interfaces


@pytest.mark.parametrize("text", [
    "ls: cannot access '/proc/net/bonding/': No such file or directory\n",
    "ls: cannot open directory '/proc/net/bonding/': Permission denied\n",
    "ls: Zugriff auf '/proc/net/bonding/' nicht möglich: Datei oder Verzeichnis nicht gefunden\n",
])
def test_an_ls_error_line_is_no_bond(text):
    assert bond_names(text) == []


def test_bond_names_are_interface_names():
    assert bond_names("bond0\nbond1\n") == ["bond0", "bond1"]
    with pytest.raises(ParseError, match="not an interface name"):
        bond_names("bond0\n\x1b]0;owned\x07 garbage from the host\n")


def test_an_ls_error_line_is_no_pnic():
    with pytest.raises(ParseError):
        physical_interfaces("ls: cannot access '/sys/class/net': No such file or directory\n")
