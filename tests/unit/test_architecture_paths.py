"""The project carries what it reads: no file names a folder of the machine it was written on.

A path like `/work/shared/...` works only where that folder exists; a user's clone has nothing beside it.
Checked: `/work/` (where this project was written) and the folder the clone itself sits in, in every file
git tracks or would add (what `.gitignore` leaves out, like `.venv`, is not the project), this file aside:
it has to name what it looks for.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.fixtures import ZED

ROOT = Path(__file__).resolve().parents[2]
WRITTEN_AT = "/work/"
THIS = Path(__file__).resolve()
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", "build", "dist", ".pytest_cache", ".calipso-test"}


def project_files(root: Path) -> list[Path]:
    """The clone's files: git's list (tracked and not ignored) where git answers, else a walk."""
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             capture_output=True, check=True, timeout=60).stdout
        return [root / name for name in out.decode().split("\0") if name and (root / name).is_file()]
    except (OSError, subprocess.SubprocessError):
        return [p for p in root.rglob("*") if p.is_file() and not SKIP_DIRS & set(p.relative_to(root).parts)
                and not any(part.endswith(".egg-info") for part in p.relative_to(root).parts)]


def machine_paths(root: Path) -> re.Pattern:
    """`/work/` and the folder holding the clone (when it is not the file system's root or too short to tell)."""
    names = [WRITTEN_AT]
    parent = root.parent
    if len(parent.parts) > 1 and len(str(parent)) > 4:
        names.append(f"{parent}/")
    return re.compile("|".join(re.escape(n) for n in names))


def absolute_paths(root: Path) -> list[str]:
    pattern = machine_paths(root)
    found = []
    for path in project_files(root):
        if path.resolve() == THIS:
            continue
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()[:120]}")
    return found


def test_no_file_names_a_folder_of_this_machine():
    assert absolute_paths(ROOT) == []


def test_the_check_sees_a_path_outside_the_clone(tmp_path):
    clone = tmp_path / "calipso"
    (clone / "tests").mkdir(parents=True)
    (clone / "tests/reads.py").write_text('DATA = "/work/shared/reference/openstack-zed"\nOK = "/etc/hosts"\n')
    (clone / "tests/beside.py").write_text(f'DATA = "{tmp_path}/shared/thing.json"\n')
    assert sorted(absolute_paths(clone)) == [f'tests/beside.py:1: DATA = "{tmp_path}/shared/thing.json"',
                                             'tests/reads.py:1: DATA = "/work/shared/reference/openstack-zed"']


def test_the_recorded_cloud_is_found_inside_the_project():
    assert ZED.is_relative_to(ROOT) and (ZED / "README.md").is_file()
    assert {p.name for p in ZED.iterdir() if p.is_dir()} >= {"api", "amqp", "cli", "mysql"}
