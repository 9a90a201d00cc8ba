"""ACI filter expressions: `eq(cls.attr,"v")`, `ne`, `wcard(cls.attr,"regex")`, `and(...)`, `or(...)`."""

from __future__ import annotations

import re
from typing import Callable

Predicate = Callable[[dict], bool]


class FilterError(ValueError):
    pass


def _split_args(text: str) -> list[str]:
    args, depth, quote, current = [], 0, False, []
    for ch in text:
        if ch == '"':
            quote = not quote
        elif not quote and ch == "(":
            depth += 1
        elif not quote and ch == ")":
            depth -= 1
        if ch == "," and depth == 0 and not quote:
            args.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    args.append("".join(current).strip())
    return args


def parse(text: str) -> Predicate:
    m = re.fullmatch(r"\s*(\w+)\((.*)\)\s*", text, re.S)
    if not m:
        raise FilterError(text)
    op, args = m.group(1), _split_args(m.group(2))
    if op in ("and", "or"):
        preds = [parse(a) for a in args]
        return (lambda a: all(p(a) for p in preds)) if op == "and" else (lambda a: any(p(a) for p in preds))
    if op == "not" and len(args) == 1:
        inner = parse(args[0])
        return lambda a: not inner(a)
    if len(args) != 2:
        raise FilterError(text)
    prop = args[0].split(".", 1)[-1]
    value = args[1].strip().strip('"')
    if op == "eq":
        return lambda a: str(a.get(prop, "")).lower() == value.lower() if prop in ("addr", "mac") else \
            str(a.get(prop, "")) == value
    if op == "ne":
        return lambda a: str(a.get(prop, "")) != value
    if op == "wcard":
        rx = re.compile(value)
        return lambda a: bool(rx.search(str(a.get(prop, ""))))
    raise FilterError(text)
