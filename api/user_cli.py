"""`calipso user add|set-password|list|delete|revoke`: API users (local bcrypt passwords, or LDAP)."""

from __future__ import annotations

import getpass
import sys

from app.cli.groups import admin_group
from app.errors import CalipsoError

HELP = "manage REST API users: add, set-password, list, delete, revoke"


def add_parser(sub, common) -> None:
    actions = admin_group(sub, common, "user", HELP)
    a = actions.add_parser("add", parents=[common], help="add a user")
    a.add_argument("name")
    _password_options(a)
    a.add_argument("--admin", action="store_true", help="may do everything, on every environment")
    a.add_argument("--ldap", action="store_true", help="authenticated by LDAP (no local password)")
    a.set_defaults(run=add)
    s = actions.add_parser("set-password", parents=[common], help="set a user's password (revokes their tokens)")
    s.add_argument("name")
    _password_options(s)
    s.set_defaults(run=set_password)
    ls = actions.add_parser("list", parents=[common], help="list users")
    ls.set_defaults(run=list_users)
    d = actions.add_parser("delete", parents=[common], help="delete a user (revokes their tokens)")
    d.add_argument("name")
    d.set_defaults(run=delete)
    r = actions.add_parser("revoke", parents=[common],
                           help="sign a user out everywhere: their API tokens and web console sessions")
    r.add_argument("name")
    r.set_defaults(run=revoke)


def _password_options(p) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--password", help="the password (visible to other local users in the process list; "
                                      "prefer --password-stdin)")
    g.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")


def _password(args) -> str:
    if args.password is not None:
        return args.password
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise CalipsoError("the two passwords differ")
        return first
    raise CalipsoError("give --password or --password-stdin")


def _repos(args):
    from api.auth.tokens import Tokens
    from api.auth.users import Users
    from app.console_sessions import ConsoleSessions
    from app.store.opening import open_store

    store = open_store(args.mongo_config)
    return Users(store), SignOut(Tokens(store), ConsoleSessions(store))


class SignOut:
    """A user's API tokens and console sessions (app.console_sessions) go together."""

    def __init__(self, tokens, sessions):
        self.tokens, self.sessions = tokens, sessions

    def revoke_user(self, name: str) -> int:
        return self.tokens.revoke_user(name) + self.sessions.revoke_user(name)


def add(args) -> int:
    users, _ = _repos(args)
    if args.ldap:
        if args.password is not None or args.password_stdin:
            raise CalipsoError("an LDAP user has no local password")
        users.add(args.name, None, admin=args.admin, backend="ldap")
    else:
        users.add(args.name, _password(args), admin=args.admin)
    print(f"user {args.name} added" + (" (admin)" if args.admin else ""))
    return 0


def set_password(args) -> int:
    users, tokens = _repos(args)
    if users.get(args.name) is None:
        raise CalipsoError(f"no user {args.name!r}")
    users.set_password(args.name, _password(args))
    n = tokens.revoke_user(args.name)
    print(f"password of {args.name} changed" + (f"; {n} token(s) and session(s) revoked" if n else ""))
    return 0


def list_users(args) -> int:
    users, _ = _repos(args)
    docs = users.list()
    if not docs:
        print("no users; 'calipso api' creates admin on its first start, or use 'calipso user add'")
        return 0
    print(f"{'USERNAME':24} {'ADMIN':6} BACKEND")
    for d in docs:
        print(f"{d['username']:24} {str(bool(d.get('admin'))).lower():6} {d.get('backend', 'local')}")
    return 0


def delete(args) -> int:
    users, tokens = _repos(args)
    if not users.delete(args.name):
        raise CalipsoError(f"no user {args.name!r}")
    tokens.revoke_user(args.name)
    print(f"user {args.name} deleted")
    return 0


def revoke(args) -> int:
    users, sign_out = _repos(args)
    if users.get(args.name) is None:
        raise CalipsoError(f"no user {args.name!r}")
    tokens, sessions = sign_out.tokens.revoke_user(args.name), sign_out.sessions.revoke_user(args.name)
    print(f"{args.name} signed out everywhere: {tokens} API token(s) and {sessions} console session(s) revoked")
    return 0
