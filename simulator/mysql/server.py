"""The MySQL wire protocol (mysql-mimic) in front of `engine.Snapshot`, plus the `mysql` servers entry.

Users authenticate with mysql_native_password (mysql-mimic's default identity provider would reject any
client that sends a password). A failed login gets MySQL's own error 1045 text. The snapshot is rebuilt
when the model changed (`model.generation`), so a mutation is visible to the next query; it is rebuilt in a
worker thread, so that the server keeps greeting clients meanwhile.
`--mysql-url` loads the same tables into a real MariaDB instead (see `simulator.mysql.mariadb`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
import threading

from mysql_mimic import MysqlServer, Session
from mysql_mimic.auth import Forbidden, IdentityProvider, NativePasswordAuthPlugin, Success, User
from mysql_mimic.errors import MysqlError
from mysql_mimic.variables import SYSTEM_VARIABLES, GlobalVariables, SessionVariables
from sqlglot import exp

from app.logs import register_secret
from simulator.mysql import schema
from simulator.mysql.engine import QueryError, Snapshot

log = logging.getLogger(__name__)

USER = "calipso"
#: what `SHOW DATABASES` lists besides our schemas (as on the recorded Zed server)
_OTHER_DATABASES = ("glance", "information_schema", "mysql", "nova_cell0", "performance_schema", "placement", "sys")


class _NativePassword(NativePasswordAuthPlugin):
    """mysql_native_password with MySQL's own access-denied message."""

    async def auth(self, auth_info=None):
        user = auth_info.user.name if auth_info else ""
        gen = super().auth(auth_info)
        decision = await gen.__anext__()
        while not isinstance(decision, (Forbidden, Success)):
            info = yield decision
            user = info.user.name if info else user
            decision = await gen.asend(info)
        if isinstance(decision, Forbidden):
            yield Forbidden(f"Access denied for user '{user}'@'127.0.0.1' (using password: YES)")
        else:
            yield decision


class Identities(IdentityProvider):
    def __init__(self, passwords: dict[str, str], refuse_all: bool = False):
        self.passwords, self.refuse_all = passwords, refuse_all

    def get_plugins(self):
        return [_NativePassword()]

    async def get_user(self, username: str) -> User | None:
        password = self.passwords.get(username)
        if password is None or self.refuse_all:  # unknown users fail like a wrong password, as in MySQL
            password = secrets.token_hex(16)
        return User(name=username, auth_string=NativePasswordAuthPlugin.create_auth_string(password),
                    auth_plugin=NativePasswordAuthPlugin.name)


class Tables:
    """The current snapshot of the model's tables, rebuilt on demand after a change."""

    def __init__(self, model, style: str, names: schema.Names):
        self.model, self.style, self.names = model, style, names
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def current(self) -> Snapshot:
        with self._lock:
            if self._snapshot is None or self._snapshot.generation != self.model.generation:
                self._snapshot = Snapshot(self.model, self.style, self.names)
            return self._snapshot

    async def ready(self) -> Snapshot:
        """`current()` for the server's loop: a snapshot made again (a 10,000-host cloud's: ~10 s) is made in a
        worker thread, so the loop goes on greeting clients and answering the others meanwhile, as a real server
        does while rows change; a client that waited 10 s for a greeting would give up connecting."""
        snapshot = self._snapshot
        if snapshot is not None and snapshot.generation == self.model.generation:
            return snapshot
        return await asyncio.get_running_loop().run_in_executor(None, self.current)


