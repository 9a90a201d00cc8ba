"""What one command gives back, and the context it runs in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from simulator.hostview import HostView, Link


@dataclass
class Result:
    out: str = ""
    err: str = ""
    status: int = 0


def fail(err: str, status: int = 1, out: str = "") -> Result:
    return Result(out, err, status)


@dataclass
class Ctx:
    """Where a command runs: the host, the namespace (its links), and who runs it."""

    view: HostView
    root: bool
    run: Callable[[str, "Ctx"], Result]  # run a nested command line (netns exec, docker exec)
    hop: Callable[..., Result]  # ssh to another host: (target, command line, quiet, StrictHostKeyChecking)
    namespace: str | None = None
    links: list[Link] = field(default_factory=list)

    def in_namespace(self, name: str, links: list[Link]) -> "Ctx":
        return Ctx(self.view, self.root, self.run, self.hop, name, links)


Handler = Callable[[Ctx, list[str], str], Result]
