"""The progress display, and the per-scan memo that makes bulk look-ups single-flight."""

from __future__ import annotations

import io
import logging
import threading
import time

import pytest

from scan.fetchers.base import Found, Memo
from scan.progress import Progress


def test_terminal_shows_one_live_status_line():
    out = io.StringIO()
    p = Progress(stream=out, tty=True, interval=0)
    p.phase("inventory")
    p.hosts(3, 10)
    p.objects(120)
    p.set_errors(1)
    p.phase("links")
    p.close()
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    last = text.rstrip("\n").split("\r")[-1]
    assert "links" in last and "hosts 3/10" in last and "objects 120" in last and "errors 1" in last


def test_no_terminal_gives_plain_log_lines(caplog):
    out = io.StringIO()
    p = Progress(stream=out, tty=False)
    with caplog.at_level(logging.INFO, logger="scan.progress"):
        p.phase("inventory")
        p.hosts(5, 10)
        p.close()
    assert out.getvalue() == ""
    assert "phase inventory" in caplog.text and "hosts 5/10 done" in caplog.text


def test_memo_computes_once_under_concurrency_and_remembers_failures():
    m = Memo()
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.05)
        return 42

    results = []
    threads = [threading.Thread(target=lambda: results.append(m.once("k", slow))) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results == [42] * 8 and len(calls) == 1

    failures = []

    def broken():
        failures.append(1)
        raise RuntimeError("db down")

    for _ in range(3):
        with pytest.raises(RuntimeError, match="db down"):
            m.once("bad", broken)
    assert len(failures) == 1


def test_found_tracks_changed_fields_only():
    f = Found()
    doc = {"type": "instance", "id": "i1", "name": "vm"}
    f.add(doc)
    f.update(doc, {"mac_address": "fa:16:3e:00:00:01"})
    f.append_unique(doc, "network", "n1")
    f.append_unique(doc, "network", "n1")
    (d, fields), = f.take_dirty()
    assert d is doc and fields == {"mac_address": "fa:16:3e:00:00:01", "network": ["n1"]}
    assert f.take_dirty() == []
