"""Monitor samples in the history database: raw rows, hourly roll-ups, retention.

One row per monitor sample (one ``run_check``), keyed by wall-clock time.
A year of minute samples would be half a million rows, so complete hours are
rolled up into ``sample_hours`` and raw rows older than the retention are
deleted; trends read the roll-ups plus the few raw rows of the current hour.
Every write is one short transaction (``BEGIN IMMEDIATE`` and SQLite's busy
timeout), so two monitors writing one history wait for each other instead of
interleaving half-written roll-ups.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from homecare.errors import StateError
from homecare.i18n import _

_T = TypeVar("_T")

#: history migration 4 (see ``homecare.store.history.MIGRATIONS``)
SAMPLES_MIGRATION = """
CREATE TABLE samples (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    kind TEXT NOT NULL,
    monitor TEXT NOT NULL,
    gap_before INTEGER NOT NULL DEFAULT 0,
    settling INTEGER NOT NULL DEFAULT 0,
    router_ok INTEGER,
    internet_ok INTEGER,
    dns_ok INTEGER,
    loss REAL,
    rtt_ms REAL,
    dns_ms REAL,
    down_mbit REAL,
    up_mbit REAL,
    plan_down_mbit REAL,
    plan_up_mbit REAL,
    segment TEXT,
    codes TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX samples_ts ON samples(ts);
CREATE TABLE sample_hours (
    hour INTEGER PRIMARY KEY,
    n INTEGER NOT NULL,
    router_n INTEGER NOT NULL, router_ok INTEGER NOT NULL,
    internet_n INTEGER NOT NULL, internet_ok INTEGER NOT NULL,
    dns_n INTEGER NOT NULL, dns_ok INTEGER NOT NULL,
    rtt_sum REAL NOT NULL, rtt_n INTEGER NOT NULL,
    loss_sum REAL NOT NULL, loss_n INTEGER NOT NULL,
    down_sum REAL NOT NULL, down_n INTEGER NOT NULL,
    ratio_sum REAL NOT NULL, ratio_n INTEGER NOT NULL,
    up_sum REAL NOT NULL, up_n INTEGER NOT NULL
);
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    segment TEXT,
    opened_at REAL NOT NULL,
    closed_at REAL,
    summary TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '{}',
    acked_at REAL
);
CREATE UNIQUE INDEX alerts_one_open ON alerts(code) WHERE closed_at IS NULL;
CREATE TABLE alert_snoozes (
    code TEXT PRIMARY KEY,
    until REAL NOT NULL
);
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    channel_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try REAL NOT NULL,
    delivered_at REAL,
    last_error TEXT,
    UNIQUE (alert_id, event, channel_key)
);
CREATE TABLE monitors (
    id TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    started_at REAL NOT NULL,
    seen_at REAL NOT NULL,
    every_s REAL NOT NULL
);
"""

#: history migration 5: finds failing samples without scanning the good ones
SAMPLES_TROUBLE_INDEX = """
CREATE INDEX samples_trouble ON samples(ts) WHERE internet_ok = 0 OR gap_before = 1;
"""

#: history migration 6: upload as a share of the plan, per hour (the
#: hour-of-day finding covers upload too); filled from the raw rows still kept,
#: older hours have no upload ratio
SAMPLES_UP_RATIO = """
ALTER TABLE sample_hours ADD COLUMN up_ratio_sum REAL NOT NULL DEFAULT 0;
ALTER TABLE sample_hours ADD COLUMN up_ratio_n INTEGER NOT NULL DEFAULT 0;
UPDATE sample_hours SET (up_ratio_sum, up_ratio_n) = (
    SELECT COALESCE(SUM(up_mbit / plan_up_mbit), 0), COUNT(up_mbit / plan_up_mbit)
    FROM samples WHERE settling = 0 AND ts >= sample_hours.hour AND ts < sample_hours.hour + 3600
);
"""

#: raw samples are kept this long; older ones live on as hourly roll-ups
DEFAULT_RETENTION_S = 35 * 86400.0

_COLUMNS = (
    "ts, kind, monitor, gap_before, settling, router_ok, internet_ok, dns_ok, loss, rtt_ms, "
    "dns_ms, down_mbit, up_mbit, plan_down_mbit, plan_up_mbit, segment, codes"
)

# One aggregation for raw rows and roll-ups alike; settling samples (just after
# a resume) are kept but never counted.
_HOURLY_SELECT = """
SELECT CAST(ts / 3600 AS INTEGER) * 3600 AS hour,
       COUNT(*),
       COUNT(router_ok), COALESCE(SUM(router_ok), 0),
       COUNT(internet_ok), COALESCE(SUM(internet_ok), 0),
       COUNT(dns_ok), COALESCE(SUM(dns_ok), 0),
       COALESCE(SUM(rtt_ms), 0), COUNT(rtt_ms),
       COALESCE(SUM(loss), 0), COUNT(loss),
       COALESCE(SUM(down_mbit), 0), COUNT(down_mbit),
       COALESCE(SUM(down_mbit / plan_down_mbit), 0), COUNT(down_mbit / plan_down_mbit),
       COALESCE(SUM(up_mbit), 0), COUNT(up_mbit),
       COALESCE(SUM(up_mbit / plan_up_mbit), 0), COUNT(up_mbit / plan_up_mbit)
