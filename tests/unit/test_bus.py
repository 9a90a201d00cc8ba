"""app.bus: a filesystem:// URL crosses processes through one directory, topic routing included."""

from kombu import Exchange, Queue

from app.bus import connection


def test_filesystem_bus_routes_a_topic_message_to_a_bound_queue(tmp_path):
    url = f"filesystem://{tmp_path}/bus"
    exchange = Exchange("nova", type="topic", durable=False)
    with connection(url) as consumer_side:
        queue = Queue("calipso-test", exchange, routing_key="#", durable=False)
        queue(consumer_side.default_channel).declare()
        with connection(url) as producer_side:  # a second connection, as another process would open
            producer_side.Producer().publish({"event_type": "x"}, exchange=exchange,
                                             routing_key="notifications.info", declare=[exchange])
        message = queue(consumer_side.default_channel).get(no_ack=True)
        assert message is not None and message.payload == {"event_type": "x"}


def test_filesystem_url_without_directory_is_refused():
    import pytest
    with pytest.raises(ValueError, match="needs a directory"):
        connection("filesystem://")


def test_a_reader_never_takes_a_message_before_it_is_whole(tmp_path, monkeypatch):
    """kombu's own filesystem channel opens the file, then encodes and writes: a reader between the two took
    an empty file, failed on it and had removed it (the message lost). Encoding is held here until the reader
    has looked: it finds nothing, and then the whole message."""
    import threading

    import kombu.transport.filesystem as fs
    import kombu.utils.json as kjson

    url = f"filesystem://{tmp_path}/bus"
    exchange = Exchange("neutron", type="topic", durable=False)   # kombu keeps an exchange's routes per process
    encoding, release = threading.Event(), threading.Event()
    real_dumps = kjson.dumps

    def slow_dumps(*a, **k):
        encoding.set()
        release.wait(10)
        return real_dumps(*a, **k)
    with connection(url) as consumer_side:
        queue = Queue("calipso-test", exchange, routing_key="#", durable=False)
        queue(consumer_side.default_channel).declare()
        with connection(url) as producer_side:
            producer = producer_side.Producer()
            monkeypatch.setattr(fs, "dumps", slow_dumps)
            monkeypatch.setattr("app.bus.dumps", slow_dumps, raising=False)   # ours, and kombu's own
            errors = []

            def send():
                try:
                    producer.publish({"event_type": "x"}, exchange=exchange, routing_key="notifications.info",
                                     declare=[exchange])
                except Exception as e:
                    errors.append(e)
                    encoding.set()
            sending = threading.Thread(target=send)
            sending.start()
            assert encoding.wait(10) and errors == [], errors
            assert queue(consumer_side.default_channel).get(no_ack=True) is None   # nothing half-written taken
            release.set()
            sending.join(10)
        message = queue(consumer_side.default_channel).get(no_ack=True)
        assert message is not None and message.payload == {"event_type": "x"}
