"""What one client may hold of a server, and the command-line options that set it (kept light: every
`calipso` command builds its parser, and only `api` and `ui` serve)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

from app.errors import CalipsoError


@dataclass(frozen=True)
class Limits:
    """What one client may hold of a server (per worker process)."""

    head_timeout: float = 10.0          # seconds for a whole request head (request line + headers)
    body_timeout: float = 30.0          # seconds for a whole request body
    max_body: int = 1 << 20             # bytes of a request body (413 beyond)
    max_head: int = 32 * 1024           # bytes of a request head (431 beyond)
    per_client: int = 100               # connections open at once from one address
    max_connections: int = 1000         # connections per worker (503 beyond)
    threads: int = 8                    # application threads per worker
    password_gate: int = 2              # requests carrying a password in those threads at once
    tarpit: float = 2.0                 # seconds a 429 answer may be held back (as its Retry-After asks)
    trusted_proxies: tuple[str, ...] = ()   # load balancers whose X-Forwarded-For names the client

    def trusts(self, addr: str | None) -> bool:
        """Whether `addr` is a trusted proxy: its connections carry many clients, so none is counted
        against it, and the client is the one its X-Forwarded-For names."""
        if not self.trusted_proxies or not addr:
            return False
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(n, strict=False) for n in self.trusted_proxies)


def trusted_proxies(text: str | None) -> tuple[str, ...]:
    """Addresses or networks, comma-separated (`CALIPSO_TRUSTED_PROXIES`, `--trusted-proxies`)."""
    out = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise CalipsoError(f"--trusted-proxies: {part!r} is not an address or network (e.g. 10.0.0.0/8)") from None
    return tuple(out)


def add_limit_args(parser) -> None:
    """The command-line options of what one client may hold (both servers have them)."""
    d = Limits()
    parser.add_argument("--head-timeout", type=float, default=d.head_timeout, metavar="SECONDS",
                        help=f"a request's head must arrive within this (default {d.head_timeout:g})")
    parser.add_argument("--body-timeout", type=float, default=d.body_timeout, metavar="SECONDS",
                        help=f"a request's body must arrive within this (default {d.body_timeout:g})")
    parser.add_argument("--max-client-connections", type=int, default=d.per_client, metavar="N",
                        help=f"connections one client address may hold at once (default {d.per_client})")
    parser.add_argument("--trusted-proxies", default=os.environ.get("CALIPSO_TRUSTED_PROXIES", ""),
                        metavar="ADDR[,NET...]",
                        help="load balancers in front of this server (addresses or networks): their connections are "
                             "not limited per address and their X-Forwarded-For names the client "
                             "(default: $CALIPSO_TRUSTED_PROXIES, none)")


def limits_from(args, **fixed) -> Limits:
    if args.head_timeout <= 0 or args.body_timeout <= 0 or args.max_client_connections < 1:
        raise CalipsoError("--head-timeout and --body-timeout must be positive, --max-client-connections at least 1")
    return Limits(head_timeout=args.head_timeout, body_timeout=args.body_timeout,
                  per_client=args.max_client_connections,
                  trusted_proxies=trusted_proxies(getattr(args, "trusted_proxies", "")), **fixed)
