"""`calipso api`: the REST API under gunicorn, with the original server's options where they still apply."""

from __future__ import annotations

import logging
import sys

from app.errors import CalipsoError
from app.http_limits import add_limit_args, limits_from

HELP = "serve the REST API (falcon under gunicorn) on 127.0.0.1:8747 by default"
log = logging.getLogger(__name__)


def add_parser(sub, common) -> None:
    p = sub.add_parser("api", parents=[common], help=HELP, description=HELP)
    p.add_argument("-b", "--bind", default="127.0.0.1:8747",
                   help="address(es) to listen on, comma separated (default 127.0.0.1:8747)")
    p.add_argument("-w", "--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    p.add_argument("-y", "--inventory", default="inventory", help="inventory collection name (default inventory)")
    p.add_argument("-t", "--token-lifetime", type=int, default=86400, help="token lifetime in seconds (default 86400)")
    p.add_argument("--ldap_config", "--ldap-config", default=None, metavar="FILE",
                   help="ldap.conf (original format) to authenticate users by LDAP; "
                        "CALIPSO_LDAP_SERVICE_* variables work too")
    p.add_argument("--no_ldap", "--no-ldap", action="store_true", help="never use LDAP, even if configured")
    p.add_argument("--cert_file", "--cert-file", default=None, help="TLS certificate (serve HTTPS)")
    p.add_argument("--key_file", "--key-file", default=None, help="TLS private key")
    p.add_argument("--page-size-cap", type=int, default=10000, help="largest page_size served (default 10000)")
    p.add_argument("--cors-origin", default="*", help="Access-Control-Allow-Origin value; empty disables CORS")
    add_limit_args(p)
    p.set_defaults(run=run)


def settings_from(args):
    from app.console_link import console_secret
    from api.auth.ldap_backend import ldap_from_environ, parse_ldap_conf
    from api.settings import Settings

    if args.token_lifetime <= 0:
        raise CalipsoError("--token-lifetime must be a positive number of seconds")
    if args.page_size_cap <= 0:
        raise CalipsoError("--page-size-cap must be positive")
    ldap = None
    if not args.no_ldap:
        ldap = parse_ldap_conf(args.ldap_config) if args.ldap_config else ldap_from_environ()
    return Settings(token_lifetime=args.token_lifetime, page_size_cap=args.page_size_cap,
                    cors_origin=args.cors_origin, ldap=ldap, console_secret=console_secret())


def run(args) -> int:
    from api.server import bootstrap_admin, serve

    if args.workers < 1:
        raise CalipsoError("--workers must be at least 1")
    if bool(args.cert_file) != bool(args.key_file):
        raise CalipsoError("--cert_file and --key_file go together")
    settings = settings_from(args)
    password = bootstrap_admin(args.mongo_config, args.inventory)
    if password:
        print(f"created user admin with password {password}  (shown once; change it with "
              f"'calipso user set-password admin')", flush=True)
    binds = [b.strip() for b in args.bind.split(",") if b.strip()]
    limits = limits_from(args, max_body=settings.max_body_bytes)
    serve(args.mongo_config, args.inventory, settings, binds, args.workers, args.loglevel,
          cert_file=args.cert_file, key_file=args.key_file, limits=limits)
    return 0


if __name__ == "__main__":
    from app.cli.main import main
    sys.exit(main(["api", *sys.argv[1:]]))
