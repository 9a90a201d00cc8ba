"""Environment config validation given values of unexpected JSON types: problems, never exceptions."""

from __future__ import annotations

import pytest

from app.envconfig.catalog import Catalog
from app.envconfig.validate import validate_environment, validate_sections
from app.errors import ValidationFailed

CATALOG = Catalog.from_seed()


@pytest.mark.parametrize("name", [["CLI"], {"a": 1}, 5, 1.5, True])
def test_section_name_of_another_type_is_a_problem(name):
    sections, problems = validate_sections([{"name": name, "host": "h", "user": "u"}], None, CATALOG,
                                           check_mandatory=False)
    assert sections == []
    assert [p.path for p in problems] == ["configuration[0].name"]
    assert "must be a string" in problems[0].reason


def test_whole_document_with_odd_section_names_is_rejected_not_crashed():
    with pytest.raises(ValidationFailed) as e:
        validate_environment({"name": "x", "configuration": [{"name": [None]}, {"name": {}}]}, CATALOG)
    assert any(p.path == "configuration[0].name" for p in e.value.problems)
