"""What a scan sets in the interpreter is put back when it ends, failed or not, and overlapping scans in one
process (the scan manager's) leave the process as it was."""

from __future__ import annotations

import gc
import sys

import pytest

from scan.interpreter import coarse_switching, collector_paused


def _overlapping(setting) -> None:
    first, second = setting(), setting()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)      # the first scan ends before the second
    second.__exit__(None, None, None)


def test_coarse_switching_is_undone_after_a_failure_and_overlapping_scans_leave_the_process_as_it_was():
    before = sys.getswitchinterval()
    with pytest.raises(RuntimeError):
        with coarse_switching(0.05):
            assert sys.getswitchinterval() == pytest.approx(0.05)
            raise RuntimeError("a scan failed")
    assert sys.getswitchinterval() == before
    _overlapping(lambda: coarse_switching(0.05))
    assert sys.getswitchinterval() == before


def test_the_collector_is_back_on_after_a_scan_failed_or_overlapped():
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with collector_paused():
            assert not gc.isenabled()
            raise RuntimeError("a scan failed")
    assert gc.isenabled()
    _overlapping(collector_paused)
    assert gc.isenabled()


def test_a_process_that_runs_without_the_collector_is_left_so():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
