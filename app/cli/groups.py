"""Shared shape of the administration commands (`calipso store|db|env ACTION`)."""

from __future__ import annotations

import argparse


def admin_group(sub, common: argparse.ArgumentParser, name: str, help_text: str):
    """A command with actions; administration commands log warnings and errors only by default."""
    p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
    p.set_defaults(default_loglevel="WARNING")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    return actions
