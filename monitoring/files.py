"""Generated configuration as files under the Monitoring section's `config_folder` (provision Files):
`server/<file>` and `host/<host>/<file>`, written atomically, nothing half-written left behind."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from monitoring.generate import Generated
from monitoring.ids import encode_id


def host_dir(folder: Path, host: str) -> Path:
    return folder / "host" / encode_id(host, part=False)


def render(config: dict) -> bytes:
    return (json.dumps(config, indent=2, sort_keys=True) + "\n").encode()


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
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


def write_all(folder: Path, gen: Generated) -> int:
    """Write every generated file; files holding the RabbitMQ password are mode 0600. Returns the count."""
    n = 0
    for name, config in gen.server.items():
        write_atomic(folder / "server" / name, render(config), 0o600 if name == "rabbitmq.json" else 0o644)
        n += 1
    for host, files in gen.hosts.items():
        for name, config in files.items():
            write_atomic(host_dir(folder, host) / name, render(config), 0o600 if name == "rabbitmq.json" else 0o644)
            n += 1
    return n
