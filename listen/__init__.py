"""The event listener: follows OpenStack notifications and keeps the inventory, links and cliques current.

envelope.py   oslo.messaging bodies (v1 flat, v2 `oslo.message` string) -> Notification
handlers/     one small handler per family of events: notification -> Plan (what to rescan, what changed)
events.py     the one table: event type -> handler, validated at start-up
apply.py      carries a Plan out with the scanner's fetchers, persistence, link finders and clique builder
consumer.py   one kombu consumer per environment (own durable queue, ack after write, retries, failed_events)
manager.py    starts/stops consumers as environment configs change; cli.py is `calipso listen`
"""
