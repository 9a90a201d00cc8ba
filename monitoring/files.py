"""Generated configuration as files under the Monitoring section's `config_folder` (provision Files):
`server/<file>` and `host/<host>/<file>`, written atomically, nothing half-written left behind."""

from __future__ import annotations

import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from monitoring.generate import Generated
from monitoring.ids import encode_id


def host_dir(folder: Path, host: str) -> Path:
    return folder / "host" / encode_id(host, part=False)


def render(config: dict) -> bytes:
    return (json.dumps(config, indent=2, sort_keys=True) + "\n").encode()


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace `path` with `data` in one step; an identical file is left alone."""
    try:
        if path.read_bytes() == data and path.stat().st_mode & 0o777 == mode:
            return
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_all(folder: Path, gen: Generated, workers: int = 8) -> int:
    """Write every generated file (in parallel: it is all waiting on the disk); files holding the
    RabbitMQ password are mode 0600. Returns the count."""
    jobs = [(folder / "server" / name, config) for name, config in gen.server.items()]
    jobs += [(host_dir(folder, host) / name, config) for host, files in gen.hosts.items()
             for name, config in files.items()]

    def one(job) -> None:
        path, config = job
        write_atomic(path, render(config), 0o600 if path.name == "rabbitmq.json" else 0o644)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, jobs))
    return len(jobs)
