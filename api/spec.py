"""What each operation accepts and returns: one definition drives validation and /openapi.json."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from api.params import Param

PAGE = Param("page", "int", default=0, minimum=0, maximum=1_000_000, doc="zero-based page number")
PAGE_SIZE = Param("page_size", "int", default=1000, minimum=1,
                  doc="rows per page; values above the server's cap are reduced to it "
                      "(the response then carries page_size_applied and the X-Page-Size-Applied header)")
PAGING = (PAGE, PAGE_SIZE)


@dataclass(frozen=True)
class Operation:
    summary: str
    query: tuple[Param, ...] = ()
    body: tuple[Param, ...] | None = None
    body_schema: dict | None = None       # when the body is not described by Params
    response: dict = field(default_factory=lambda: {"type": "object"})
    status: int = 200
    auth: str = "user"                    # public | user | admin
    write: bool = False                   # may answer 403 (needs edit-env or admin)
    env_scoped: bool = False              # may answer 404 for an environment the caller may not view
    extra_query: str | None = None        # regex of additional parameter names (links: attributes:<name>)
    tags: tuple[str, ...] = ()
    errors: tuple[int, ...] = ()          # statuses of its own beyond the common ones (409, 401 when public...)

    @property
    def extra_re(self) -> re.Pattern | None:
        return re.compile(self.extra_query) if self.extra_query else None


def obj(props: dict | None = None, required: tuple[str, ...] = (), additional: bool = True) -> dict:
    s: dict = {"type": "object", "properties": props or {}}
    if required:
        s["required"] = list(required)
    if not additional:
        s["additionalProperties"] = False
    return s


def listing(key: str, item_fields: tuple[str, ...]) -> dict:
    """Schema of a list response {key: [...]} with the optional page_size_applied note."""
    return obj({key: {"type": "array", "items": obj({f: {} for f in item_fields})},
                "page_size_applied": {"type": "integer"}}, required=(key,))


STR = {"type": "string"}
MESSAGE = obj({"message": STR, "id": STR}, required=("message",))
