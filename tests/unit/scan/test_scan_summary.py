"""`calipso scan`'s summary says how much the scan wrote: nothing, for a cloud that did not change."""

from __future__ import annotations

import io

from scan.cli import print_summary
from scan.controller import ScanResult


def _summary(writes: dict) -> str:
    out = io.StringIO()
    report = {"seconds": 1.2, "objects": {"host": 2}, "links": {}, "cliques": {}, "store_writes": writes}
    print_summary(ScanResult("completed", report), "e1", out)
    return out.getvalue()


def test_an_unchanged_cloud_is_reported_as_nothing_written():
    assert "written: 0 documents (nothing changed)" in _summary({"inventory": 0, "links": 0, "cliques": 0})


def test_what_a_scan_wrote_is_counted_by_collection():
    assert "written: 13 documents (inventory 10, links 2, cliques 1)" in _summary(
        {"inventory": 10, "links": 2, "cliques": 1})
