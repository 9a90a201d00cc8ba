"""Scan requests and schedules (spec §7.1, §7.3): submit, claim atomically, finish, expire leases.

A manager claims a pending scan with one find-and-modify, so several managers can run side
by side; a claim carries a lease that the runner renews, and a scan whose manager died is
failed once its lease has expired.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bson import ObjectId
from pymongo import ReturnDocument

from app.clock import Clock, utcnow
from app.store.store import Store

STATUSES = ("draft", "pending", "running", "completed", "completed_with_errors", "failed", "aborted")
FINAL = ("completed", "completed_with_errors", "failed", "aborted")
SCAN_OPTIONS = ("log_level", "clear", "clear_all", "scan_only_inventory", "scan_only_links", "scan_only_cliques",
                "implicit_links", "inventory", "object_id", "es_index", "interval", "origin", "distributed")


class Scans:
    def __init__(self, store: Store, clock: Clock = utcnow):
        self.coll = store["scans"]
        self.clock = clock

    def submit(self, environment: str, **options) -> ObjectId:
        unknown = set(options) - set(SCAN_OPTIONS)
        if unknown:
            raise ValueError(f"unknown scan option(s): {', '.join(sorted(unknown))}")
        doc = {"environment": environment, "status": "pending", "log_level": "warning", "clear": False,
               "scan_only_inventory": False, "scan_only_links": False, "scan_only_cliques": False,
               "submit_timestamp": self.clock()}
        doc.update(options)
        return self.coll.insert_one(doc).inserted_id

    def get(self, scan_id: ObjectId) -> dict | None:
        return self.coll.find_one({"_id": scan_id})

    def claim_next(self, owner: str, lease: timedelta) -> dict | None:
        """Take the oldest pending scan for this owner, or None. Atomic across managers."""
        now = self.clock()
        return self.coll.find_one_and_update(
            {"status": "pending"},
            {"$set": {"status": "running", "start_timestamp": now, "owner": owner, "lease_until": now + lease}},
            sort=[("submit_timestamp", 1), ("_id", 1)],
            return_document=ReturnDocument.AFTER,
        )

    def renew(self, scan_id: ObjectId, owner: str, lease: timedelta) -> bool:
        res = self.coll.update_one({"_id": scan_id, "owner": owner, "status": "running"},
                                   {"$set": {"lease_until": self.clock() + lease}})
        return res.matched_count == 1

    def finish(self, scan_id: ObjectId, status: str, **fields) -> None:
        if status not in FINAL:
            raise ValueError(f"{status!r} is not a final scan status ({', '.join(FINAL)})")
        self.coll.update_one({"_id": scan_id}, {"$set": {"status": status, "end_timestamp": self.clock(), **fields}})

    def expire_leases(self) -> list[ObjectId]:
        """Fail running scans whose manager stopped renewing its lease."""
        now = self.clock()
        expired = [d["_id"] for d in self.coll.find({"status": "running", "lease_until": {"$lt": now}}, {"_id": 1})]
        for scan_id in expired:
            self.coll.update_one({"_id": scan_id, "status": "running", "lease_until": {"$lt": now}},
                                 {"$set": {"status": "failed", "end_timestamp": now,
                                           "error": "the scan manager running it stopped (lease expired)"}})
        return expired

    def active_for(self, environment: str) -> list[dict]:
        return list(self.coll.find({"environment": environment, "status": {"$in": ["pending", "running"]}}))


class ScheduledScans:
    def __init__(self, store: Store, clock: Clock = utcnow):
        self.coll = store["scheduled_scans"]
        self.clock = clock

    def add(self, environment: str, recurrence: str, scheduled_timestamp: datetime | None = None, **options) -> ObjectId:
        doc = {"environment": environment, "recurrence": recurrence, "status": "upcoming",
               "submit_timestamp": self.clock(), "scheduled_timestamp": scheduled_timestamp or self.clock()}
        doc.update(options)
        return self.coll.insert_one(doc).inserted_id

    def due(self) -> list[dict]:
        return list(self.coll.find({"scheduled_timestamp": {"$lte": self.clock()}, "status": {"$in": ["upcoming", "ongoing"]}},
                                   sort=[("scheduled_timestamp", 1)]))

    def advance(self, schedule_id: ObjectId, expected: datetime, next_run: datetime | None) -> bool:
        """Move a schedule past the run at `expected`; False if another manager already did."""
        update = {"$set": {"scheduled_timestamp": next_run, "status": "ongoing"}} if next_run else \
            {"$set": {"status": "finished"}}
        res = self.coll.update_one({"_id": schedule_id, "scheduled_timestamp": expected}, update)
        return res.modified_count == 1

    def delete(self, schedule_id: ObjectId) -> bool:
        return self.coll.delete_one({"_id": schedule_id}).deleted_count == 1
