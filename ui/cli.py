"""`calipso ui`: the web console, a client of the REST API, under gunicorn."""

from __future__ import annotations

import sys
from urllib.parse import urlparse

from app.errors import CalipsoError
from app.http_limits import add_limit_args, limits_from

HELP = "serve the web console (falcon + jinja2 under gunicorn) on 127.0.0.1:8080 by default"


def add_parser(sub, common) -> None:
    p = sub.add_parser("ui", parents=[common], help=HELP, description=HELP)
    p.add_argument("-b", "--bind", default="127.0.0.1:8080",
                   help="address(es) to listen on, comma separated (default 127.0.0.1:8080; 0.0.0.0:80 in a container)")
    p.add_argument("-p", "--port", type=int, default=None, help="listen on this port instead of --bind's")
    p.add_argument("--api-url", default="http://127.0.0.1:8747", help="the REST API (default http://127.0.0.1:8747)")
    p.add_argument("--threads", type=int, default=64,
                   help="requests served at once; each open page holds one for its live updates (default 64)")
    p.add_argument("--session-idle", type=int, default=8 * 3600,
                   help="seconds without activity before a session ends (default 28800)")
    p.add_argument("--poll-interval", type=float, default=1.0,
                   help="seconds between the live updater's API calls (default 1)")
    p.add_argument("--cookie-secure", action="store_true", help="mark the session cookie Secure (behind HTTPS)")
    p.add_argument("--cert-file", default=None, help="TLS certificate (serve HTTPS; implies --cookie-secure)")
    p.add_argument("--key-file", default=None, help="TLS private key")
    add_limit_args(p)
    p.set_defaults(run=run)


def run(args) -> int:
    from app.console_link import console_secret
    from ui.server import serve
    from ui.settings import UiSettings

    api = urlparse(args.api_url)
    if api.scheme not in ("http", "https") or not api.netloc:
        raise CalipsoError(f"--api-url must be an http(s) URL, got {args.api_url!r}")
    if args.threads < 4:
        raise CalipsoError("--threads must be at least 4")
    if args.session_idle <= 0 or args.poll_interval <= 0:
        raise CalipsoError("--session-idle and --poll-interval must be positive")
    if bool(args.cert_file) != bool(args.key_file):
        raise CalipsoError("--cert-file and --key-file go together")
    from app.store.opening import open_store
    open_store(args.mongo_config).close()   # reachable (or a one-line reason), indexes made; sessions live there
    settings = UiSettings(api_url=args.api_url, session_idle=args.session_idle, poll_interval=args.poll_interval,
                          mongo_config=args.mongo_config,
                          cookie_secure=args.cookie_secure or bool(args.cert_file),
                          sse_max_clients=max(1, args.threads - 8), console_secret=console_secret())
    binds = [b.strip() for b in args.bind.split(",") if b.strip()]
    if args.port is not None:
        if not 0 < args.port < 65536:
            raise CalipsoError(f"--port must be between 1 and 65535, got {args.port}")
        binds = [f"{b.rpartition(':')[0] or '127.0.0.1'}:{args.port}" for b in binds]
    limits = limits_from(args, max_body=settings.max_body_bytes, threads=args.threads)
    serve(settings, binds, args.threads, args.loglevel, cert_file=args.cert_file, key_file=args.key_file,
          limits=limits)
    return 0


if __name__ == "__main__":
    from app.cli.main import main
    sys.exit(main(["ui", *sys.argv[1:]]))
