"""A shell that understands exactly the command forms of vim-contract §4 and executes nothing for real.

Lists (`;`, `&&`, `||`), pipelines, `2>&1` / `2>/dev/null` / `>/dev/null`, backtick substitution, and the
prefixes `sudo`, `ssh [opts] <host>`, `docker exec [opts] <container>`, `ip netns exec <ns>`. Commands are
found in one table (name -> handler); a name not in it gets bash's `command not found` and status 127.
"""

from __future__ import annotations

import logging
import re
import shlex
from dataclasses import dataclass
from typing import Callable

from simulator.hostview import HostView
from simulator.sensu import commands as sensu_commands
from simulator.ssh import coreutils, meshfast, nettools, ovstools, textutils, virttools
from simulator.ssh.result import Ctx, Handler, Result, fail

log = logging.getLogger(__name__)

COMMANDS: dict[str, Handler] = {**coreutils.HANDLERS, **textutils.HANDLERS, **nettools.HANDLERS,
                                **ovstools.HANDLERS, **virttools.HANDLERS, **sensu_commands.HANDLERS}

#: tools present only where their software is installed (others exist on every host)
_NEEDS: dict[str, Callable[[HostView], bool]] = {
    "ovs-vsctl": lambda v: v.ovs is not None, "ovs-dpctl": lambda v: v.ovs is not None,
    "ovs-appctl": lambda v: v.ovs is not None, "ovs-ofctl": lambda v: v.ovs is not None,
    "vppctl": lambda v: v.vpp is not None, "virsh": lambda v: "virsh" in v.tools,
    "brctl": lambda v: "brctl" in v.tools, "docker": lambda v: "docker" in v.tools,
    "ethtool": lambda v: "ethtool" in v.tools,
}

_SSH_FLAGS_WITH_ARG = set("BbcDEeFIiJLlmOoPpQRSWw")
_OPERATORS = {"|", "||", "&&", ";"}
_BACKTICK = re.compile(r"`([^`]*)`")
_STATUS = "\x00?\x00"   # stands for `$?` between lexing and running each pipeline
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


@dataclass
class HopFailure:
    """Why `ssh <host>` from the master fails: the message OpenSSH prints and its status (255)."""

    message: str
    status: int = 255


