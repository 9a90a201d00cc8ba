"""The test bed's scripts parse, pass shellcheck's warnings (where shellcheck is installed), and refuse a driver
or node count they do not know before touching anything. Running them for real changes the machine: that is
`make acceptance`, never here."""

from __future__ import annotations

import shutil
import subprocess

from tests.acceptance.testbed import COMPUTE2, SCRIPT, TESTBED

SCRIPTS = sorted(TESTBED.rglob("*.sh"))


def test_every_script_parses():
    assert {p.name for p in SCRIPTS} >= {"openstack-testbed.sh", "compute2.sh", "common.sh", "control.sh",
                                         "agents-ovs.sh", "agents-linuxbridge.sh", "lifecycle.sh"}
    for path in SCRIPTS:
        res = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
        assert res.returncode == 0, f"{path.name}: {res.stderr}"


def test_shellcheck_finds_no_warning():
    if shutil.which("shellcheck") is None:      # not installed by CI; bash -n above still runs
        return
    res = subprocess.run(["shellcheck", "-x", "-S", "warning", SCRIPT.name, COMPUTE2.name], cwd=TESTBED,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout


def test_an_unknown_driver_or_node_count_is_refused_before_anything_runs():
    # a command word the scripts do not have: should the checks ever come after the dispatch, nothing runs
    for env, words in (({"DRIVER": "vpp"}, "DRIVER must be ovs or linuxbridge, not 'vpp'"),
                       ({"NODES": "3"}, "NODES must be 1 or 2, not '3'")):
        res = subprocess.run(["bash", str(SCRIPT), "no-such-step"], capture_output=True, text=True,
                             env={"PATH": "/usr/bin:/bin", **env})
        assert res.returncode == 2 and words in res.stderr
    res = subprocess.run(["bash", str(COMPUTE2), "no-such-step"], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "DRIVER": "ovn"})
    assert res.returncode == 2 and "DRIVER must be ovs or linuxbridge" in res.stderr
    res = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert res.returncode == 2 and res.stderr.startswith("usage:")
