"""The simulated sed, uniq and md5sum against the real GNU tools on the same input: output, errors, status."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from simulator.model import Params, build_model
from simulator.ssh import textutils
from simulator.ssh.service import ViewCache
from simulator.ssh.shell import Shell

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("sed", "uniq", "md5sum")),
                                reason="GNU sed and coreutils are needed to compare with")

CSV = ('br-int,internal,{},[]\n'
       'qvo1,"""""",{},[]\n'
       'vxlan-0a000002,vxlan,"{df_default=""true"", in_key=flow, local_ip=""10.0.0.1"", remote_ip=""10.0.0.2""}",[]\n'
       '"""vxlan-0a000003""",vxlan,"{local_ip=""10.0.0.1"", remote_ip=""10.0.0.3""}",[]\n')
TEXT = "aaa bab\nabc\n*a/b\nx,y,z\n\nlast line without newline"


def gnu(argv: list[str], stdin: str) -> tuple[str, str, int]:
    p = subprocess.run(argv, input=stdin.encode(), capture_output=True, env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})
    return p.stdout.decode(), p.stderr.decode(), p.returncode   # bytes: no newline translation


def sim(argv: list[str], stdin: str) -> tuple[str, str, int]:
    r = textutils.HANDLERS[argv[0]](None, argv[1:], stdin)   # these tools read no host
    return r.out, r.err, r.status


@pytest.mark.parametrize("args", [
    ["-e", 's/remote_ip=""[^"]*""/remote_ip=""*""/', "-e", "s/^[^,]*,//"],
    ["-n", r's/^\([^,]*\),\([^,]*\),.*remote_ip=""\([^"]*\)"".*$/\1 \2 \3/p'],
    ["s/a*/x/g"], ["s/x*/-/g"], [r"s/\(b\)/[&\1\&\\n\n]/"], ["s/a/b/2"], ["s/a/b/2g"], ["s/A/Q/I"],
    ["-n", "s/a/b/p"], ["-n", "p"], ["s/a/b/;d"], ["s|/|_|g"], ["s/[/]/x/"], ["s/[]a]/x/g"],
    [r"s/[[:digit:]]\+/N/g"], ["s/^*a/b/"], ["s/\\(*a\\)/<\\1>/"], ["-E", "s/(a|b)+/X/"], ["s/a/b/;s/b/c/"],
    ["s/a/b/ ; # a comment"], [r"s/a\{2\}/2/"], ["s/a/b/gp"], [r"s/[\]/x/"],
])
def test_sed_prints_what_gnu_sed_prints(args):
    for stdin in (TEXT, CSV):
        assert sim(["sed", *args], stdin) == gnu(["sed", *args], stdin), args


@pytest.mark.parametrize("args", [
    ["k"], ["s/a/b"], ["s/a/b/q"], ["s/a/b/;k"], ["s/a/b/\nk"], ["-e", "s/a/b/", "-e", "k"], [r"s/\(a/b/"],
    [r"s/\(a/b/g;p"], [r"s/a/\1/"], [r"s/a/\1/g"], ["s/a/b/pp"], ["s/a/b/gg"], ["s//x/"], ["s/a/b/}"], ["s/[a/b/"],
    ["s"], ["-n"],
])
def test_sed_refuses_as_gnu_sed_does(args):
    got = sim(["sed", *args], TEXT)
    want = gnu(["sed", *args], TEXT)
    if args == ["-n"]:   # the usage text differs; the status and the first line do not
        assert (got[2], got[1].splitlines()[0]) == (want[2], want[1].splitlines()[0])
        return
    assert got == want


@pytest.mark.parametrize("stdin", ["b\na\na\nb\nb\n", "a\na", "", "x\n" * 12, "same\nsame\n\n\nsame\n", "a\ra\na\n"])
def test_uniq_and_uniq_c(stdin):
    for args in ([], ["-c"]):
        assert sim(["uniq", *args], stdin) == gnu(["uniq", *args], stdin)


def test_uniq_refuses_an_unknown_option():
    assert sim(["uniq", "-q"], "a\n") == gnu(["uniq", "-q"], "a\n")


@pytest.mark.parametrize("stdin", ["", "x", CSV, "é ü\n"])
def test_md5sum_of_its_input(stdin):
    assert sim(["md5sum"], stdin) == gnu(["md5sum"], stdin)
    assert sim(["md5sum", "-"], stdin) == gnu(["md5sum", "-"], stdin)


def test_a_leading_assignment_is_taken_off_and_the_command_runs():
    shell = Shell(ViewCache(build_model(Params(computes=1, instances=0, seed=4))))
    plain = shell.run("cmp-1", "ls /sys/class/net | sort -r", True)
    assert plain.out.count("\n") > 2
    assert shell.run("cmp-1", "ls /sys/class/net | LC_ALL=C sort -r", True) == plain
    assert shell.run("cmp-1", "ls /sys/class/net | LC_ALL=C LANG=C sort -r", True) == plain
    assert shell.run("cmp-1", "FOO=1", True).status == 0
    assert shell.run("cmp-1", "FOO=1 nosuchtool", True).status == 127
