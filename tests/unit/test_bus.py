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
