"""``homecare-collector technicians add|list`` and the session half of ``show``.

Kept beside ``cli.py`` so the command table there only gains one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

EngineFor = Callable[[argparse.Namespace], "Engine"]


def add_parsers(sub: Any, common: argparse.ArgumentParser, engine_for: EngineFor) -> None:
    tech = sub.add_parser("technicians", help="register technicians' signing keys")
    tech_sub = tech.add_subparsers(dest="technicians_command", required=True)
    add = tech_sub.add_parser("add", parents=[common], help="register NAME's public key")
    add.add_argument("name")
    add.add_argument("public_key", metavar="PUBKEY",
                     help="base64 Ed25519 key, as 'homecare session key' prints it")  # fmt: skip
    add.add_argument("--provider", required=True)
    add.set_defaults(func=lambda a: cmd_add(a, engine_for))
    ls = tech_sub.add_parser("list", parents=[common], help="list registered keys")
    ls.add_argument("--provider", default=None)
    ls.set_defaults(func=lambda a: cmd_list(a, engine_for))


def cmd_add(args: argparse.Namespace, engine_for: EngineFor) -> int:
    from homecare.collector.sessions_db import add_technician
    from homecare.session.keys import parse_public_key

    try:
        parse_public_key(args.public_key)
    except ValueError as exc:
        print(f"homecare-collector: not an Ed25519 public key: {exc}", file=sys.stderr)
        return 2
    name = " ".join(args.name.split())[:120]
    if not name:
        print("homecare-collector: the name is empty", file=sys.stderr)
        return 2
    if not add_technician(engine_for(args), args.provider, name, args.public_key.strip()):
        print("homecare-collector: this key is registered already", file=sys.stderr)
        return 1
    print(f"homecare-collector: {name}'s key registered for {args.provider}", file=sys.stderr)
    return 0


def cmd_list(args: argparse.Namespace, engine_for: EngineFor) -> int:
    from sqlalchemy import select

    from homecare.collector.sessions_db import technicians

    stmt = select(technicians.c.provider, technicians.c.name, technicians.c.public_key)
    if args.provider:
        stmt = stmt.where(technicians.c.provider == args.provider)
    with engine_for(args).connect() as conn:
        for provider, name, key in conn.execute(stmt.order_by(technicians.c.name)):
            print(f"{provider:<20} {name:<30} {key}")
    return 0


def show_session(engine: Engine, provider: str | None, code: str) -> bool:
    """Print the session with this support code (and its before/after); False if none."""
    from homecare.collector.session_view import render_session, session_view
    from homecare.collector.sessions_db import find_sessions_by_code
    from homecare.render.sanitize import clean_block

    found = find_sessions_by_code(engine, provider, code)
    if not found:
        return False
    sys.stdout.write(clean_block(render_session(session_view(engine, found[0]))))
    return True
