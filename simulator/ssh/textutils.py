"""Text filters the scanner pipes a host's output through: `sed` (s, p, d commands), `uniq [-c]`, `md5sum`.

They print what GNU sed 4.x and coreutils print, errors included, so a pipeline answers as on a real host.
`sed` knows only the commands listed; any other (addresses, y, a, ...) is refused as GNU sed refuses an
unknown one, since answering it wrongly would be worse than saying so.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Callable

from simulator.ssh.coreutils import _bre_to_python
from simulator.ssh.result import Ctx, Handler, Result, fail

log = logging.getLogger(__name__)


class SedError(Exception):
    """A script GNU sed would refuse: `sed: -e expression #N, char C: <why>`."""

    def __init__(self, expression: int, char: int, why: str):
        super().__init__(f"sed: -e expression #{expression}, char {char}: {why}\n")


@dataclass
class _Command:
    name: str                                     # "s", "p" or "d"
    regex: re.Pattern | None = None
    expand: Callable[[re.Match], str] | None = None
    glob: bool = False
    nth: int = 1
    print_: bool = False


def _until(script: str, i: int, delim: str, number: int, regex: bool) -> tuple[str, int]:
    """The text from `i` to the next unescaped `delim` (outside a bracket expression, in a regex)
    and the index after that delimiter. `\\<delim>` stands for the delimiter itself."""
    out = []
    while i < len(script):
        c = script[i]
        if c == "\\" and i + 1 < len(script):
            n = script[i + 1]
            out.append(n if n == delim else (c + n))
            i += 2
            continue
        if c == delim:
            return "".join(out), i + 1
        if regex and c == "[":
            j = i + 1 + (script[i + 1:i + 2] == "^")
            j += script[j:j + 1] == "]"
            while j < len(script) and script[j] != "]":
                j = script.index(":]", j + 2) + 2 if script.startswith("[:", j) and ":]" in script[j + 2:] else j + 1
            out.append(script[i:j + 1])
            i = j + 1
            continue
        if c == "\n":
            break
        out.append(c)
        i += 1
    raise SedError(number, len(script) if i >= len(script) else i + 1, "unterminated `s' command")


def _replacement(text: str, groups: int, number: int, at: int) -> Callable[[re.Match], str]:
    """sed's RHS: `&` the match, `\\1`..`\\9` groups, `\\n` a newline, `\\x` the character x."""
    parts: list[str | int] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            if n.isdigit():
                if int(n) > groups:
                    raise SedError(number, at, f"invalid reference \\{n} on `s' command's RHS")
                parts.append(int(n))
            else:
                parts.append("\n" if n == "n" else n)
            i += 2
            continue
        parts.append(0 if c == "&" else c)
        i += 1
    return lambda m: "".join(p if isinstance(p, str) else (m.group(p) or "") for p in parts)


def _compile_error(e: re.error) -> str:
    msg = str(e)
    if "parenthesis" in msg or "missing )" in msg:
        return "Unmatched ( or \\("
    if "character set" in msg:
        return "Unmatched [, [^, [:, [., or [="
    if "brace" in msg or "repeat" in msg:
        return "Invalid preceding regular expression"
    return "Invalid regular expression"


def _substitute(script: str, i: int, number: int, extended: bool) -> tuple[_Command, int]:
    """Parse `s/RE/REPL/flags` starting after the `s`; the command and the index after it."""
    if i >= len(script) or script[i] in "\n\\":
        raise SedError(number, i + 1 if i < len(script) else i, "unterminated `s' command")
    delim = script[i]
    pattern, i = _until(script, i + 1, delim, number, True)
    repl, i = _until(script, i, delim, number, False)
    cmd = _Command("s")
    flags = 0
    seen = set()
    while i < len(script) and script[i] not in ";\n#}":
        c = script[i]
        i += 1
        if c in "gp" and c in seen:
            raise SedError(number, i, f"multiple `{c}' options to `s' command")
        seen.add(c)
        if c == "g":
            cmd.glob = True
        elif c == "p":
            cmd.print_ = True
        elif c in "iI":
            flags |= re.IGNORECASE
        elif c.isdigit():
            j = i
            while j < len(script) and script[j].isdigit():
                j += 1
            cmd.nth, i = int(script[i - 1:j]), j
        elif c not in " \t":
            raise SedError(number, i, "unknown option to `s'")
    end = i + 1 if i < len(script) and script[i] in ";\n" else i
    if script[i:i + 1] == "}":
        raise SedError(number, i + 1, "unexpected `}'")
    if pattern == "":
        raise SedError(number, 0, "no previous regular expression")
    try:
        cmd.regex = re.compile(pattern if extended else _bre_to_python(pattern), flags)
    except re.error as e:
        raise SedError(number, end, _compile_error(e)) from None
    cmd.expand = _replacement(repl, cmd.regex.groups, number, end)
    return cmd, i


