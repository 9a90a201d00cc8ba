"""Writes done behind the caller: in order, a bounded number waiting, failures raised."""

from __future__ import annotations

import threading
import time

import pytest

from app.write_behind import WriteBehind


def test_writes_are_done_in_order_and_their_results_kept():
    done = []
    with WriteBehind("t") as w:
        for i in range(7):
            w.submit(lambda n: done.append(n) or n * 10, i)
    assert done == list(range(7)) and w.results == [i * 10 for i in range(7)]


def test_the_caller_waits_when_depth_writes_are_not_done():
    gate, submitted = threading.Event(), []
    w = WriteBehind("t", depth=2)
    worker = threading.Thread(target=lambda: [w.submit(gate.wait) or submitted.append(i) for i in range(3)])
    worker.start()
    deadline = time.monotonic() + 30
    while len(submitted) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.join(timeout=0.3)            # the third submit has had time to return, had it not waited
    assert submitted == [0, 1]          # the third waits for the first to be done
    gate.set()
    worker.join()
    w.__exit__(None, None, None)
    assert submitted == [0, 1, 2]


def test_a_failed_write_is_raised_and_the_callers_own_error_wins():
    def fail():
        raise OSError("disk full")
    with pytest.raises(OSError, match="disk full"):
        with WriteBehind("t") as w:
            w.submit(fail)
    with pytest.raises(KeyError):
        with WriteBehind("t") as w:
            w.submit(fail)
            raise KeyError("building the next one failed")
