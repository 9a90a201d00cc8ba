"""Modules a reader can hold: none of the project's own Python outside tests/ is over 400 lines.

A module that grows past that holds more than one job (issue 29 found a 977-line simulator model); the
fix is a split by what the parts hold, not a longer file. Tests and vendored files are not counted.
"""

from __future__ import annotations

from tests.unit.test_architecture_paths import ROOT, project_files

MOST = 400


def test_no_module_outside_tests_is_over_400_lines():
    sizes = {p.relative_to(ROOT).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
             for p in project_files(ROOT) if p.suffix == ".py" and p.relative_to(ROOT).parts[0] != "tests"}
    assert len(sizes) > 100, "the project's modules were not found"
    over = {name: n for name, n in sizes.items() if n > MOST}
    assert over == {}, f"modules over {MOST} lines (split them by what their parts hold): {over}"
