"""`{field: {"$regex": literal, "$options": "i"}}` in SQL that SQLite runs in C, for name searches.

neosqlite 1.17.2 ran every `$regex` through a Python REGEXP callback on `json_extract(data, path)`, matching
numbers as their text too. When app.store.embedded_exact lets SQL answer a find (the field is indexed and
holds no arrays), a regex on it is answered with this clause (app.store.embedded_sql): strings only (`json_type = 'text'`); a pattern that is a
plain literal (what `re.escape` makes) by `instr` (case-sensitive) or, with option "i", by `LIKE` for values
in printable ASCII (where LIKE's case folding is exactly the regex's) and by the regex itself for the rest;
any other pattern by REGEXP. A search for part of a name is then a scan of the rows SQLite reads anyway,
without a Python call per row.
"""

from __future__ import annotations

from typing import Any

SPECIAL = set(".^$*+?{}[]|()\\")


def literal(pattern: str) -> str | None:
    """The text a regex pattern matches literally, or None when it is not a plain (escaped) literal."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if i + 1 >= len(pattern) or pattern[i + 1].isalnum():
                return None
            out.append(pattern[i + 1])
            i += 2
            continue
        if c in SPECIAL:
            return None
        out.append(c)
        i += 1
    return "".join(out)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def regex_clause(json_path: str, pattern: str, options: str, check_type: bool = True) -> tuple[str, list[Any]]:
    """The clause; `check_type` False when the field holds only strings (or null): then every term reads the
    indexed value, and SQLite need not read a row to reject it."""
    value = f"json_extract(data, {json_path})"
    typed = f"+json_type(data, {json_path}) = 'text'" if check_type else "1"   # + : a check, not an index
    text = literal(pattern)
    flags = "(?i)" if options == "i" else ""
    if text is not None and not options:
        return f"({typed} AND instr({value}, ?) > 0)", [text]
    if text is not None and text.isascii() and text.isprintable():
        return (f"({typed} AND CASE WHEN {value} GLOB '*[^ -~]*' THEN {value} REGEXP ? "
                f"ELSE {value} LIKE ? ESCAPE '\\' END)", [flags + pattern, f"%{_like_escape(text)}%"])
    return f"({typed} AND {value} REGEXP ?)", [flags + pattern]
