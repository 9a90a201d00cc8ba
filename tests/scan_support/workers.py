"""`calipso scan-worker` processes on a queue of their own, for tests and benchmarks.

    with Workers(2, proc_env, log_dir) as pool:          # started, and consuming, when the block begins
        ScanController(store, ScanOptions(env=name, distributed=True), distribution=pool.distribution()).run()
        pool.cpu_seconds()                               # what the workers' processes used so far

`proc_env` must point the workers at the scan's store (CALIPSO_MONGO_URI, CALIPSO_HOME).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from scan.distributed.broker import WorkClient, WorkQueue
from scan.distributed.coordinator import Distribution

BROKER = "amqp://guest:guest@127.0.0.1:5672//"


def cpu_of(pid: int) -> float:
    """CPU seconds used so far by a live process and its threads (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


class Workers:
    def __init__(self, n: int, proc_env: dict, log_dir: Path, broker: str = BROKER, queue: str | None = None,
                 worker_broker: str | None = None):
        self.n, self.env, self.log_dir = n, proc_env, Path(log_dir)
        self.queue = WorkQueue(broker, queue or f"calipso-test-work-{uuid.uuid4().hex[:10]}")
        self.worker_broker = worker_broker or broker   # workers may reach the broker another way (a proxy)
        self.procs: list[subprocess.Popen] = []

    def distribution(self, **knobs) -> Distribution:
        return Distribution(self.queue, **knobs)

    def log(self, i: int) -> str:
        path = self.log_dir / f"worker-{i}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start_one(self) -> int:
        i = len(self.procs)
        out = open(self.log_dir / f"worker-{i}.log", "ab")
        self.procs.append(subprocess.Popen(
            [sys.executable, "-m", "app.cli.main", "scan-worker", "--broker", self.worker_broker, "--work-queue",
             self.queue.name, "--name", f"worker-{i}"], env=self.env, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True))
        return i

    def consumers(self) -> int:
        client = WorkClient(self.queue)
        try:
            return client.consumers()
        finally:
            client.close()

    def wait_consuming(self, n: int, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while self.consumers() != n:
            for i, p in enumerate(self.procs):
                if p.poll() is not None and p.returncode != -signal.SIGKILL:
                    raise RuntimeError(f"scan worker {i} exited with {p.returncode}: {self.log(i)[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.consumers()} scan workers consuming after {timeout:.0f} s, not {n}")
            time.sleep(0.2)

    def busy(self) -> int | None:
        """A live worker in the middle of a part (its log says a part started and nothing since)."""
        for i, p in enumerate(self.procs):
            lines = [l for l in self.log(i).splitlines() if ": part " in l]
            if p.poll() is None and lines and lines[-1].rstrip().endswith("started"):
                return i
        return None

    def kill(self, i: int) -> None:
        os.killpg(self.procs[i].pid, signal.SIGKILL)
        self.procs[i].wait(10)

    def cpu_seconds(self) -> float:
        return sum(cpu_of(p.pid) for p in self.procs if p.poll() is None)

    def __enter__(self) -> "Workers":
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for _ in range(self.n):
            self.start_one()
        self.wait_consuming(self.n)
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                    p.wait(15)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    p.kill()
                    p.wait()
        try:   # the test's own queue goes with it
            with self.queue.connect() as conn:
                conn.default_channel.queue_delete(self.queue.name)
        except Exception:
            pass
