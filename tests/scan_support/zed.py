"""A recorded cloud: the real Zed outputs of tests/fixtures/openstack-zed replayed behind
the scanner's own clients (REST through a requests-like session, SSH through a pool that
answers recorded commands, MySQL rows from the recorded tables).

Not a mock of our code: the scanner's REST client, SSH command routing/quoting/caching
and every fetcher and parser run for real; only the wire is replaced by recordings.
"""

from __future__ import annotations

import csv
import json
import re
import shlex
from pathlib import Path

from scan.access.calls import Caller, RemoteError
from scan.access.rest import OpenStackApi
from scan.access.ssh import Cli, Endpoint, Result
from scan.access.ssh_pool import ConnectFailed
from scan.clients import Clients
from tests.fixtures import ZED

PROJECT = "3d6ab10660f64569bc715f8d7b1bc964"

ENV = {
    "name": "zed", "type": "environment", "environment_type": "OpenStack", "distribution": "Debian",
    "distribution_version": "zed", "mechanism_drivers": ["OVS"], "type_drivers": "vxlan", "listen": False,
    "configuration": [
        {"name": "OpenStack", "host": "127.0.0.1", "port": 5000, "user": "admin", "pwd": "zed-secret-pw"},
        {"name": "mysql", "host": "127.0.0.1", "port": 3306, "user": "root", "pwd": "db-secret-pw"},
        {"name": "CLI", "host": "127.0.0.1", "user": "root", "pwd": "ssh-secret-pw"},
    ],
}


class _Response:
    def __init__(self, status: int, body, headers: dict):
        self.status_code, self._body, self.headers = status, body, headers

    def json(self):
        if isinstance(self._body, str):
            raise ValueError("not JSON")
        return self._body

    @property
    def content(self) -> bytes:
        """The body as the cloud sent it: the recorded JSON as text, or the recorded text."""
        return (self._body if isinstance(self._body, str) else json.dumps(self._body)).encode()


class ZedSession:
    """requests.Session look-alike answering the recorded Keystone/Nova/Neutron calls."""

    def __init__(self, fail: dict[str, int] | None = None):
        self.routes: dict[tuple[str, str], tuple[int, Path, dict]] = {}
        for e in json.loads((ZED / "api/index.json").read_text()):
            if not isinstance(e.get("status"), int):
                continue
            self.routes.setdefault((e["method"], e["url"]), (e["status"], ZED / "api" / e["file"], e["headers"]))
        self.fail = fail or {}
        self.calls: list[str] = []

    def _answer(self, method: str, url: str):
        self.calls.append(f"{method} {url}")
        for pattern, status in self.fail.items():
            if pattern in url:
                return _Response(status, {"error": "injected"}, {})
        key = (method, url)
        if key not in self.routes:
            alt = url.replace("/v2.1/", f"/v2/{PROJECT}/")   # Nova serves both forms
            key = (method, alt)
        if key not in self.routes:
            return _Response(404, {"itemNotFound": {"message": "not recorded"}}, {})
        status, path, headers = self.routes[key]
        text = path.read_text()
        try:
            body = json.loads(text)
        except ValueError:
            body = text
        return _Response(status, body, {"X-Subject-Token": "tok"} if "auth/tokens" in url else headers)

    def get(self, url, headers=None, timeout=None, params=None):
        return self._answer("GET", url)

    def post(self, url, json=None, headers=None, timeout=None):
        return self._answer("POST", url)


class ZedPool:
    """SSH pool look-alike: recorded command outputs; `ssh <host> <cmd>` unwrapped to <cmd>."""

    ALIASES = {"ls -l /sys/class/net": "ls -l /sys/class/net | grep ^l"}

    def __init__(self, down: set[str] | None = None, garbage: dict[str, str] | None = None):
        self.outputs: dict[str, tuple[int, str]] = {}
        for e in json.loads((ZED / "cli/index.json").read_text()):
            self.outputs[e["cmd"]] = (e["rc"], (ZED / "cli" / e["file"]).read_text())
        self.down = down or set()
        self.garbage = garbage or {}
        self.commands: list[str] = []

    def exec(self, ep: Endpoint, command: str, timeout: float) -> Result:
        self.commands.append(command)
        argv = shlex.split(command)
        target = None
        if ep.via is not None and ep.host in self.down:    # a jump connection through the master
            raise ConnectFailed("SSH", ep.host, "connect", "host unreachable from the master: port 22: Connect failed")
        if argv[0] == "ssh":
            target, inner = argv[-2], argv[-1]
            if target in self.down:
                return Result("", f"ssh: connect to host {target} port 22: No route to host\n", 255)
        else:
            inner = command
        inner = self.ALIASES.get(inner, inner)
        for needle, text in self.garbage.items():
            if needle in inner:
                return Result(text, "", 0)
        if inner not in self.outputs:
            return Result("", f"bash: {inner.split()[0]}: command not found\n", 127)
        rc, out = self.outputs[inner]
        return Result(out, "", rc)

    def close(self) -> None:
        pass


def _rows(path: Path) -> list[dict]:
    with path.open() as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [{k: (None if v == "NULL" else v) for k, v in r.items()} for r in rows]


class ZedDb:
    """The recorded tables, answering the scanner's bulk queries."""

    def __init__(self, fail: bool = False):
        t = ZED / "mysql/tables"
        self.tables = {p.name[:-len(".sample.tsv")]: p for p in t.glob("*.sample.tsv")}
        self.fail = fail
        self.queries: list[str] = []

    def query(self, sql: str, params: tuple = (), what: str | None = None) -> list[dict]:
        self.queries.append(sql)
        if self.fail:
            raise RemoteError("MySQL", "127.0.0.1", what or sql, "(2003) Can't connect", transient=True)
        m = re.search(r"FROM (\w+)\.(\w+)", sql)
        name = f"{m.group(1)}.{m.group(2)}"
        if name not in self.tables:
            return []
        rows = _rows(self.tables[name])
        if "WHERE deleted = 0" in sql:
            rows = [r for r in rows if str(r.get("deleted")) == "0"]
        return rows

    def schemas(self) -> list[str]:
        return ["information_schema", "keystone", "neutron", "nova", "nova_api", "nova_cell0"]

    def neutron_schema(self) -> str:
        return "neutron"

    def has_schema(self, name: str) -> bool:
        return name in self.schemas()

    def close(self) -> None:
        pass


def zed_clients(session: ZedSession | None = None, pool: ZedPool | None = None, db: ZedDb | None = None):
    """A clients factory for ScanController replaying the Zed cloud."""
    def factory(env: dict, caller: Caller) -> Clients:
        sections = {s["name"]: s for s in env["configuration"]}
        api = OpenStackApi(sections["OpenStack"], caller, session=session or ZedSession())
        p = pool or ZedPool()
        cli = Cli(sections["CLI"], caller, p)
        return Clients(api=api, db=db or ZedDb(), cli=cli, pool=None)
    return factory
