"""`calipso env add|list|show|delete`: environment configurations."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app.cli.groups import admin_group
from app.changelog import ChangeLog
from app.cliques import Cliques
from app.envconfig.repository import EnvironmentConfigs
from app.envconfig.secrets import redact
from app.errors import ConfigFileError, ValidationFailed, printable, shorten
from app.inventory import Inventory
from app.links import Links
from app.listener_queue import declare_for
from app.store.opening import open_store
from app.topology.summary_store import clear as clear_summaries

HELP = "add, list, show or delete environment configurations"


def add_parser(sub, common) -> None:
    actions = admin_group(sub, common, "env", HELP)
    a = actions.add_parser("add", parents=[common], help="validate and add an environment_config JSON file ('-' for stdin)")
    a.add_argument("file")
    a.add_argument("--replace", action="store_true",
                   help="replace an existing environment of the same name (secrets it omits are kept)")
    a.set_defaults(run=add)
    v = actions.add_parser("validate", parents=[common], help="check a file without writing anything")
    v.add_argument("file")
    v.set_defaults(run=validate)
    ls = actions.add_parser("list", parents=[common], help="list environments")
    ls.set_defaults(run=list_envs)
    s = actions.add_parser("show", parents=[common], help="print one environment's config, secrets redacted")
    s.add_argument("name")
    s.set_defaults(run=show)
    d = actions.add_parser("delete", parents=[common], help="delete an environment's config")
    d.add_argument("name")
    d.add_argument("--purge", action="store_true", help="also delete its inventory, links and cliques")
    d.set_defaults(run=delete)


def read_document(path: str) -> dict:
    where = "standard input" if path == "-" else path
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigFileError(f"cannot read {where}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ConfigFileError(f"{where} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigFileError(f"{where}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}") from None
    except RecursionError:
        raise ConfigFileError(f"{where}: the JSON is nested too deeply to be an environment config") from None


def _print_problems(e: ValidationFailed) -> int:
    print(f"calipso env: error: {e.what} is invalid, nothing was written:", file=sys.stderr)
    for problem in e.problems:
        print(f"  - {shorten(printable(str(problem)), 400)}", file=sys.stderr)
    return 2


def add(args) -> int:
    doc = read_document(args.file)
    envs = EnvironmentConfigs(open_store(args.mongo_config))
    try:
        if args.replace and isinstance(doc, dict) and envs.find(str(doc.get("name"))):
            env = envs.replace(doc["name"], doc)
            print(f"environment {env['name']} replaced")
        else:
            env = envs.add(doc)
            print(f"environment {env['name']} added")
    except ValidationFailed as e:
        return _print_problems(e)
    note = declare_for(env)
    if note:
        print(f"  {note}")
    return 0


def validate(args) -> int:
    doc = read_document(args.file)
    try:
        env = EnvironmentConfigs(open_store(args.mongo_config)).validate(doc)
    except ValidationFailed as e:
        return _print_problems(e)
    print(f"environment config {env['name']} is valid")
    return 0


def list_envs(args) -> int:
    envs = EnvironmentConfigs(open_store(args.mongo_config)).list()
    if not envs:
        print("no environments; add one with 'calipso env add FILE'")
        return 0
    print(f"{'NAME':24} {'DISTRIBUTION':24} {'DRIVERS':16} {'TYPE':8} {'LISTEN':6} SCANNED")
    for e in envs:
        dist = f"{e.get('distribution', '')} {e.get('distribution_version', '')}"
        print(f"{e['name']:24} {dist:24} {','.join(e.get('mechanism_drivers') or []):16} "
              f"{e.get('type_drivers', ''):8} {str(e.get('listen', False)).lower():6} {str(e.get('scanned', False)).lower()}")
    return 0


def show(args) -> int:
    env = EnvironmentConfigs(open_store(args.mongo_config)).get(args.name)
    print(json.dumps(redact(env), indent=2, default=str))
    return 0


def delete(args) -> int:
    store = open_store(args.mongo_config)
    EnvironmentConfigs(store).delete(args.name)
    if args.purge:
        counts = [Inventory(store).clear(args.name), Links(store).clear(args.name), Cliques(store).clear(args.name),
                  ChangeLog(store).forget(args.name), clear_summaries(store, args.name)]
        print(f"environment {args.name} deleted, with {counts[0]} objects, {counts[1]} links, "
              f"{counts[2]} cliques and its change log")
    else:
        left = Inventory(store).count(args.name)
        print(f"environment {args.name} deleted" + (f"; its {left} inventory objects were kept (use --purge to remove them)" if left else ""))
    return 0