def parse(expressions: list[str], extended: bool = False) -> list[_Command]:
    """The commands of the `-e` expressions, in order; SedError where GNU sed would stop."""
    out: list[_Command] = []
    for number, script in enumerate(expressions, 1):
        i = 0
        while i < len(script):
            c = script[i]
            if c in " \t\n;":
                i += 1
            elif c == "#":
                j = script.find("\n", i)
                i = len(script) if j < 0 else j + 1
            elif c == "s":
                cmd, i = _substitute(script, i + 1, number, extended)
                out.append(cmd)
            elif c in "pd":
                out.append(_Command(c))
                i += 1
            elif c == "}":
                raise SedError(number, i + 1, "unexpected `}'")
            else:
                log.debug("sed command %r is not simulated", c)
                raise SedError(number, i + 1, f"unknown command: `{c}'")
    return out


def _apply(cmd: _Command, line: str) -> tuple[str, bool]:
    """GNU sed's substitution: an empty match right after the previous match is not replaced."""
    rx, expand = cmd.regex, cmd.expand
    out, pos, prev_end, seen, done = [], 0, -1, 0, False
    while pos <= len(line):
        m = rx.search(line, pos)
        if m is None:
            break
        if m.start() == m.end() == prev_end:
            if m.start() >= len(line):
                break
            out.append(line[pos:m.start() + 1])
            pos = m.start() + 1
            continue
        seen += 1
        out.append(line[pos:m.start()])
        out.append(expand(m) if seen >= cmd.nth else m.group(0))
        done |= seen >= cmd.nth
        prev_end = pos = m.end()
        if seen >= cmd.nth and not cmd.glob:
            break
        if m.start() == m.end():
            if pos >= len(line):
                break
            out.append(line[pos])
            pos += 1
    if not done:
        return line, False
    out.append(line[pos:])
    return "".join(out), True


def sed(ctx: Ctx, args: list[str], stdin: str) -> Result:
    quiet, extended, expressions, files = False, False, [], []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-n", "--quiet", "--silent"):
            quiet = True
        elif a in ("-E", "-r", "--regexp-extended"):
            extended = True
        elif a.startswith("--expression="):
            expressions.append(a.partition("=")[2])
        elif a == "-e" and i + 1 < len(args):
            expressions.append(args[i + 1])
            i += 1
        elif a.startswith("-e") and len(a) > 2:
            expressions.append(a[2:])
        elif a.startswith("-") and a != "-":
            return fail(f"sed: invalid option -- '{a[1:2]}'\n" + _SED_USAGE, 1)
        else:
            files.append(a)
        i += 1
    if not expressions:
        if not files:
            return fail(_SED_USAGE, 1)
        expressions.append(files.pop(0))
    if any(f != "-" for f in files):
        bad = next(f for f in files if f != "-")
        return fail(f"sed: can't read {bad}: No such file or directory\n", 2)
    try:
        program = parse(expressions, extended)
    except SedError as e:
        return fail(str(e), 1)
    out: list[str] = []
    lines = stdin.split("\n")
    if lines[-1] == "":
        lines.pop()
    for line in lines:
        before = len(out)
        deleted = False
        for cmd in program:
            if cmd.name == "d":
                deleted = True
                break
            if cmd.name == "p":
                out.append(line + "\n")
                continue
            line, hit = _apply(cmd, line)
            if hit and cmd.print_:
                out.append(line + "\n")
        if not quiet and not deleted:
            out.append(line + "\n")
    if stdin and not stdin.endswith("\n") and len(out) > before:   # GNU sed keeps a last line's missing newline
        out[-1] = out[-1][:-1]
    return Result("".join(out))


_SED_USAGE = "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n"


def counted(count: int, line: str) -> str:
    """A line of `uniq -c`: the count right-aligned in 7 columns (printf '%7d %s\\n')."""
    return f"{count:7d} {line}\n"


def uniq(ctx: Ctx, args: list[str], stdin: str) -> Result:
    count = False
    for a in args:
        if a in ("-c", "--count"):
            count = True
        elif a.startswith("-") and a != "-":
            msg = f"uniq: unrecognized option '{a}'\n" if a.startswith("--") else f"uniq: invalid option -- '{a[1:2]}'\n"
            return fail(msg + "Try 'uniq --help' for more information.\n", 1)
    out: list[str] = []
    last, n = None, 0
    for line in stdin[:-1].split("\n") if stdin.endswith("\n") else stdin.split("\n") if stdin else []:
        if line == last:
            n += 1
            continue
        if last is not None:
            out.append(counted(n, last) if count else last + "\n")
        last, n = line, 1
    if last is not None:
        out.append(counted(n, last) if count else last + "\n")
    return Result("".join(out))


def md5_line(digest: str) -> str:
    """md5sum's line for its standard input."""
    return f"{digest}  -\n"


def md5sum(ctx: Ctx, args: list[str], stdin: str) -> Result:
    for a in args:
        if a.startswith("-") and a != "-":
            return fail(f"md5sum: invalid option -- '{a[1:2]}'\nTry 'md5sum --help' for more information.\n", 1)
        if a != "-":
            return fail(f"md5sum: {a}: No such file or directory\n", 1)
    return Result(md5_line(hashlib.md5(stdin.encode()).hexdigest()))


HANDLERS: dict[str, Handler] = {"sed": sed, "uniq": uniq, "md5sum": md5sum}
