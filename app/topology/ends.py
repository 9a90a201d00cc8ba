"""The two ends of a path, named as an operator types them: an inventory id, or a name when one object has it.

Operators know their servers by name (`web-1`), not by Nova's UUID; a name that several objects share is
refused with the candidates listed, so the answer never silently picks one of them.
"""

from __future__ import annotations

from app.inventory import Inventory
from app.store.store import Store

#: how many same-named objects an ambiguity error lists
SHOWN = 10


class UnknownObject(LookupError):
    def __init__(self, which: str, message: str):
        super().__init__(message)
        self.which = which


def _describe(doc: dict) -> str:
    host = f" on {doc['host']}" if doc.get("host") else ""
    return f"{doc.get('type')} {doc.get('name')}{host} (id {doc.get('id')})"


def resolve(store: Store, env: str, which: str, text: str) -> dict:
    """The object whose inventory id is `text`, else the one object named `text` in the environment."""
    inv = Inventory(store)
    doc = inv.get(env, text)
    if doc is not None:
        return doc
    named = inv.find({"environment": env, "name": text}, limit=SHOWN + 1)
    if len(named) == 1:
        return named[0]
    if not named:
        raise UnknownObject(which, f"no object with id or name {text!r} in this environment")
    listed = "; ".join(_describe(d) for d in named[:SHOWN]) + ("; ..." if len(named) > SHOWN else "")
    raise UnknownObject(which, f"{len(named) if len(named) <= SHOWN else 'more than ' + str(SHOWN)} objects are "
                               f"named {text!r}: {listed}; give the id of one")
