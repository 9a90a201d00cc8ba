"""The tables on SQLite, queried with MySQL statements.

One in-memory SQLite connection per snapshot, with one attached database per schema, so `nova.instances`
and cross-schema joins (vim-contract Q4) work as written. Statements are translated MySQL -> SQLite by
sqlglot (IF(), CONCAT(), double-quoted literals); unqualified tables get the session's current database.
Tables are WITHOUT ROWID, so rows come back in primary-key order as from InnoDB.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import datetime

from sqlglot import exp

from simulator.mysql import schema
from simulator.mysql.rows import build_rows

log = logging.getLogger(__name__)

sqlite3.register_converter("DATETIME", lambda b: datetime.fromisoformat(b.decode()))
sqlite3.register_adapter(datetime, lambda d: d.isoformat(sep=" "))


class QueryError(Exception):
    """A statement MySQL would refuse: carries MySQL's error code and message."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


class Snapshot:
    """The tables of one model generation, in SQLite."""

    def __init__(self, model, style: str, names: schema.Names):
        self.style, self.names = style, names
        self.conn = sqlite3.connect(":memory:", detect_types=sqlite3.PARSE_DECLTYPES, check_same_thread=False)
        self.lock = threading.Lock()
        with model.lock:
            rows = build_rows(model, style)
            self.generation = model.generation
        for db in schema.schemas(style):
            self.conn.execute(f"ATTACH DATABASE ':memory:' AS `{names.db(db)}`")
        for key in schema.tables(style):
            self.conn.execute(schema.ddl(*key, style, names) + " WITHOUT ROWID")
            cols = [c for c, _ in schema.columns(*key, style)]
            data = rows.get(key, [])
            if data:
                marks = ", ".join("?" * len(cols))
                col_list = ", ".join(f"`{c}`" for c in cols)
                self.conn.executemany(
                    f"INSERT INTO `{names.db(key[0])}`.`{key[1]}` ({col_list}) VALUES ({marks})",
                    [tuple(r.get(c) for c in cols) for r in data])
        self.conn.commit()
        self.tables = {names.db(s): {t for (s2, t) in schema.tables(style) if s2 == s} for s in schema.schemas(style)}

    def info_schema(self) -> dict:
        """{db: {table: {column: type}}} for mysql-mimic's SHOW / INFORMATION_SCHEMA support."""
        return {self.names.db(s): {t: {c: ty for c, ty in schema.columns(s, t, self.style)}
                                   for (s2, t) in schema.tables(self.style) if s2 == s}
                for s in schema.schemas(self.style)}

    def query(self, statement: exp.Expression, database: str | None) -> tuple[list[tuple], list[str]]:
        for table in statement.find_all(exp.Table):
            db = table.db or database
            if not db:
                raise QueryError(1046, "No database selected")
            if db not in self.tables:
                raise QueryError(1049, f"Unknown database '{db}'")
            if table.name not in self.tables[db]:
                raise QueryError(1146, f"Table '{db}.{table.name}' doesn't exist")
            if not table.db:
                table.set("db", exp.to_identifier(db))
        sql = statement.sql(dialect="sqlite")
        with self.lock:
            try:
                cur = self.conn.execute(sql)
            except sqlite3.OperationalError as e:
                text = str(e)
                if text.startswith("no such column"):
                    col = text.split(": ", 1)[1]
                    raise QueryError(1054, f"Unknown column '{col}' in 'field list'") from None
                raise QueryError(1064, f"You have an error in your SQL syntax; {text}") from None
            names = [d[0] for d in cur.description or []]
            return cur.fetchall(), names
