"""The write phase through a store outage (scan.outage): applied again once the store is back, a clear
failure when it stays away, and any other error passed on at once."""

from __future__ import annotations

import pytest
from pymongo.errors import AutoReconnect

from app.errors import CalipsoError
from scan.outage import through_outage


class FakeKeeper:
    def __init__(self, back: bool):
        self.back, self.waits, self.marked = back, 0, []

    def mark_down(self, exc):
        self.marked.append(exc)

    def wait_until_up(self, stop):
        self.waits += 1
        return self.back


def failing(times: int, exc=AutoReconnect("127.0.0.1:1: connection closed")):
    calls = []

    def write():
        calls.append(1)
        if len(calls) <= times:
            raise exc
        return "written"
    return write, calls


def test_a_write_cut_by_an_outage_is_applied_again_once_the_store_is_back():
    write, calls = failing(1)
    keeper = FakeKeeper(back=True)
    assert through_outage(write, store=None, keeper=keeper) == "written"
    assert len(calls) == 2 and keeper.waits == 1 and len(keeper.marked) == 1


def test_a_store_that_stays_away_fails_the_scan_with_a_reason():
    write, calls = failing(1)
    with pytest.raises(CalipsoError, match="did not come back within 7 s; the next scan completes"):
        through_outage(write, store=None, wait=7, keeper=FakeKeeper(back=False))
    assert len(calls) == 1


def test_outages_again_and_again_end_in_a_clear_failure():
    write, calls = failing(10)
    with pytest.raises(CalipsoError, match="went away 3 times during the write phase"):
        through_outage(write, store=None, keeper=FakeKeeper(back=True))
    assert len(calls) == 3


def test_other_errors_are_not_retried():
    write, calls = failing(1, ValueError("a bad document"))
    with pytest.raises(ValueError):
        through_outage(write, store=None, keeper=FakeKeeper(back=True))
    assert len(calls) == 1
