"""The model's change events and who hears them (the notifications a real cloud's services publish).

A mutation queues its events while it holds the model's lock; they are delivered after it lets go,
in order and by one deliverer at a time, so a subscriber sees a change already visible in every
facade and may read the model (or change it) without deadlocking the mutation that made it.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from simulator.model.entities import Event

log = logging.getLogger(__name__)


class Notifier:
    """Subscribers and the events waiting for them."""

    def __init__(self) -> None:
        self._subscribers: list[Callable[[Event], None]] = []
        self._outbox: list[Event] = []
        self._deliver_lock = threading.Lock()

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call `callback(event)` for every event from now on. Returns an unsubscribe."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def post(self, event: Event) -> None:
        """Queue an event (the caller holds the model's lock)."""
        self._outbox.append(event)

    def deliver(self, lock) -> None:
        """Hand every queued event to every subscriber, in order, outside `lock` (the model's)."""
        with self._deliver_lock:
            with lock:
                events, self._outbox = self._outbox, []
            for event in events:
                for callback in list(self._subscribers):
                    try:
                        callback(event)
                    except Exception:  # a broken subscriber must not break the cloud
                        log.exception("event subscriber failed on %s", event.event_type)
