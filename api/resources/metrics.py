"""/metrics: Calipso's state in the Prometheus text format, for an operator's Prometheus and Grafana.

Per environment the caller may view: inventory objects and links by type and monitoring status,
the last scan's duration, errors and status, failed events (listener and Sensu), the listener's
lag (how late its last applied event was), and the age of check results per object type.
Label values (environment and type names) are escaped by prometheus_client.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import falcon
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from api.resources.base import Resource
from api.spec import Operation

NO_STATUS = "none"


def _aware(value):
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class _Collector:
    def __init__(self, store, envs: list[str], now: datetime):
        self.store, self.envs, self.now = store, envs, now

    def collect(self):
        objects = GaugeMetricFamily("calipso_inventory_objects", "Inventory objects by type and monitoring status",
                                    labels=["environment", "type", "status"])
        links = GaugeMetricFamily("calipso_links", "Links by type and monitoring status",
                                  labels=["environment", "link_type", "status"])
        age = GaugeMetricFamily("calipso_check_result_age_seconds", "Age of the oldest check result per object type",
                                labels=["environment", "type"])
        for env in self.envs:
            oldest: dict[str, float] = {}
            counts: Counter = Counter()
            for d in self.store["inventory"].find({"environment": env}, {"type": 1, "status_value": 1,
                                                                         "status_timestamp": 1}):
                status = self._status(d)
                counts[(d.get("type") or "", status)] += 1
                ts = _aware(d.get("status_timestamp"))
                if ts is not None:
                    oldest[d.get("type") or ""] = max(oldest.get(d.get("type") or "", 0.0),
                                                      (self.now - ts).total_seconds())
            for (t, s), n in sorted(counts.items()):
                objects.add_metric([env, t, s], n)
            for t, seconds in sorted(oldest.items()):
                age.add_metric([env, t], round(seconds, 3))
            lcounts = Counter((d.get("link_type") or "", self._status(d))
                              for d in self.store["links"].find({"environment": env}, {"link_type": 1,
                                                                                       "status_value": 1}))
            for (t, s), n in sorted(lcounts.items()):
                links.add_metric([env, t, s], n)
        yield objects
        yield links
        yield age
        yield from self._scans()
        yield from self._events()

    @staticmethod
    def _status(d: dict) -> str:
        return {0: "OK", 1: "Warning", 2: "Error"}.get(d.get("status_value"), NO_STATUS
                                                        if d.get("status_value") is None else "Unknown")

    def _scans(self):
        seconds = GaugeMetricFamily("calipso_last_scan_duration_seconds", "Duration of the last finished scan",
                                    labels=["environment"])
        errors = GaugeMetricFamily("calipso_last_scan_errors", "Errors (all hosts) of the last finished scan",
                                   labels=["environment"])
        ok = GaugeMetricFamily("calipso_last_scan_success", "1 when the last finished scan did not fail",
                               labels=["environment"])
        for env in self.envs:
            last = next(iter(self.store["scans"].find({"environment": env, "status": {"$in": [
                "completed", "completed_with_errors", "failed"]}}).sort([("end_timestamp", -1)]).limit(1)), None)
            if last is None:
                continue
            report = last.get("report") or {}
            if isinstance(report.get("seconds"), (int, float)):
                seconds.add_metric([env], report["seconds"])
            errors.add_metric([env], sum(len(v) for v in (report.get("errors") or {}).values()))
            ok.add_metric([env], 0 if last.get("status") == "failed" else 1)
        yield from (seconds, errors, ok)

    def _events(self):
        failed = GaugeMetricFamily("calipso_failed_events", "Events that could not be handled",
                                   labels=["environment", "source"])
        lag = GaugeMetricFamily("calipso_listener_lag_seconds", "How late the listener applied its last event",
                                labels=["environment"])
        for env in self.envs:
            by_source = Counter(d.get("source_system") or "OpenStack"
                                for d in self.store["failed_events"].find({"environment": env}, {"source_system": 1}))
            for source in ("OpenStack", "Sensu"):
                failed.add_metric([env, source], by_source.get(source, 0))
            last = next(iter(self.store["messages"].find({"environment": env, "source_system": "OpenStack",
                                                          "finished_timestamp": {"$ne": None}})
                             .sort([("finished_timestamp", -1)]).limit(1)), None)
            if last and _aware(last.get("timestamp")) and _aware(last.get("finished_timestamp")):
                lag.add_metric([env], max(0.0, (_aware(last["finished_timestamp"]) -
                                                _aware(last["timestamp"])).total_seconds()))
        yield from (failed, lag)


class Metrics(Resource):
    operations = {"GET": Operation("Prometheus metrics of the environments the caller may view",
                                   tags=("monitoring",), response={"type": "string"})}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.query(req)
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_Collector(self.store, sorted(self.envs(req).names()), self.deps.clock()))
        resp.content_type = CONTENT_TYPE_LATEST
        resp.text = generate_latest(registry).decode("utf-8")


def routes(deps):
    return [("/metrics", Metrics(deps))]
