"""OpenStack release names and numbers, matched the way operators write them.

`zed`, `Zed` and `2022.2` are one release; so are `Antelope` and `2023.1`. Anything not in
the table (a distribution's own build number, e.g. Mercury's `27747`) is compared as text,
case-insensitively.
"""

from __future__ import annotations

#: release name -> its number (the year.half the OpenStack release schedule gives it)
RELEASES: dict[str, str] = {
    "liberty": "2015.2", "mitaka": "2016.1", "newton": "2016.2", "ocata": "2017.1", "pike": "2017.2",
    "queens": "2018.1", "rocky": "2018.2", "stein": "2019.1", "train": "2019.2", "ussuri": "2020.1",
    "victoria": "2020.2", "wallaby": "2021.1", "xena": "2021.2", "yoga": "2022.1", "zed": "2022.2",
    "antelope": "2023.1", "bobcat": "2023.2", "caracal": "2024.1", "dalmatian": "2024.2", "epoxy": "2025.1",
    "flamingo": "2025.2",
}
_BY_NUMBER = {number: name for name, number in RELEASES.items()}


def canonical(version: object) -> str:
    """One spelling per release: the lowercase name when it is an OpenStack release, else the text lowercased."""
    text = str(version if version is not None else "").strip().lower()
    return _BY_NUMBER.get(text, text)


def same_release(a: object, b: object) -> bool:
    return canonical(a) == canonical(b)


def release_in(version: object, versions) -> bool:
    """Whether `version` is one of `versions` (a value or a list), aliases included."""
    wanted = canonical(version)
    return any(canonical(v) == wanted for v in (versions if isinstance(versions, list) else [versions]))


def aliases(version: object) -> list[str]:
    """Every accepted spelling of a release, for messages (`zed` -> ['zed', 'Zed', '2022.2'])."""
    name = canonical(version)
    if name not in RELEASES:
        return [str(version)]
    return [name, name.capitalize(), RELEASES[name]]
