"""When a hierarchy entry applies to an environment (spec §6.3, with the any-overlap rule).

A condition maps an environment field to the values it may take; every field must match,
a field matches when the environment's value(s) and the allowed values intersect.
"""

from __future__ import annotations

KNOWN_KEYS = ("environment_type", "mechanism_drivers", "type_drivers", "distribution", "distribution_version",
              "aci_enabled")


def _values(v) -> set[str]:
    if v is None or v == "":
        return set()
    if isinstance(v, (list, tuple, set)):
        return {str(x).lower() for x in v}
    return {str(v).lower()}


def matches(condition: dict | None, env: dict) -> bool:
    if not condition:
        return True
    for key, allowed in condition.items():
        actual = env.get(key)
        if key == "environment_type" and not actual:
            actual = "OpenStack"
        if isinstance(allowed, bool):
            if bool(actual) is not allowed:
                return False
            continue
        if not (_values(actual) & _values(allowed)):
            return False
    return True
