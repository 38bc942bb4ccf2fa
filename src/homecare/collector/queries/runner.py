"""Running the insights statements: one snapshot, in parallel on PostgreSQL.

The sections are independent statements, so on PostgreSQL they run on
several connections at once (a database host's cores each take one). They
still see one consistent state: the first connection opens a REPEATABLE
READ transaction and exports its snapshot (``pg_export_snapshot``), and
every other connection imports it (``SET TRANSACTION SNAPSHOT``) before its
statement, so the sections add up exactly as if run in one transaction.
SQLite runs them one after another in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Connection, Engine, text

#: one section: a statement or a few on one connection, returning its rows
Section = Callable[[Connection], Any]

#: the per-installation sorts stay in memory (insights are rate limited per
#: token, which bounds how many run at once)
WORK_MEM = "256MB"
_SNAPSHOT_ID = re.compile(r"^[0-9A-F]+(-[0-9A-F]+)+$")


def run_sections(
    engine: Engine, sections: Mapping[str, Section], parallel: int = 4
) -> dict[str, Any]:
    """Each section's result, by name, all read from one snapshot."""
    if engine.dialect.name != "postgresql" or parallel <= 1:
        with engine.connect() as conn, conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
            return {name: fn(conn) for name, fn in sections.items()}
    with engine.connect() as leader:
        leader = leader.execution_options(isolation_level="REPEATABLE READ")
        with leader.begin():
            snapshot = str(leader.execute(text("SELECT pg_export_snapshot()")).scalar_one())
            if not _SNAPSHOT_ID.match(snapshot):  # inlined below: SET takes no parameters
                raise ValueError(f"unexpected snapshot id {snapshot!r}")

            def one(name: str) -> Any:
                with engine.connect() as conn:
                    conn = conn.execution_options(isolation_level="REPEATABLE READ")
                    with conn.begin():
                        conn.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
                        conn.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
                        return sections[name](conn)

            with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="insights") as pool:
                results = dict(zip(sections, pool.map(one, sections), strict=True))
    return results
