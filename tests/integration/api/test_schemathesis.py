"""schemathesis against /openapi.json: whatever it generates, the API never answers with a server error,
nor with a status its OpenAPI document does not list for that operation."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES = int(__import__("os").environ.get("CALIPSO_FUZZ_EXAMPLES", "12"))


def test_no_server_error_on_any_generated_request(api):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", api.app)
    api.app.deps.extra["users"].add("fz-admin-7", "Fuzz-admin-pass-7", admin=True)
    headers = api.basic("fz-admin-7", "Fuzz-admin-pass-7")
    failures: list[str] = []
    undocumented: set[str] = set()
    statuses: set[int] = set()
    paths = schema.raw_schema["paths"]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 35

    for op in operations:
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def run(case):
            r = case.call(headers=headers)
            statuses.add(r.status_code)
            if str(r.status_code) not in paths[case.operation.path][case.method.lower()]["responses"]:
                undocumented.add(f"{case.method} {case.operation.path}: {r.status_code}")
            if r.status_code >= 500:
                failures.append(f"{case.method} {case.path} query={case.query} body={case.body!r}: {r.text[:200]}")

        run()
    assert not failures, "\n".join(failures[:10])
    assert not undocumented, "statuses the OpenAPI document does not list: " + ", ".join(sorted(undocumented))
    assert {200, 400} <= statuses  # it did reach the handlers, not only the auth layer
