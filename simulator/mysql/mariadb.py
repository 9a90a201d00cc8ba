"""`--mysql-url mysql://user:pwd@host:port[/prefix]`: the same tables loaded into a real MariaDB.

Databases are `<prefix>nova`, `<prefix>neutron`, `<prefix>keystone` (and `<prefix>nova_api` for the
current release); the prefix is empty normally (Calipso's queries name `nova.` and `keystone.` literally)
and lets tests isolate themselves. Tables are reloaded after every model change, before any other
subscriber hears of it, so a notification never announces a row that is not there yet.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import unquote, urlparse

import pymysql

from app.logs import register_secret
from simulator.model.errors import BadRequest
from simulator.mysql import schema
from simulator.mysql.rows import build_rows

log = logging.getLogger(__name__)


def parse_url(url: str) -> dict:
    u = urlparse(url)
    if u.scheme not in ("mysql", "mariadb", "mysql+pymysql") or not u.hostname:
        raise BadRequest(f"--mysql-url: {url.split('@')[-1]!r} is not mysql://user:password@host:port[/prefix]")
    password = unquote(u.password or "")
    register_secret(password)
    return {"host": u.hostname, "port": u.port or 3306, "user": unquote(u.username or "root"), "pwd": password,
            "prefix": u.path.lstrip("/")}


class MariaDBTables:
    def __init__(self, model, url: str, style: str):
        self.model, self.style = model, style
        self.target = parse_url(url)
        self.names = schema.Names(prefix=self.target["prefix"])
        self._lock = threading.Lock()
        self._unsubscribe = None

    def _connect(self) -> pymysql.Connection:
        t = self.target
        try:
            return pymysql.connect(host=t["host"], port=t["port"], user=t["user"], password=t["pwd"],
                                   autocommit=False, connect_timeout=5)
        except pymysql.MySQLError as e:
            raise BadRequest(f"--mysql-url: cannot use MariaDB at {t['host']}:{t['port']}: {e.args[-1]}") from None

    def load(self) -> None:
        """(Re)create the databases and fill every table from the model."""
        with self._lock, self.model.lock:
            rows = build_rows(self.model, self.style)
            conn = self._connect()
            try:
                with conn.cursor() as cur:
                    for db in schema.schemas(self.style):
                        name = self.names.db(db)
                        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
                        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
                    for key in schema.tables(self.style):
                        cur.execute(schema.ddl(*key, self.style, self.names))
                        cols = [c for c, _ in schema.columns(*key, self.style)]
                        data = rows.get(key, [])
                        if data:
                            cur.executemany(
                                f"INSERT INTO `{self.names.db(key[0])}`.`{key[1]}` "
                                f"({', '.join(f'`{c}`' for c in cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
                                [tuple(r.get(c) for c in cols) for r in data])
                conn.commit()
            finally:
                conn.close()

    def follow(self) -> None:
        """Reload after each change; registered first so it runs before the AMQP publisher."""
        def on_event(event) -> None:
            self.load()
        self._unsubscribe = self.model.subscribe(on_event)
        subscribers = getattr(self.model, "_subscribers", None)
        if isinstance(subscribers, list) and subscribers and subscribers[-1] is on_event:
            subscribers.insert(0, subscribers.pop())

    def drop(self) -> None:
        conn = self._connect()
        try:
            with conn.cursor() as cur:
                for db in schema.schemas(self.style):
                    cur.execute(f"DROP DATABASE IF EXISTS `{self.names.db(db)}`")
            conn.commit()
        finally:
            conn.close()

    def close(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None

    def config_section(self) -> dict:
        t = self.target
        return {"host": t["host"], "port": t["port"], "user": t["user"], "pwd": t["pwd"],
                "schema": self.names.db("nova")}
