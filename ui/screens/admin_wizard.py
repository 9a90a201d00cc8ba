"""`/wizard` and `/wizard/<name>`: add or edit an environment, tab by tab, validated by the API.

Option lists come from the API's constants and supported environments; the page's script hides
tabs the environment type and flags do not need, disables flags the variant does not support
(saying why), warns about unsaved changes and runs each tab's connection test. Every problem the
API finds is shown at its field, and on its tab.
"""

from __future__ import annotations

import json

from ui.apiclient import NotFound
from ui.screens.admin_base import AdminScreen, field_problems, form_of, one
from ui.screens.admin_wizard_form import (LOCKED_ON_EDIT, TABS, document_from, fields_of, problem_field, values_of)

CONSTANTS = ("environment_types", "distributions", "distribution_versions", "mechanism_drivers", "type_drivers",
             "environment_provision_types", "env_types", "environment_monitoring_types", "ssh_host_access")


class Wizard(AdminScreen):
    def options(self, req) -> dict:
        out = {}
        for name in CONSTANTS:
            doc = self.api(req, "/constants", {"name": name})
            out[name] = [str(d.get("value")) for d in doc.get("data") or []]
        return out

    def show(self, req, resp, name: str | None, values: dict, problems: dict | None = None,
             general: list | None = None, status: int = 200, done: str | None = None) -> None:
        supported = self.api(req, "/supported_environments", {"page_size": 1000})["supported_environments"]
        self.render(req, resp, "admin/wizard.html", status=status, editing=name, values=values,
                    problems=problems or {}, general=general or [], tabs=TABS, fields={t.section: fields_of(t.section)
                                                                                      for t in TABS},
                    options=self.options(req), supported=json.dumps(supported), locked=LOCKED_ON_EDIT if name else (),
                    done=done, current_env=name, bad_tabs={p.split(".")[0] for p in problems or {}},
                    readonly=bool(name) and name not in self.editable(req))

    def stored(self, req, name: str) -> dict:
        doc = self.api(req, f"/environment_configs/{name}")
        if not doc:
            raise NotFound(f"no environment {name}")
        return doc

    def on_get(self, req, resp, name: str | None = None):
        if name is None:
            values = {"environment_type": "OpenStack", "app_path": "/home/scan/calipso_prod/app"}
            return self.show(req, resp, None, values)
        self.show(req, resp, name, values_of(self.stored(req, name)), done=req.get_param("saved"))

    def on_post(self, req, resp, name: str | None = None):
        form = form_of(req)
        stored = self.stored(req, name) if name else None
        doc = document_from(form, stored, self.session(req).username)
        if name:
            _, err = self.attempt(req, "PUT", f"/environment_configs/{name}", doc)
        else:
            _, err = self.attempt(req, "POST", "/environment_configs", doc)
        if err is None:
            self.session(req).data.pop("nav", None)  # the environments menu changed
            self.redirect(f"/wizard/{doc.get('name') or name}?saved={'updated' if name else 'added'}")
        problems, general = field_problems(err, problem_field)
        values = {k: (v if isinstance(v, list) and k == "mechanism_drivers" else one(form, k)) for k, v in form.items()
                  if k != "csrf_token" and not any(k == f.name and f.secret for t in TABS for f in fields_of(t.section))}
        if name:
            values.update({k: v for k, v in values_of(stored).items() if k.endswith(":stored")})
            values.update({k: stored.get(k) for k in LOCKED_ON_EDIT})
        self.show(req, resp, name, values, problems, general, status=err.status)


def routes(console):
    w = Wizard(console)
    return [("/wizard", w), ("/wizard/{name}", w)]
