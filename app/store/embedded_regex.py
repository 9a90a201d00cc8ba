"""`{field: {"$regex": literal, "$options": "i"}}` in SQL that SQLite runs in C, for name searches.

neosqlite 1.17.2 ran every `$regex` through a Python REGEXP callback on `json_extract(data, path)`, matching
numbers as their text too. When app.store.embedded_exact lets SQL answer a find (the field is indexed and
holds no arrays), a regex on it is answered here: strings only (`json_type = 'text'`); a pattern that is a
plain literal (what `re.escape` makes) by `instr` (case-sensitive) or, with option "i", by `LIKE` for values
in printable ASCII (where LIKE's case folding is exactly the regex's) and by the regex itself for the rest;
any other pattern by REGEXP. A search for part of a name is then a scan of the rows SQLite reads anyway,
without a Python call per row.
"""

from __future__ import annotations

from typing import Any

from app.store.embedded_exact import array_free_fields

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


def regex_clause(json_path: str, pattern: str, options: str) -> tuple[str, list[Any]]:
    value = f"json_extract(data, {json_path})"
    typed = f"json_type(data, {json_path}) = 'text'"
    text = literal(pattern)
    flags = "(?i)" if options == "i" else ""
    if text is not None and not options:
        return f"({typed} AND instr({value}, ?) > 0)", [text]
    if text is not None and text.isascii() and text.isprintable():
        return (f"({typed} AND CASE WHEN {value} GLOB '*[^ -~]*' THEN {value} REGEXP ? "
                f"ELSE {value} LIKE ? ESCAPE '\\' END)", [flags + pattern, f"%{_like_escape(text)}%"])
    return f"({typed} AND {value} REGEXP ?)", [flags + pattern]


def patch_regex_clause() -> None:
    from neosqlite.collection.query_helper._sql_query_builder import SqlQueryBuilderMixin

    original = SqlQueryBuilderMixin._build_operator_clause
    if getattr(original, "_calipso_patched", False):
        return

    def build_operator_clause(self: Any, json_path: str, operators: dict, is_datetime_indexed: bool = False,
                              regex_options: str = "") -> tuple:
        if (array_free_fields() is not None and isinstance(operators, dict) and "$regex" in operators
                and set(operators) <= {"$regex", "$options"} and isinstance(operators["$regex"], str)
                and operators.get("$options", "") in ("", "i") and json_path != "value"):
            return regex_clause(json_path, operators["$regex"], operators.get("$options", ""))
        return original(self, json_path, operators, is_datetime_indexed, regex_options)

    build_operator_clause._calipso_patched = True  # type: ignore[attr-defined]
    SqlQueryBuilderMixin._build_operator_clause = build_operator_clause
