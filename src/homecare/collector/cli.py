"""``homecare-collector``: serve the API and administer the collector.

English only on purpose: this is the provider's tool, read by its staff.

    homecare-collector serve [--db FILE | --database-url URL] [--host H] [--port N]
    homecare-collector token create --role ingest|support|analyst --provider NAME
    homecare-collector token revoke TOKEN|DIGEST-PREFIX ; homecare-collector token list
    homecare-collector show CODE [--provider NAME | --url URL --token SUPPORT_TOKEN]
    homecare-collector technicians add NAME PUBKEY --provider NAME ; technicians list
    homecare-collector insights [--json | --csv | --parquet PATH] [--k 10] [--provider NAME] [filters]
    homecare-collector migrate
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

DEFAULT_DB = "homecare-collector.sqlite3"


def database_url(args: argparse.Namespace) -> str:
    from homecare.collector.db import sqlite_url

    if args.database_url:
        return str(args.database_url)
    env = os.environ.get("HOMECARE_COLLECTOR_DATABASE_URL")
    if env and not args.db:
        return env
    return sqlite_url(args.db or DEFAULT_DB)


class CliError(Exception):
    """A one-line message for the operator and the exit code to leave with."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _engine(args: argparse.Namespace, create: bool = True) -> Engine:
    """The migrated database. Reading commands (*create* False) refuse to make
    an empty SQLite file where the operator meant an existing one."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from homecare.collector.db import make_engine
    from homecare.collector.migrate import upgrade

    url = database_url(args)
    parsed = make_url(url)
    if not create and parsed.get_backend_name() == "sqlite" and parsed.database:
        path = parsed.database
        if path != ":memory:" and not Path(path).exists():
            raise CliError(
                f"no database at {path}: pass --db FILE or --database-url URL "
                "('homecare-collector migrate --db FILE' creates one)",
                code=2,
            )
    engine = make_engine(url)
    upgrade(engine)
    return engine


def web_session_secret() -> str:
    """The key that signs desk and console sessions: HOMECARE_COLLECTOR_SESSION_SECRET
    (set the same value on every instance behind one load balancer), else one
    random key for this process and its workers (sessions end on restart)."""
    return os.environ.get("HOMECARE_COLLECTOR_SESSION_SECRET") or secrets.token_urlsafe(32)


def cmd_serve(args: argparse.Namespace) -> int:
    from homecare.advise.catalogue import extra_dirs_from
    from homecare.collector.app import create_app
    from homecare.collector.server import bound_url, make_server, serve_workers, wait_started
    from homecare.collector.settings import CollectorSettings

    for name, port in (("--port", args.port), ("--speedtest-port", args.speedtest_port)):
        if port is not None and not 0 <= port <= 65535:
            raise CliError(f"{name} {port} is not a port (0-65535; 0 picks a free one)", code=2)

    settings = CollectorSettings(
        database_url=database_url(args),
        max_body_bytes=args.max_body,
        rate_per_s=args.rate,
        burst=args.burst,
        min_k=args.min_k,
        source_rate_per_s=args.source_rate,
        source_burst=args.source_burst,
        trusted_proxies=tuple(args.trusted_proxy),
        header_timeout_s=args.header_timeout,
        body_timeout_s=args.body_timeout,
        limit_concurrency=args.limit_concurrency,
        redis_url=args.redis_url or os.environ.get("HOMECARE_COLLECTOR_REDIS_URL") or None,
        global_upload_rate_per_s=args.global_rate,
        global_upload_burst=args.global_burst,
        session_secret=web_session_secret(),
        catalogue_dirs=tuple(str(d) for d in extra_dirs_from(os.environ)),
    )
    if settings.redis_url:  # fail at start, in one line, not at the first upload
        from homecare.collector.ratelimit import LimiterUnavailable, connect_redis

        try:
            connect_redis(settings.redis_url).close()
        except LimiterUnavailable as exc:
            raise CliError(str(exc)) from None
    engine = _engine(args)
    if args.workers > 1:
        engine.dispose()
        serve_workers(
            settings,
            args.host,
            args.port,
            args.workers,
            lambda url: print(f"homecare-collector: listening on {url}", flush=True),
        )
        return 0
    app = create_app(settings, engine)
    if args.speedtest_port is not None:
        from homecare.collector.librespeed import make_librespeed_server

        speed = make_librespeed_server(args.host, args.speedtest_port)
        threading.Thread(target=speed.serve_forever, name="librespeed", daemon=True).start()
        print(
            f"homecare-collector: LibreSpeed endpoints on port {speed.server_address[1]}",
            file=sys.stderr,
            flush=True,
        )
    server = make_server(app, args.host, args.port)

    def announce() -> None:
        wait_started(server, timeout=60)
        print(f"homecare-collector: listening on {bound_url(server, args.host)}", flush=True)

    threading.Thread(target=announce, daemon=True).start()
    server.run()
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from homecare.collector.tokens import create_token

    token = create_token(_engine(args), args.role, args.provider)
    print(token)
    print(
        f"({args.role} token for provider {args.provider!r}; shown once, stored hashed)",
        file=sys.stderr,
    )
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from homecare.collector.tokens import revoke_token

    try:
        revoked = revoke_token(_engine(args, create=False), args.token)
    except ValueError as exc:
        print(f"homecare-collector: {exc}", file=sys.stderr)
        return 2
    if not revoked:
        print("homecare-collector: no active token matches", file=sys.stderr)
        return 1
    print(
        f"homecare-collector: revoked {revoked} token(s); running instances refuse them "
        "within the token cache time (30 s)",
        file=sys.stderr,
    )
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    from homecare.collector.tokens import list_tokens

    for t in list_tokens(_engine(args, create=False)):
        state = f"revoked {str(t['revoked_at'])[:16]}" if t["revoked_at"] else "active"
        print(
            f"{t['token_hash']}  {t['role']:<8} {t['provider']:<20} {str(t['created_at'])[:16]}  {state}"
        )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from homecare.collector.db import find_by_code
    from homecare.collector.render import render_result
    from homecare.share.support_code import InvalidSupportCode, parse

    try:
        code = parse(args.code)
    except InvalidSupportCode:
        print(
            f"homecare-collector: {args.code!r} is not a valid support code; "
            "ask the customer to read it again",
            file=sys.stderr,
        )
        return 2
    if args.url:
        return _show_remote(
            args.url, args.token or os.environ.get("HOMECARE_COLLECTOR_TOKEN"), code
        )
    from homecare.collector.technicians_cli import show_session

    engine = _engine(args, create=False)
    if show_session(engine, args.provider, code):  # a technician's session
        return 0
    found = find_by_code(engine, args.provider, code)
    if not found:
        print(f"homecare-collector: no result with code {code}", file=sys.stderr)
        return 1
    first = found[0]
    sys.stdout.write(render_result(code, first.received_at.isoformat(), len(found), first.payload))
    return 0


def _show_remote(url: str, token: str | None, code: str) -> int:
    """The same view through the API, for a desk without database access: a
    technician's session (``GET /v1/sessions/CODE``) or else a check
    (``GET /v1/results/CODE``), in the order the local lookup uses."""
    import httpx

    from homecare.collector.render import render_result
    from homecare.collector.session_view import render_session

    if not token:
        print("homecare-collector: --token (a support token) is needed with --url", file=sys.stderr)
        return 2
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=url.rstrip("/"), timeout=15, headers=headers) as client:
            r = client.get(f"/v1/sessions/{code}")
            if r.status_code == 200:
                sys.stdout.write(render_session(r.json()))
                return 0
            if r.status_code == 404:
                r = client.get(f"/v1/results/{code}")
    except httpx.HTTPError as exc:
        print(f"homecare-collector: cannot reach {url}: {exc}", file=sys.stderr)
        return 1
    if r.status_code != 200:
        print(f"homecare-collector: {r.status_code} {r.text[:200]}", file=sys.stderr)
        return 1
    doc = r.json()
    sys.stdout.write(
        render_result(doc["support_code"], doc["received_at"], doc["matches"], doc["payload"])
    )
    return 0


def cmd_insights(args: argparse.Namespace) -> int:
    from homecare.collector.queries import MIN_K, BadFilter, Filters, cohort_insights
    from homecare.collector.render import insights_text

    if args.k < MIN_K:
        print(f"homecare-collector: k must be at least {MIN_K}", file=sys.stderr)
        return 2
    try:
        filters = Filters.from_params(vars(args))
    except BadFilter as exc:
        print(f"homecare-collector: {exc}", file=sys.stderr)
        return 2
    from homecare.collector.rollup_queue import fold_all

    engine = _engine(args, create=False)
    fold_all(engine)  # what the serving instances left pending
    doc = cohort_insights(engine, args.provider, filters, args.k)
    if args.parquet:
        from pathlib import Path

        from homecare.collector.export import write_parquet

        print(write_parquet(doc, Path(args.parquet)))
        return 0
    if args.json:
        # strict JSON: a non-finite number is a bug to report, never "Infinity" in the output
        sys.stdout.write(
            json.dumps(doc, indent=2, sort_keys=True, allow_nan=False, default=str) + "\n"
        )
    elif args.csv:  # the console's download, byte for byte
        from homecare.collector.export import rows_of, to_csv

        sys.stdout.write(to_csv(rows_of(doc)))
    else:
        sys.stdout.write(insights_text(doc))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    _engine(args)
    print("homecare-collector: database is up to date")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="homecare-collector", description=__doc__.splitlines()[0] if __doc__ else None
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help=f"SQLite file (default {DEFAULT_DB})")
    common.add_argument(
        "--database-url", help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", parents=[common], help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="0 picks a free port (printed)")
    serve.add_argument("--max-body", type=int, default=512 * 1024, help="max upload bytes")
    serve.add_argument(
        "--rate", type=float, default=5.0, help="uploads/s per installation (0: off)"
    )
    serve.add_argument("--burst", type=int, default=60, help="token bucket size")
    serve.add_argument("--min-k", type=int, default=10, help="smallest cohort ever shown")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (one socket)")
    serve.add_argument(
        "--source-rate", type=float, default=20.0, help="uploads/s per source address"
    )
    serve.add_argument(
        "--source-burst", type=int, default=300, help="bucket size per source address"
    )
    serve.add_argument(
        "--redis-url",
        default=None,
        help="keep shared rate limits in Redis, e.g. unix:///run/redis/redis.sock "
        "(or HOMECARE_COLLECTOR_REDIS_URL; default: in the database)",
    )
    serve.add_argument(
        "--global-rate",
        type=float,
        default=1000.0,
        help="uploads/s of all instances together before 503 (0: off)",
    )
    serve.add_argument(
        "--global-burst", type=int, default=2000, help="bucket size of the global budget"
    )
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        help="believe X-Forwarded-For from this address/network (repeatable)",
    )
    serve.add_argument("--header-timeout", type=float, default=10.0, help="seconds to send headers")
    serve.add_argument("--body-timeout", type=float, default=30.0, help="seconds to send a body")
    serve.add_argument(
        "--limit-concurrency", type=int, default=2000, help="connections+requests before 503"
    )
    serve.add_argument(
        "--speedtest-port",
        type=int,
        default=None,
        help="also serve LibreSpeed endpoints on this port",
    )
    serve.set_defaults(func=cmd_serve)

    token = sub.add_parser("token", help="manage API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    create = token_sub.add_parser("create", parents=[common], help="create a token (printed once)")
    create.add_argument("--role", choices=["ingest", "support", "analyst"], required=True)
    create.add_argument("--provider", required=True)
    create.set_defaults(func=cmd_token)
    revoke = token_sub.add_parser("revoke", parents=[common], help="revoke a token at once")
    revoke.add_argument("token", help="the token, or 8+ hex digits of its digest (token list)")
    revoke.set_defaults(func=cmd_token_revoke)
    listing = token_sub.add_parser("list", parents=[common], help="list tokens (digest prefixes)")
    listing.set_defaults(func=cmd_token_list)

    show = sub.add_parser("show", parents=[common], help="show a result by support code")
    show.add_argument("code")
    show.add_argument("--provider", default=None, help="only this provider's results")
    show.add_argument("--url", default=None, help="ask a running collector instead of the database")
    show.add_argument(
        "--token", default=None, help="support token for --url (or HOMECARE_COLLECTOR_TOKEN)"
    )
    show.set_defaults(func=cmd_show)

    insights = sub.add_parser("insights", parents=[common], help="k-anonymous cohort insights")
    fmt = insights.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    insights.add_argument("--k", type=int, default=10)
    insights.add_argument(
        "--parquet",
        metavar="PATH",
        default=None,
        help="write the suppressed insights as one Parquet file (PATH.parquet, "
        "or insights.parquet in the folder PATH)",
    )
    insights.add_argument("--provider", default=None)
    for name in ("plan_tier", "router_vendor", "router_model", "connection_type", "wifi_band"):
        insights.add_argument(
            f"--{name.replace('_', '-')}", dest=name, default=None, help="only this cohort"
        )
    insights.add_argument("--since", default=None, help="checks from this day (YYYY-MM-DD)")
    insights.add_argument("--until", default=None, help="checks before this day (YYYY-MM-DD)")
    insights.set_defaults(func=cmd_insights)

    migrate = sub.add_parser("migrate", parents=[common], help="upgrade the database schema")
    migrate.set_defaults(func=cmd_migrate)
    from homecare.collector.technicians_cli import add_parsers

    add_parsers(sub, common, _engine)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every failure an operator can fix is one line, never a traceback."""
    from sqlalchemy.exc import ArgumentError, DatabaseError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("homecare-collector: interrupted", file=sys.stderr)
        return 130
    except CliError as exc:
        print(f"homecare-collector: {exc}", file=sys.stderr)
        return exc.code
    except ArgumentError as exc:  # a URL SQLAlchemy cannot parse, or an unknown driver
        print(f"homecare-collector: not a usable database URL: {exc}", file=sys.stderr)
        return 2
    except DatabaseError as exc:  # not a database, unreachable server, refused login
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        print(f"homecare-collector: cannot use the database: {reason}", file=sys.stderr)
        return 1
    except OSError as exc:  # the port is taken, a folder cannot be written
        print(f"homecare-collector: {exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