class Shell:
    """Runs command lines on simulated hosts. `views(name)` resolves a host id or name to its view;
    `hop_failure(name)` says whether ssh to that host fails (down host, refused key);
    `host_key_changed(name)` whether that host's key differs from the one in the master's known_hosts."""

    def __init__(self, views: Callable[[str], HostView | None],
                 hop_failure: Callable[[str], HopFailure | None] = lambda name: None,
                 post_process: Callable[[str, Result], Result] = lambda host, r: r,
                 host_key_changed: Callable[[str], bool] = lambda name: False):
        self._views = views
        self._hop_failure = hop_failure
        self._post = post_process
        self._host_key_changed = host_key_changed

    def run(self, host: str, line: str, root: bool) -> Result:
        view = self._views(host)
        if view is None:
            return fail(f"ssh: Could not resolve hostname {host}: Name or service not known\n", 255)
        ctx = Ctx(view, root, self._run_line, self._hop, None, view.links)
        return self._run_line(line, ctx)

    # --- parsing -----------------------------------------------------------------------------
    def _run_line(self, line: str, ctx: Ctx) -> Result:
        line = _BACKTICK.sub(lambda m: self._run_line(m.group(1), ctx).out.rstrip("\n"), line)
        line = _mark_status(line)
        try:
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            tokens = list(lexer)
        except ValueError:  # unbalanced quotes
            return fail("bash: -c: line 1: unexpected EOF while looking for matching quote\n", 2)
        out, err, status = [], [], 0
        op = ";"
        for pipeline, next_op in _split_list(tokens):
            if (op == "&&" and status != 0) or (op == "||" and status == 0):
                op = next_op
                continue
            if any(_STATUS in w for w in pipeline):
                pipeline = [w.replace(_STATUS, str(status)) for w in pipeline]
            r = self._run_pipeline(pipeline, ctx)
            out.append(r.out)
            err.append(r.err)
            status = r.status
            op = next_op
        return Result("".join(out), "".join(err), status)

    def _run_pipeline(self, words: list[str], ctx: Ctx) -> Result:
        stdin, errs, status = "", [], 0
        stages = _split_on(words, "|")
        if len(stages) > 1:   # a full tunnel mesh's summaries, answered without listing it (meshfast)
            last, redirects = _take_redirects(stages[-1])
            fast = meshfast.answer([*stages[:-1], last], ctx, lambda w, text: self._run_simple(w, text, ctx))
            if fast is not None:
                return _redirected(fast, redirects)
        for stage in stages:
            r = self._run_simple(stage, stdin, ctx)
            stdin, status = r.out, r.status
            errs.append(r.err)
        return Result(stdin, "".join(errs), status)

    def _run_simple(self, words: list[str], stdin: str, ctx: Ctx) -> Result:
        words, redirects = _take_redirects(words)
        if not words:
            return fail("bash: -c: line 1: syntax error near unexpected token `|'\n", 2)
        return _redirected(self._dispatch(words, stdin, ctx), redirects)

    # --- prefixes and the command table --------------------------------------------------------
    def _dispatch(self, words: list[str], stdin: str, ctx: Ctx) -> Result:
        while len(words) > 1 and _ASSIGNMENT.match(words[0]):   # `LC_ALL=C sort`: the environment is not modelled
            words = words[1:]
        if _ASSIGNMENT.match(words[0]):
            return Result()
        cmd, args = words[0], words[1:]
        if cmd == "sudo":
            args = [a for a in args if a not in ("-n", "-E", "-H")]
            if not args:
                return fail("usage: sudo -h | -K | -k | -V\n", 1)
            return self._dispatch(args, stdin, Ctx(ctx.view, True, ctx.run, ctx.hop, ctx.namespace, ctx.links))
        if cmd == "ssh":
            return self._ssh(args, ctx)
        if cmd == "docker" and _NEEDS["docker"](ctx.view):
            return self._docker(args, stdin, ctx)
        handler = COMMANDS.get(cmd)
        needs = _NEEDS.get(cmd)
        if handler is None or (needs is not None and not needs(ctx.view)):
            return fail(f"bash: {cmd}: command not found\n", 127)
        return handler(ctx, list(args), stdin)

    def _ssh(self, args: list[str], ctx: Ctx) -> Result:
        quiet, i, options = False, 0, {}
        while i < len(args) and args[i].startswith("-"):
            flag = args[i]
            quiet |= flag == "-q" or (flag.startswith("-") and "q" in flag[1:] and not set(flag[1:]) & _SSH_FLAGS_WITH_ARG)
            option = args[i + 1] if flag == "-o" and i + 1 < len(args) else flag[2:] if flag.startswith("-o") else ""
            key, _, value = option.partition("=")
            if key:
                options[key.lower()] = value.lower()
            if flag[-1] in _SSH_FLAGS_WITH_ARG and len(flag) == 2:
                i += 1
            i += 1
        if i >= len(args):
            return fail("usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] ... destination [command [argument ...]]\n", 255)
        target = args[i].rsplit("@", 1)[-1]
        command = " ".join(args[i + 1:])
        return ctx.hop(target, command, quiet, options.get("stricthostkeychecking", "ask"))

    def _hop(self, target: str, command: str, quiet: bool, checking: str = "ask") -> Result:
        view = self._views(target)
        if view is None:
            msg = f"ssh: Could not resolve hostname {target}: Name or service not known\n"
            return fail("" if quiet else msg, 255)
        failure = self._hop_failure(view.name)
        if failure is not None:
            return fail("" if quiet else failure.message, failure.status)
        if checking not in ("no", "off") and self._host_key_changed(view.name):
            # only StrictHostKeyChecking=no lets OpenSSH log in (by key) to a host whose key changed
            warning = "" if quiet else "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n" \
                "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n" \
                "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
            return fail(f"{warning}Host key for {target} has changed and you have requested strict checking.\n"
                        "Host key verification failed.\n", 255)
        if not command:
            return Result()
        r = self._run_line(command, Ctx(view, True, self._run_line, self._hop, None, view.links))
        return self._post(view.name, r)

    def _docker(self, args: list[str], stdin: str, ctx: Ctx) -> Result:
        if args[:1] != ["exec"]:
            return fail(f"docker: '{args[0] if args else ''}' is not a docker command.\n", 1)
        i = 1
        while i < len(args) and args[i].startswith("-"):
            i += 2 if args[i] in ("--user", "-u", "--workdir", "-w", "-e", "--env") else 1
        if i + 1 >= len(args):
            return fail('"docker exec" requires at least 2 arguments.\n', 1)
        return self._dispatch(args[i + 1:], stdin, Ctx(ctx.view, True, ctx.run, ctx.hop, ctx.namespace, ctx.links))


def _redirected(r: Result, redirects: list[tuple[str, str]]) -> Result:
    """`r` through a simple command's redirections, in order."""
    for fd, target in redirects:
        if fd == "2" and target == "&1":
            r = Result(r.out + r.err, "", r.status)
        elif fd == "2":
            r = Result(r.out, "", r.status)
        elif fd in ("1", "") and target == "&2":
            r = Result("", r.err + r.out, r.status)
        else:
            r = Result("", r.err, r.status)
    return r


def _split_on(tokens: list[str], op: str) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for t in tokens:
        if t == op:
            parts.append([])
        else:
            parts[-1].append(t)
    return parts


def _mark_status(line: str) -> str:
    """`$?` outside single quotes (where bash expands it) marked for the status of the command before."""
    if "$?" not in line:
        return line
    out, quote, i = [], "", 0
    while i < len(line):
        c = line[i]
        if quote != "'" and c == "\\" and i + 1 < len(line):
            out.append(line[i:i + 2])
            i += 2
            continue
        if c in "'\"" and quote in ("", c):
            quote = "" if quote else c
        elif c == "$" and quote != "'" and line.startswith("$?", i):
            out.append(_STATUS)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _split_list(tokens: list[str]) -> list[tuple[list[str], str]]:
    """[(pipeline tokens, operator after it)] for `;`, `&&`, `||`."""
    out: list[tuple[list[str], str]] = []
    current: list[str] = []
    for t in tokens:
        if t in (";", "&&", "||"):
            out.append((current, t))
            current = []
        else:
            current.append(t)
    if current:
        out.append((current, ";"))
    return out


def _take_redirects(words: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Pull `2>&1`, `2>/dev/null`, `>/dev/null`, `>&2` out of a simple command (shlex splits them)."""
    kept: list[str] = []
    redirects: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w in (">", ">>", ">&") and i + 1 < len(words):
            fd = ""
            if kept and kept[-1] in ("1", "2"):
                fd = kept.pop()
            target = ("&" if w == ">&" else "") + words[i + 1]
            redirects.append((fd, target))
            i += 2
            continue
        kept.append(w)
        i += 1
    return kept, redirects
