"""Placing an object in the tree: its name, parent and `id_path`/`name_path` (spec §2.2, §2.4).

Pure functions: the caller resolves the parent document; nothing here touches the store.
"""

from __future__ import annotations

from app.errors import CalipsoError

PROJECT_MARKER = "in_project-"


def root(env: str) -> dict:
    """The virtual environment root every top-level object hangs from."""
    return {"id": env, "type": "environment", "id_path": f"/{env}", "name_path": f"/{env}", "environment": env}


def place(obj: dict, parent: dict, env: str, obj_type: str | None = None) -> dict:
    """The document to store for `obj` found under `parent`, with paths built as the original did.

    Differences from the original, on purpose: the project markers `in_project-<name>` are kept
    as a `projects` list (the original computed and dropped it), and an id that is blank or
    contains `/` is refused instead of silently breaking the tree.
    """
    o = dict(obj)
    if obj_type:
        o["type"] = obj_type
    if "id" not in o or o["id"] is None or str(o["id"]).strip() == "":
        raise CalipsoError(f"object of type {o.get('type', '?')} under {parent.get('id')} has no id")
    o["id"] = str(o["id"]).strip()
    if "/" in o["id"]:
        raise CalipsoError(f"object id {o['id']!r} contains '/', which would break id_path")
    if not o.get("type"):
        raise CalipsoError(f"object {o['id']} has no type")
    o["environment"] = env
    o["show_in_tree"] = o.get("show_in_tree", True)
    if o.get("text"):
        o["name"] = o["text"]
    elif not o.get("name"):
        o["name"] = o["id"]
    o["name"] = str(o["name"])
    if not o.get("parent_id"):
        o["parent_id"] = parent["id"]
        o["parent_type"] = parent.get("type")
    parent_id_path = parent.get("id_path") or f"/{env}"
    parent_name_path = parent.get("name_path") or f"/{env}"
    o["id_path"] = f"{parent_id_path}/{o['id']}"
    o["name_path"] = f"{parent_name_path}/{o['name']}"
    o["object_name"] = o.get("object_name") or o["name"]
    marked = [k for k in o if k.startswith(PROJECT_MARKER)]   # nearly always none: one pass over the keys
    projects = [k[len(PROJECT_MARKER):] for k in marked]
    for k in marked:
        del o[k]
    if projects:
        o["projects"] = sorted(set(o.get("projects", [])) | set(projects))
    o.pop("master_parent_type", None)
    o.pop("master_parent_id", None)
    return o


def plural(word: str) -> str:
    """English plural for folder names (the original appended 's' blindly)."""
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def static_folder(parent: dict, types_name: str, text: str | None = None, folder_type: str | None = None) -> dict:
    """A folder fetched under `parent` (spec §2.4): id `<parent id>-<types_name>`, label `text`."""
    return {
        "id": f"{parent['id']}-{types_name}",
        "type": folder_type or f"{types_name}_folder",
        "text": text or types_name.replace("_", " ").capitalize(),
        "parent_id": parent["id"],
        "parent_type": parent.get("type"),
        "create_object": True,
    }


def dynamic_folder(master: dict, object_type: str, text: str | None = None) -> dict:
    """The folder created on demand for objects of `object_type` under `master` (spec §2.4).

    Unlike the original, its `name` is its label, like a static folder's.
    """
    p = plural(object_type)
    return {
        "id": f"{master['id']}-{p}",
        "type": f"{p}_folder",
        "text": text or p.replace("_", " ").title(),
        "parent_id": master["id"],
        "parent_type": master.get("type"),
        "create_object": True,
    }
