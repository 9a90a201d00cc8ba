"""`calipso store uri|status|start|stop`: where the store is, and the embedded store's lifecycle."""

from __future__ import annotations

import json
import os

from app.cli.groups import admin_group
from app.store.embedded import EmbeddedStore, default_home
from app.store.store import Store, locate, redact_uri

HELP = "show, start or stop the MongoDB store (embedded unless configured)"


def add_parser(sub, common) -> None:
    actions = admin_group(sub, common, "store", HELP)
    u = actions.add_parser("uri", parents=[common], help="print the URI of the store in use, starting the embedded store if needed")
    u.add_argument("--reveal", action="store_true", help="print a configured password instead of ****")
    u.set_defaults(run=uri)
    s = actions.add_parser("status", parents=[common], help="is the store running; exit 0 if it answers, 1 if not")
    s.add_argument("--json", action="store_true", help="print the status as JSON")
    s.set_defaults(run=status)
    st = actions.add_parser("start", parents=[common], help="start the embedded store")
    st.add_argument("--port", type=int, help="port to listen on (default: a free one, or $CALIPSO_STORE_PORT)")
    st.set_defaults(run=start)
    sp = actions.add_parser("stop", parents=[common], help="stop the embedded store (also resets a corrupt state file)")
    sp.set_defaults(run=stop)


def _embedded(port: int | None = None) -> EmbeddedStore:
    env_port = os.environ.get("CALIPSO_STORE_PORT")
    if port is None and env_port and env_port.isdigit():
        port = int(env_port)
    return EmbeddedStore(default_home(), port=port)


def uri(args) -> int:
    location = locate(args.mongo_config)
    if not location.embedded:
        Store.connect(location).close()  # an unreachable store is an error here too
    print(location.uri if (args.reveal or location.embedded) else redact_uri(location.uri))
    return 0


def status(args) -> int:
    location = locate(args.mongo_config, start_embedded=False)
    if location.embedded:
        info = _embedded().status()
        info["source"] = location.source
    else:
        info = {"source": location.source, "uri": redact_uri(location.uri)}
        try:
            Store.connect(location, timeout=3).close()
            info["running"] = True
        except Exception as e:
            info.update(running=False, error=str(e))
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        state = "running" if info.get("running") else "not running"
        print(f"store: {state} ({info['source']})")
        for key in ("uri", "pid", "port", "started", "data_dir", "data_bytes", "error"):
            if key in info:
                print(f"  {key}: {info[key]}")
    return 0 if info.get("running") else 1


def start(args) -> int:
    store = _embedded(args.port)
    print(store.ensure_running())
    return 0


def stop(args) -> int:
    stopped = _embedded().stop()
    print("embedded store stopped" if stopped else "embedded store was not running")
    return 0
