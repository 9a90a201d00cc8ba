"""What the administration screens share: form parsing, API writes with their problems, rows per page.

Every write goes to the API with the signed-in user's token, so the API's RBAC decides; a
refusal comes back as a `Refused` whose problems the form shows at their fields. A 403 from the
API (a view-only user's forged POST) is shown as a 403 page.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import falcon

from ui.apiclient import Refused
from ui.console import Screen

DEFAULT_PAGE_SIZE = 25
_INDEX = re.compile(r"\[(\d+)\]$")


def form_of(req: falcon.Request) -> dict:
    """The posted form as {name: str or [str]}; nothing posted is an empty dict."""
    form = req.get_media(default_when_empty={})
    return form if isinstance(form, dict) else {}


def one(form: dict, key: str, default: str = "") -> str:
    v = form.get(key, default)
    if isinstance(v, list):
        v = v[-1] if v else default
    return str(v).strip() if v is not None else default


def many(form: dict, key: str) -> list[str]:
    v = form.get(key)
    if v is None or v == "":
        return []
    return [str(x) for x in (v if isinstance(v, list) else [v]) if str(x) != ""]


def checked(form: dict, key: str) -> bool:
    return one(form, key) in ("on", "true", "1", "yes")


def field_problems(err: Refused, field_of=lambda p: p) -> tuple[dict[str, list[str]], list[str]]:
    """({form field: [reasons]}, [reasons with no field]) from an API refusal."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for p in err.problems:
        name = field_of(_INDEX.sub("", str(p.get("parameter") or "")))
        if name:
            by_field.setdefault(name, []).append(str(p.get("reason") or ""))
        else:
            general.append(str(p.get("reason") or ""))
    if not err.problems:
        general.append(err.message)
    return by_field, general


class AdminScreen(Screen):
    """A screen that writes through the API and pages its lists by the user's own setting."""

    def send(self, req: falcon.Request, method: str, path: str, body=None, params=None) -> dict:
        """A write as the signed-in user; a 403 (or 404) from the API becomes that page."""
        return self.console.api.send(method, self.session(req).token, path, body, params)

    def attempt(self, req: falcon.Request, method: str, path: str, body=None,
                params=None) -> tuple[dict | None, Refused | None]:
        """(answer, None), or (None, refusal) when the API found problems with the request (400, 409)."""
        try:
            return self.send(req, method, path, body, params), None
        except Refused as e:
            if e.status in (400, 409):
                return None, e
            raise

    def settings(self, req: falcon.Request) -> dict:
        s = self.session(req)
        if "settings" not in s.data:
            s.data["settings"] = self.api(req, "/user_settings")
        return s.data["settings"]

    def page_size(self, req: falcon.Request) -> int:
        return int(self.settings(req).get("page_size") or DEFAULT_PAGE_SIZE)

    def page_number(self, req: falcon.Request) -> int:
        raw = req.get_param("page") or "0"
        return int(raw) if raw.isdigit() and int(raw) < 100000 else 0

    @staticmethod
    def href(path: str, params: dict) -> str:
        kept = {k: v for k, v in params.items() if v not in (None, "", [])}
        return path + ("?" + urlencode(kept, doseq=True) if kept else "")

    def editable(self, req: falcon.Request) -> list[str]:
        """Environments the user may change (scan, edit, delete), as the API says."""
        if not hasattr(req.context, "editable"):
            envs = self.api(req, "/summary").get("environments", [])
            req.context.editable = [e["name"] for e in envs if e.get("can_edit")]
        return req.context.editable

    def env_names(self, req: falcon.Request) -> list[str]:
        return [e["name"] for e in self.environments(req)]
