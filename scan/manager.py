"""The scan manager (spec §7.2): schedules, scan requests and connection tests, from the store.

Several managers can run side by side: a scan is claimed with one find-and-modify and holds a
lease its manager renews; a scan whose manager died is failed when its lease expires.
Schedules fire at their time and really run (the V1 ones never did, §9.37).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta
from typing import Callable

from bson import ObjectId

from app.clock import Clock, utcnow
from app.envconfig.repository import UnknownEnvironment
from app.errors import CalipsoError
from app.scans import Scans, ScheduledScans
from app.store.keeper import StoreKeeper, is_unavailable
from app.store.store import Store
from scan.connection_tests import ConnectionTests
from scan.controller import ScanController, ScanOptions, ScanResult
from scan.lease import Heartbeat
from scan.options import options_from_request
from scan.schedules import next_run, recurrence_of

log = logging.getLogger("scan.manager")

RunScan = Callable[[Store, ScanOptions, ObjectId], ScanResult]


def default_run_scan(store: Store, options: ScanOptions, scan_id: ObjectId) -> ScanResult:
    return ScanController(store, options, scan_id=scan_id).run()


class ScanManager:
    def __init__(self, store: Store, owner: str | None = None, lease: timedelta = timedelta(seconds=60),
                 clock: Clock = utcnow, run_scan: RunScan = default_run_scan, scan_defaults: dict | None = None):
        self.store = store
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{ObjectId()}"
        self.lease = lease
        self.clock = clock
        self.scans = Scans(store, clock)
        self.schedules = ScheduledScans(store, clock)
        self.tests = ConnectionTests(store, clock)
        self.run_scan = run_scan
        self.scan_defaults = scan_defaults or {}

    # -- schedules ------------------------------------------------------------------------------
    def fire_schedules(self) -> list[ObjectId]:
        now = self.clock()
        coll = self.schedules.coll
        for s in coll.find({"$or": [{"status": {"$exists": False}}, {"scheduled_timestamp": {"$exists": False}}]}):
            fix = {}
            if "status" not in s:
                fix["status"] = "upcoming"
            if not s.get("scheduled_timestamp"):
                fix["scheduled_timestamp"] = now      # V1 waited one interval first; run at once
            coll.update_one({"_id": s["_id"]}, {"$set": fix})
        fired = []
        for s in self.schedules.due():
            rec = recurrence_of(s)
            try:
                nxt = next_run(s["scheduled_timestamp"], rec, now)
            except ValueError as e:
                log.error("schedule %s: %s; disabled", s["_id"], e)
                coll.update_one({"_id": s["_id"]}, {"$set": {"status": "finished", "error": str(e)}})
                continue
            if not self.schedules.advance(s["_id"], s["scheduled_timestamp"], nxt):
                continue   # another manager fired it
            opts = {k: s[k] for k in ("log_level", "clear", "scan_only_inventory", "scan_only_links",
                                      "scan_only_cliques", "implicit_links", "inventory", "object_id", "distributed")
                    if k in s}
            scan_id = self.scans.submit(s["environment"], interval=rec, origin="scheduled scan", **opts)
            self.scans.coll.update_one({"_id": scan_id}, {"$set": {"schedule_id": s["_id"]}})
            log.info("schedule %s (%s) submitted scan %s of %s", s["_id"], rec, scan_id, s["environment"])
            fired.append(scan_id)
        return fired

    # -- scans ----------------------------------------------------------------------------------
    def run_next_scan(self) -> dict | None:
        req = self.scans.claim_next(self.owner, self.lease)
        if req is None:
            return None
        log.info("scan %s of %s claimed", req["_id"], req["environment"])
        try:
            options = options_from_request(req, **self.scan_defaults)
            store = self.store if options.inventory == "inventory" else self.store.with_inventory(options.inventory)
            with Heartbeat(self.scans, req["_id"], self.owner, self.lease):
                result = self.run_scan(store, options, req["_id"])
        except (UnknownEnvironment, CalipsoError) as e:   # a request that cannot run (e.g. distributed and partial)
            result = ScanResult("failed", {}, str(e))
        except Exception as e:
            log.exception("scan %s crashed", req["_id"])
            result = ScanResult("failed", {}, f"internal error: {type(e).__name__}: {e}")
        extra = {"report": result.report}
        if result.reason:
            extra["error"] = result.reason
        self.scans.finish(req["_id"], result.status, **extra)
        log.info("scan %s of %s: %s%s", req["_id"], req["environment"], result.status,
                 f" ({result.reason})" if result.reason else "")
        return {**req, "status": result.status}

    # -- the loop -------------------------------------------------------------------------------
    def tick(self) -> bool:
        """One round of work; True if something was done."""
        did = False
        for scan_id in self.scans.expire_leases():
            log.warning("scan %s failed: its manager stopped renewing the lease", scan_id)
            did = True
        did |= bool(self.fire_schedules())
        self.tests.expire_waiting()
        while self.tests.answer_next(self.owner):
            did = True
        did |= self.run_next_scan() is not None
        return did

    def loop(self, stop: threading.Event, interval: float = 1.0, keeper: StoreKeeper | None = None) -> None:
        """Poll until `stop`; while the store is away, wait for it (the keeper logs and retries) rather
        than stack timeouts on it, so a SIGTERM is acted on at once."""
        keeper = keeper or StoreKeeper(self.store)
        log.info("scan manager %s started", self.owner)
        while not stop.is_set():
            if not keeper.up and not keeper.wait_until_up(stop):
                break
            try:
                busy = self.tick()
            except Exception as e:
                if is_unavailable(e):
                    keeper.mark_down(e)
                    continue
                log.error("scan manager: %s: %s", type(e).__name__, e)
                busy = False
            if not busy:
                stop.wait(interval)
        log.info("scan manager %s stopped", self.owner)
