"""Monthly partitions of ``uploads`` on PostgreSQL (SQLite has none).

Uploads are partitioned by the month of ``created_at`` so that a time-bounded
insights query reads only its months and old months can be detached or
dropped whole. A DEFAULT partition catches anything outside the prepared
range; :func:`ensure_partitions` adds the coming months at every start.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Connection, text


def _month(moment: date) -> date:
    return date(moment.year, moment.month, 1)


def _next(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"uploads_p{month.year:04d}_{month.month:02d}"


def ensure_partitions(conn: Connection, first: date, months_ahead: int = 3) -> list[str]:
    """Create missing monthly partitions from *first* to *months_ahead* after
    now; the names created. A month whose rows already sit in the DEFAULT
    partition is left there (PostgreSQL refuses to create it) and skipped."""
    if conn.dialect.name != "postgresql":
        return []
    existing = {
        row[0]
        for row in conn.execute(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'uploads'"
            )
        )
    }
    created = []
    month, last = _month(first), _month(datetime.now(UTC).date())
    for _ in range(months_ahead):
        last = _next(last)
    while month <= last:
        name = partition_name(month)
        if name not in existing:
            with conn.begin_nested():
                conn.execute(
                    text(
                        f"CREATE TABLE {name} PARTITION OF uploads "
                        f"FOR VALUES FROM ('{month.isoformat()}') TO ('{_next(month).isoformat()}')"
                    )
                )
            created.append(name)
        month = _next(month)
    if "uploads_default" not in existing:
        conn.execute(text("CREATE TABLE uploads_default PARTITION OF uploads DEFAULT"))
    return created
