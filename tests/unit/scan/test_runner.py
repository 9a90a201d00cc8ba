"""The pool runner: results in order whatever finishes first, bounded threads, the first failure raised."""

from __future__ import annotations

import threading
import time

import pytest

from scan.runner import PoolRunner, SerialRunner


def test_results_keep_the_order_of_the_items_and_threads_stay_bounded():
    runner = PoolRunner(workers=4, nested_workers=2)
    running, peak, lock = [0], [0], threading.Lock()

    def slow_square(x):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.001 * (x % 3))
        with lock:
            running[0] -= 1
        return x * x

    try:
        assert runner.map(slow_square, list(range(200))) == [x * x for x in range(200)]
        assert peak[0] <= 4
        peak[0] = 0
        assert runner.nested(slow_square, list(range(50))) == [x * x for x in range(50)]
        assert peak[0] <= 2
        assert runner.map(slow_square, []) == [] and runner.map(slow_square, [3]) == [9]
        # a task fanning out on the nested pool while every task thread is busy does not starve
        assert runner.map(lambda x: sum(runner.nested(lambda y: y, list(range(x)))), [5] * 16) == [10] * 16
    finally:
        runner.close()


def test_the_first_failure_is_raised_after_the_others_ran():
    runner = PoolRunner(workers=3)
    done = []

    def task(x):
        if x == 5:
            raise ValueError("item 5")
        done.append(x)
        return x

    try:
        with pytest.raises(ValueError, match="item 5"):
            runner.map(task, list(range(20)))
    finally:
        runner.close()
    assert sorted(done) == [x for x in range(20) if x != 5]
    assert SerialRunner().map(lambda x: -x, [1, 2]) == [-1, -2]
