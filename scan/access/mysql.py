"""OpenStack databases over the MySQL protocol (pymysql), with a small connection pool.

Parameters are passed to the driver (never formatted into SQL by us); schema names, which
cannot be parameters, come only from `SHOW DATABASES` and are checked to be plain identifiers.
"""

from __future__ import annotations

import logging
import queue
import re
from contextlib import contextmanager
from typing import Iterator

import pymysql
import pymysql.cursors

from scan.access.calls import AuthError, Caller, RemoteError

log = logging.getLogger(__name__)
IDENT = re.compile(r"^[A-Za-z0-9_]+$")


class Database:
    """Runs read-only queries; thread-safe (one connection per concurrent caller, reused)."""

    def __init__(self, section: dict, caller: Caller, pool_size: int = 4):
        self.host = str(section["host"])
        self.port = int(section["port"])
        self.user = section["user"]
        self.pwd = section.get("pwd") or ""
        self.caller = caller
        self.timeout = int(section.get("connect_timeout") or caller.policy("MySQL").timeout)
        self._pool: queue.LifoQueue = queue.LifoQueue()
        self._size = pool_size
        self._schemas: list[str] | None = None

    def _connect(self) -> pymysql.connections.Connection:
        try:
            return pymysql.connect(host=self.host, port=self.port, user=self.user, password=self.pwd,
                                   connect_timeout=self.timeout, read_timeout=self.timeout * 3,
                                   cursorclass=pymysql.cursors.DictCursor, autocommit=True, charset="utf8mb4")
        except pymysql.err.OperationalError as e:
            code = e.args[0] if e.args else 0
            if code in (1044, 1045, 1698):
                raise AuthError("MySQL", self.host, "connect", f"access denied for user {self.user!r}") from None
            raise RemoteError("MySQL", self.host, "connect", _msg(e), transient=True) from None

    @contextmanager
    def _conn(self) -> Iterator[pymysql.connections.Connection]:
        try:
            conn = self._pool.get_nowait()
        except queue.Empty:
            conn = self._connect()
        ok = False
        try:
            yield conn
            ok = True
        finally:
            if ok and self._pool.qsize() < self._size:
                self._pool.put(conn)
            else:
                try:
                    conn.close()
                except Exception:
                    pass

    def query(self, sql: str, params: tuple = (), what: str | None = None) -> list[dict]:
        what = what or " ".join(sql.split())[:80]

        def do() -> list[dict]:
            with self._conn() as conn:
                try:
                    with conn.cursor() as cur:
                        cur.execute(sql, params or None)
                        return [dict(r) for r in cur.fetchall()]
                except pymysql.err.OperationalError as e:
                    raise RemoteError("MySQL", self.host, what, _msg(e), transient=True) from None
                except pymysql.err.MySQLError as e:
                    raise RemoteError("MySQL", self.host, what, _msg(e)) from None

        return self.caller("MySQL", self.host, what, do)

    def schemas(self) -> list[str]:
        if self._schemas is None:
            rows = self.query("SHOW DATABASES", what="SHOW DATABASES")
            self._schemas = [str(next(iter(r.values()))) for r in rows if r]
        return self._schemas

    def neutron_schema(self) -> str:
        """Neutron's database: `neutron` itself when the server has it (a shared MySQL may also hold copies or
        other deployments' `*_neutron`), else the one database whose name holds it (`ovs_neutron` in old
        deployments); several such and no `neutron` is an error naming them."""
        if "neutron" in self.schemas():
            return "neutron"
        found = [s for s in self.schemas() if "neutron" in s and IDENT.match(s)]
        if len(found) != 1:
            raise RemoteError("MySQL", self.host, "SHOW DATABASES",
                              f"expected one database named like 'neutron', found {found or 'none'}")
        return found[0]

    def has_schema(self, name: str) -> bool:
        return name in self.schemas()

    def close(self) -> None:
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return
            except Exception:
                pass


def _msg(e: Exception) -> str:
    args = getattr(e, "args", ())
    if len(args) >= 2:
        return f"({args[0]}) {args[1]}"
    return str(e) or type(e).__name__
