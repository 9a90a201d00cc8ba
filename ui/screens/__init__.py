"""The console's screens: one module per screen, each exposing `routes(console) -> [(path, resource)]`.

Adding a screen is one small module (a `ui.console.Screen` subclass and a template) plus one
line here. A path ending in `*` is a prefix (a falcon sink). Settings-menu entries live in
ui.menu.SETTINGS_MENU; an entry no module serves yet shows a "not in this build" page.
"""

SCREENS: tuple[str, ...] = (
    "ui.screens.landing",
    "ui.screens.signin",
    "ui.screens.password",
    "ui.screens.dashboard",
    "ui.screens.health",
    "ui.screens.environment",
    "ui.screens.search",
    "ui.screens.getstarted",
    "ui.screens.events",
    "ui.screens.proxy",
    "ui.screens.status",
    "ui.screens.admin_wizard",
    "ui.screens.admin_connection_test",
    "ui.screens.admin_env_delete",
    "ui.screens.admin_scans",
    "ui.screens.admin_schedules",
    "ui.screens.admin_messages",
    "ui.screens.admin_users",
    "ui.screens.admin_user_settings",
    "ui.screens.admin_link_types",
    "ui.screens.admin_clique_types",
    "ui.screens.admin_clique_constraints",
)