def _garble(rows: list[tuple], names: list[str]) -> tuple[list[tuple], list[str]]:
    """The `garbage` fault: columns rotated and every string cut in half."""
    cut = [tuple(v[: len(v) // 2] if isinstance(v, str) else v for v in r) for r in rows]
    return [r[1:] + r[:1] for r in cut], names


#: what the server says it is, per release (the recorded Zed cloud ran MariaDB 10.11 on Debian 12)
SERVER_VARIABLES = {
    "current": {"version": "10.11.19-MariaDB-0+deb12u1", "version_comment": "Debian 12",
                "sql_mode": "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION"},
    "old": {"version": "10.0.38-MariaDB-0ubuntu0.16.04.1", "version_comment": "Ubuntu 16.04",
            "sql_mode": "NO_ENGINE_SUBSTITUTION,STRICT_TRANS_TABLES"},
}


def make_session_class(tables: Tables, conditions):
    variables = dict(SYSTEM_VARIABLES)  # session variables fall back to the schema's defaults, so set those
    for name, value in SERVER_VARIABLES[tables.style].items():
        kind, _, dynamic = variables[name]
        variables[name] = (kind, value, dynamic)
    globals_ = GlobalVariables(variables)

    class SimSession(Session):
        def __init__(self):
            super().__init__(SessionVariables(globals_))

        async def query(self, expression: exp.Expression, sql: str, attrs: dict):
            delay = conditions.delay("db", "mysql")
            if delay:
                await asyncio.sleep(delay)
            snapshot = await tables.ready()
            try:
                rows, names = snapshot.query(expression, self.database)
            except QueryError as e:
                raise MysqlError(str(e), code=e.code) from None
            if conditions.has("mysql", "garbage"):
                rows, names = _garble(rows, names)
            return rows, names

        async def schema(self):
            return (await tables.ready()).info_schema()

        async def _show(self, expression: exp.Show):
            if expression.name.upper() == "DATABASES":
                dbs = sorted({*(await tables.ready()).tables, *_OTHER_DATABASES})
                return [(d,) for d in dbs], ["Database"]
            return await super()._show(expression)

        async def use(self, database: str) -> None:
            if database not in (await tables.ready()).tables and database not in _OTHER_DATABASES:
                raise MysqlError(f"Unknown database '{database}'", code=1049)
            self.database = database

    return SimSession


class MySQLServer:
    """`Cls(model, options)` for `simulator.servers`: the embedded server, or a load into `--mysql-url`."""

    def __init__(self, model, options):
        self.model, self.options = model, options
        self.style = "old" if options.release == "old" else "current"
        self.names = schema.Names(neutron=options.extra.get("neutron_schema", "neutron"))
        self.password = options.extra.get("mysql_password") or secrets.token_urlsafe(12)
        register_secret(self.password)
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: MysqlServer | None = None
        self._external = None

    def start(self) -> None:
        if self.options.mysql_url:
            from simulator.mysql.mariadb import MariaDBTables
            self._external = MariaDBTables(self.model, self.options.mysql_url, self.style)
            self._external.load()
            self._external.follow()
            return
        conditions = self.options.conditions
        tables = Tables(self.model, self.style, self.names)
        tables.current()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.options.bind, int(self.options.extra.get("mysql_port", 0))))
        self.port = sock.getsockname()[1]
        if conditions.has("mysql", "down"):
            sock.close()
            return
        identities = Identities({USER: self.password}, refuse_all=conditions.has("mysql", "auth"))
        self._server = MysqlServer(session_factory=make_session_class(tables, conditions),
                                   identity_provider=identities)
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self._server.start_server(sock=sock, port=None))
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="sim-mysql", daemon=True)
        self._thread.start()
        ready.wait(10)
        log.info("MySQL on %s:%d", self.options.bind, self.port)

    def stop(self) -> None:
        if self._external is not None:
            self._external.close()
        if self._loop is not None and self._server is not None:
            loop = self._loop

            async def shutdown() -> None:
                loop.set_exception_handler(lambda _loop, _context: None)  # cancelled clients are expected
                self._server.close()
                tasks = [t for t in asyncio.all_tasks(loop) if t is not asyncio.current_task()]
                for t in tasks:  # open client connections
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                loop.stop()

            asyncio.run_coroutine_threadsafe(shutdown(), loop)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def config_section(self) -> dict:
        if self._external is not None:
            return self._external.config_section()
        return {"host": self.options.host, "port": self.port, "user": USER, "pwd": self.password, "schema": "nova"}
