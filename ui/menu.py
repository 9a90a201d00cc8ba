"""The settings (gear) menu: one entry per administration screen, in the order shown.

An entry whose route no screen serves yet leads to a page saying it is not available in this
build; adding the screen (a module in ui.screens.SCREENS) is what makes it live.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MenuEntry:
    label: str
    path: str
    admin_only: bool = False


SETTINGS_MENU: tuple[MenuEntry, ...] = (
    MenuEntry("New environment", "/wizard"),
    MenuEntry("Scans", "/scans-list"),
    MenuEntry("Scheduled scans", "/scheduled-scans-list"),
    MenuEntry("Messages", "/messages-list"),
    MenuEntry("Link types", "/link-types-list"),
    MenuEntry("Clique types", "/clique-types-list"),
    MenuEntry("Clique constraints", "/clique-constraints-list"),
    MenuEntry("Users", "/user-list", admin_only=True),
    MenuEntry("User settings", "/user-settings"),
)
