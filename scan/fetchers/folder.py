"""Static folders (spec §2.4): `<parent id>-<types_name>`, labelled `text`."""

from __future__ import annotations

from dataclasses import dataclass

from app.paths import static_folder


@dataclass(frozen=True)
class FolderFetcher:
    types_name: str
    text: str | None = None
    source: str = "Folder"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        f = static_folder(parent, self.types_name, self.text)
        if parent.get("type") == "host":
            f["host"] = parent["id"]
        elif parent.get("host"):
            f["host"] = parent["host"]
        return [f]
