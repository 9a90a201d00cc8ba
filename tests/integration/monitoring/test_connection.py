"""The Monitoring section's connection test really connects: AMQP login to the Sensu transport and SSH
to the Sensu server; a wrong password says which."""

from __future__ import annotations

from scan.connection_tests import run_checks
from tests.integration.monitoring.support import start


def section(**over) -> dict:
    return {"name": "Monitoring", "type": "Sensu", "server_ip": "127.0.0.1", "rabbitmq_port": 5672,
            "rabbitmq_user": "guest", "rabbitmq_pass": "guest", "rabbitmq_vhost": "/", "api_port": 1, **over}


def test_amqp_login_and_ssh_to_the_server(initialized_store, tmp_path, rabbitmq):
    loop = start(initialized_store, tmp_path, rabbitmq, scan=False)
    try:
        cli = next(s for s in loop.env["configuration"] if s["name"] == "CLI")
        ok, errors, details = run_checks(["Monitoring"], {"Monitoring": section(
            ssh_user=cli["user"], ssh_password=cli["pwd"], ssh_port=cli["port"])})
        assert ok == {"Monitoring": True}, errors
        assert "logged in to the Sensu transport as 'guest'" in details["Monitoring"]
        assert "SSH to the Sensu server 'ctl-1'" in details["Monitoring"]
        ok, errors, _ = run_checks(["Monitoring"], {"Monitoring": section(
            ssh_user=cli["user"], ssh_password="wrong", ssh_port=cli["port"])})
        assert ok == {"Monitoring": False} and "authentication failed" in errors["Monitoring"]
    finally:
        loop.close()


def test_a_refused_amqp_login_fails(rabbitmq):
    ok, errors, _ = run_checks(["Monitoring"], {"Monitoring": section(rabbitmq_pass="not-the-password")})
    assert ok == {"Monitoring": False}
    assert "ACCESS_REFUSED" in errors["Monitoring"] or "auth" in errors["Monitoring"].lower(), errors
