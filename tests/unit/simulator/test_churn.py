"""The demo's self-changing cloud: each step is a real model mutation with its notification."""

from simulator.churn import Churn
from simulator.model import Params, build_model


def test_churn_cycles_through_boot_port_and_delete_with_notifications():
    model = build_model(Params(computes=2, instances=2))
    events = []
    model.subscribe(lambda e: events.append(e.event_type))
    churn = Churn(model)
    servers_before, ports_before = len(model.instances), len(model.ports)
    said = [churn.step() for _ in range(2)]
    assert said[0].startswith("booted server churn-vm-1") and said[1].startswith("added port churn-port-2")
    assert len(model.instances) == servers_before + 1
    assert "compute.instance.create.end" in events and "port.create.end" in events
    said += [churn.step() for _ in range(2)]
    assert said[2].startswith("removed port") and said[3].startswith("deleted server")
    assert len(model.instances) == servers_before and len(model.ports) == ports_before
    assert "port.delete.end" in events and "compute.instance.delete.end" in events