FROM samples WHERE ts >= ? AND ts < ? AND settling = 0
GROUP BY hour
"""


@dataclass(frozen=True)
class Sample:
    """What one monitor check saw, reduced to the figures trends and alerts need."""

    ts: float
    kind: str
    monitor: str = "local"
    gap_before: bool = False
    settling: bool = False
    router_ok: bool | None = None
    internet_ok: bool | None = None
    dns_ok: bool | None = None
    loss: float | None = None
    rtt_ms: float | None = None
    dns_ms: float | None = None
    down_mbit: float | None = None
    up_mbit: float | None = None
    plan_down_mbit: float | None = None
    plan_up_mbit: float | None = None
    segment: str | None = None
    codes: tuple[str, ...] = ()

    def row(self) -> tuple[Any, ...]:
        return (
            self.ts,
            self.kind,
            self.monitor,
            int(self.gap_before),
            int(self.settling),
            _opt_int(self.router_ok),
            _opt_int(self.internet_ok),
            _opt_int(self.dns_ok),
            self.loss,
            self.rtt_ms,
            self.dns_ms,
            self.down_mbit,
            self.up_mbit,
            self.plan_down_mbit,
            self.plan_up_mbit,
            self.segment,
            json.dumps(list(self.codes)),
        )

    @classmethod
    def from_row(cls, r: Sequence[Any]) -> Sample:
        return cls(
            ts=r[0],
            kind=r[1],
            monitor=r[2],
            gap_before=bool(r[3]),
            settling=bool(r[4]),
            router_ok=_opt_bool(r[5]),
            internet_ok=_opt_bool(r[6]),
            dns_ok=_opt_bool(r[7]),
            loss=r[8],
            rtt_ms=r[9],
            dns_ms=r[10],
            down_mbit=r[11],
            up_mbit=r[12],
            plan_down_mbit=r[13],
            plan_up_mbit=r[14],
            segment=r[15],
            codes=tuple(json.loads(r[16] or "[]")),
        )


@dataclass(frozen=True)
class HourBucket:
    """Sums over one UTC hour of samples (from ``sample_hours`` or raw rows)."""

    hour: int
    n: int
    router_n: int
    router_ok: int
    internet_n: int
    internet_ok: int
    dns_n: int
    dns_ok: int
    rtt_sum: float
    rtt_n: int
    loss_sum: float
    loss_n: int
    down_sum: float
    down_n: int
    ratio_sum: float
    ratio_n: int
    up_sum: float
    up_n: int
    up_ratio_sum: float
    up_ratio_n: int


@dataclass
class SampleStore:
    """Samples, roll-ups and retention on an open history connection."""

    conn: sqlite3.Connection
    retries: int = 5
    _sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    @classmethod
    @contextmanager
    def open(cls, path: Path) -> Iterator[SampleStore]:
        """Open (and migrate) the history at *path* for samples."""
        from homecare.store.history import History

        with History.open(path) as history:
            yield cls(history._conn)

    def add(self, sample: Sample) -> int:
        placeholders = ", ".join("?" * len(sample.row()))

        def insert(conn: sqlite3.Connection) -> int:
            cur = conn.execute(
                f"INSERT INTO samples ({_COLUMNS}) VALUES ({placeholders})",  # noqa: S608
                sample.row(),
            )
            return int(cur.lastrowid or 0)

        return self.write(insert)

    def add_many(self, samples: Sequence[Sample]) -> None:
        if not samples:
            return
        placeholders = ", ".join("?" * len(samples[0].row()))

        def insert(conn: sqlite3.Connection) -> None:
            conn.executemany(
                f"INSERT INTO samples ({_COLUMNS}) VALUES ({placeholders})",  # noqa: S608
                [s.row() for s in samples],
            )

        self.write(insert)

    def between(self, start: float, end: float, kinds: Sequence[str] = ()) -> list[Sample]:
        """Raw samples in [start, end), oldest first."""
        sql = f"SELECT {_COLUMNS} FROM samples WHERE ts >= ? AND ts < ?"  # noqa: S608
        params: list[Any] = [start, end]
        if kinds:
            sql += f" AND kind IN ({', '.join('?' * len(kinds))})"
            params.extend(kinds)
        rows = self.read(sql + " ORDER BY ts, id", tuple(params))
        return [Sample.from_row(r) for r in rows]

    def outage_candidates(self, start: float, end: float) -> list[Sample]:
        """The light samples an outage log needs, oldest first: every failing one,
        every one after a gap, and the first good one after each run of failures.

        :func:`homecare.monitor.outages.find_outages` gives the same outages
        from these as from all samples. A month is ~43,000 light samples but
        usually only a handful of these: the failing ones come from a partial
        index, and one indexed look-up per run finds where it ended.
        """
        trouble = self.read(
            f"SELECT id, {_COLUMNS} FROM samples INDEXED BY samples_trouble "  # noqa: S608
            "WHERE (internet_ok = 0 OR gap_before = 1) AND ts >= ? AND ts < ? ORDER BY ts, id",
            (start, end),
        )
        rows: dict[int, tuple[Any, ...]] = {}
        next_ok: tuple[Any, ...] | None = None
        for row in trouble:
            sample = Sample.from_row(row[1:])
            if sample.kind != "light" or sample.settling or sample.internet_ok is None:
                continue
            rows[row[0]] = row
            if sample.internet_ok or (next_ok is not None and next_ok[1] > sample.ts):
                continue
            found = self.read(
                f"SELECT id, {_COLUMNS} FROM samples WHERE ts > ? AND ts < ? "  # noqa: S608
                "AND kind = 'light' AND internet_ok = 1 AND settling = 0 ORDER BY ts LIMIT 1",
                (sample.ts, end),
            )
            next_ok = found[0] if found else (0, float("inf"))
            if found:
                rows[found[0][0]] = found[0]
        ordered = sorted(rows.values(), key=lambda r: (r[1], r[0]))
        return [Sample.from_row(r[1:]) for r in ordered]

    def latest(self) -> Sample | None:
        rows = self.read(f"SELECT {_COLUMNS} FROM samples ORDER BY ts DESC LIMIT 1", ())  # noqa: S608
        return Sample.from_row(rows[0]) if rows else None

    def count(self) -> int:
        return int(self.read("SELECT COUNT(*) FROM samples", ())[0][0])

    def hours(self, start: float, end: float) -> list[HourBucket]:
        """Hourly sums in [start, end): roll-ups where they exist, raw rows elsewhere."""
        rolled = {
            int(r[0]): HourBucket(*r)
            for r in self.read(
                "SELECT * FROM sample_hours WHERE hour >= ? AND hour < ? ORDER BY hour",
                (int(start // 3600 * 3600), end),
            )
        }
        since = max(rolled) + 3600 if rolled else start
        raw = {int(r[0]): HourBucket(*r) for r in self.read(_HOURLY_SELECT, (since, end))}
        return [b for _h, b in sorted({**raw, **rolled}.items())]

    def roll_up(self, now: float, retention_s: float = DEFAULT_RETENTION_S) -> int:
        """Roll complete hours up and drop raw rows older than *retention_s*.

        Hours are recomputed from raw rows with INSERT OR REPLACE, so running
        it twice (or from two monitors) gives the same roll-ups. Returns the
        number of raw rows deleted.
        """
        current_hour = now // 3600 * 3600
        cutoff = (now - retention_s) // 3600 * 3600

        def work(conn: sqlite3.Connection) -> int:
            done = conn.execute("SELECT MAX(hour) FROM sample_hours").fetchone()[0]
            start = float(done + 3600) if done is not None else 0.0
            conn.execute(
                f"INSERT OR REPLACE INTO sample_hours {_HOURLY_SELECT}",
                (start, current_hour),
            )
            return conn.execute("DELETE FROM samples WHERE ts < ?", (cutoff,)).rowcount

        return self.write(work)

    # ------------------------------------------------------------------ plumbing

    def write(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run *work* in one immediate transaction, retrying while another writer holds the lock."""
        for attempt in range(self.retries + 1):
            try:
                if self.conn.in_transaction:
                    self.conn.commit()
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work(self.conn)
                except BaseException:
                    self.conn.rollback()
                    raise
                self.conn.commit()
                return result
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise StateError(
                        _("Cannot write to the history: {error}").format(error=exc)
                    ) from exc
                if attempt == self.retries:
                    raise StateError(
                        _("The history is busy (another homecare?): {error}").format(error=exc)
                    ) from exc
                self._sleep(0.05 * 2**attempt)
            except sqlite3.Error as exc:
                raise StateError(
                    _("Cannot write to the history: {error}").format(error=exc)
                ) from exc
        raise AssertionError("unreachable")

    def read(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return list(self.conn.execute(sql, params).fetchall())
        except sqlite3.Error as exc:
            raise StateError(_("Cannot read the history: {error}").format(error=exc)) from exc


def _opt_int(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _opt_bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)
