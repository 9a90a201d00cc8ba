"""The `calipso` subcommands: name -> module. Each module has `add_parser(subparsers, common)`.

Adding a service is one line here; modules are imported only when their command runs
(and for `--help`), so one broken service cannot take the others down.
"""

COMMANDS: dict[str, str] = {
    "store": "app.cli.store_cmd",
    "db": "app.cli.db_cmd",
    "env": "app.cli.env_cmd",
    "demo": "demo.cli",
    "sim": "simulator.cli",
    "api": "api.cli",
    "user": "api.user_cli",
    "scan": "scan.cli",
    "scan-manager": "scan.manager_cli",
    "scan-worker": "scan.worker_cli",
    "listen": "listen.cli",
    "diff": "app.cli.diff_cmd",
    "path": "app.cli.path_cmd",
    "ui": "ui.cli",
    "monitoring": "monitoring.cli",
}
