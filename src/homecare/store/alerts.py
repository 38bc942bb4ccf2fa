"""Alerts, snoozes and notification deliveries in the history database.

At most one open alert per code (a partial unique index), so two monitors
watching one home open it once between them; every delivery is one row per
alert, event and channel, so "notify once, then on recovery" survives a
restart and a retry never sends twice what was already delivered.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from homecare.store.samples import SampleStore

#: a failing channel waits 30 s, 1 min, 2 min, ... and at most an hour between tries
BACKOFF_FIRST_S = 30.0
BACKOFF_MAX_S = 3600.0


@dataclass(frozen=True)
class AlertRow:
    id: int
    code: str
    segment: str | None
    opened_at: float
    closed_at: float | None
    summary: str
    evidence: dict[str, Any]
    acked_at: float | None


@dataclass(frozen=True)
class Delivery:
    id: int
    alert_id: int
    event: str  # "opened" | "closed"
    channel_key: str
    channel: str  # shown to the person: a URL with its secrets masked
    attempts: int
    next_try: float
    delivered_at: float | None
    last_error: str | None


def channel_key(target: str) -> str:
    """A stable key for a notification target that does not store its secrets."""
    return hashlib.sha256(target.encode("utf-8")).hexdigest()[:16]


class AlertStore:
    def __init__(self, samples: SampleStore) -> None:
        self._db = samples

    # ------------------------------------------------------------------ alerts

    def open_alert(
        self, code: str, segment: str | None, summary: str, evidence: dict[str, Any], at: float
    ) -> int | None:
        """Open an alert; None when one with this code is open already (another monitor)."""

        def work(conn: sqlite3.Connection) -> int | None:
            try:
                cur = conn.execute(
                    "INSERT INTO alerts (code, segment, opened_at, summary, evidence) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (code, segment, at, summary, json.dumps(evidence)),
                )
            except sqlite3.IntegrityError:
                return None
            return int(cur.lastrowid or 0)

        return self._db.write(work)

    def close_alert(self, code: str, at: float) -> int | None:
        def work(conn: sqlite3.Connection) -> int | None:
            row = conn.execute(
                "SELECT id FROM alerts WHERE code = ? AND closed_at IS NULL", (code,)
            ).fetchone()
            if row is None:
                return None
            conn.execute("UPDATE alerts SET closed_at = ? WHERE id = ?", (at, row[0]))
            return int(row[0])

        return self._db.write(work)

    def open_codes(self) -> set[str]:
        return {r[0] for r in self._db.read("SELECT code FROM alerts WHERE closed_at IS NULL", ())}

    def alerts(self, limit: int = 50) -> list[AlertRow]:
        rows = self._db.read(
            "SELECT id, code, segment, opened_at, closed_at, summary, evidence, acked_at "
            "FROM alerts ORDER BY opened_at DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [_alert(r) for r in rows]

    def get(self, alert_id: int) -> AlertRow | None:
        rows = self._db.read(
            "SELECT id, code, segment, opened_at, closed_at, summary, evidence, acked_at "
            "FROM alerts WHERE id = ?",
            (alert_id,),
        )
        return _alert(rows[0]) if rows else None

    def ack(self, alert_id: int, at: float) -> bool:
        def work(conn: sqlite3.Connection) -> bool:
            cur = conn.execute("UPDATE alerts SET acked_at = ? WHERE id = ?", (at, alert_id))
            return cur.rowcount > 0

        return self._db.write(work)

    def snooze(self, code: str, until: float) -> None:
        self._db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO alert_snoozes VALUES (?, ?)", (code, until)
            )
        )

    def snoozed_until(self, code: str, now: float) -> float | None:
        rows = self._db.read(
            "SELECT until FROM alert_snoozes WHERE code = ? AND until > ?", (code, now)
        )
        return float(rows[0][0]) if rows else None

    # -------------------------------------------------------------- deliveries

    def enqueue(self, alert_id: int, event: str, channels: dict[str, str], at: float) -> None:
        """One pending delivery per channel (key -> shown name); duplicates are ignored."""

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT OR IGNORE INTO deliveries (alert_id, event, channel_key, channel, next_try) "
                "VALUES (?, ?, ?, ?, ?)",
                [(alert_id, event, key, shown, at) for key, shown in channels.items()],
            )

        self._db.write(work)

    def cancel(self, alert_id: int, event: str, channel: str | None = None) -> None:
        """Drop undelivered *event* deliveries (of one channel, or all): an alert
        that recovered before that channel was told."""
        sql = "DELETE FROM deliveries WHERE alert_id = ? AND event = ? AND delivered_at IS NULL"
        params: tuple[Any, ...] = (alert_id, event)
        if channel is not None:
            sql, params = sql + " AND channel_key = ?", (*params, channel)
        self._db.write(lambda conn: conn.execute(sql, params))

    def delivered_to(self, alert_id: int, event: str) -> set[str]:
        """Keys of the channels that received *event* of this alert."""
        rows = self._db.read(
            "SELECT channel_key FROM deliveries "
            "WHERE alert_id = ? AND event = ? AND delivered_at IS NOT NULL",
            (alert_id, event),
        )
        return {str(r[0]) for r in rows}

    def delivered(self, alert_id: int, event: str) -> bool:
        return bool(self.delivered_to(alert_id, event))

    def pending(self, now: float) -> list[Delivery]:
        rows = self._db.read(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries "  # noqa: S608
            "WHERE delivered_at IS NULL AND next_try <= ? ORDER BY id",
            (now,),
        )
        return [Delivery(*r) for r in rows]

    def record(self, delivery: Delivery, at: float, error: str | None) -> None:
        """A delivery attempt's result: done, or the next try after a growing wait."""
        attempts = delivery.attempts + 1
        params: tuple[Any, ...]
        if error is None:
            sql, params = (
                "UPDATE deliveries SET attempts = ?, delivered_at = ?, last_error = NULL "
                "WHERE id = ?",
                (attempts, at, delivery.id),
            )
        else:
            wait = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** (attempts - 1))
            sql, params = (
                "UPDATE deliveries SET attempts = ?, next_try = ?, last_error = ? WHERE id = ?",
                (attempts, at + wait, error[:500], delivery.id),
            )
        self._db.write(lambda conn: conn.execute(sql, params))

    def deliveries(self, limit: int = 50) -> list[Delivery]:
        rows = self._db.read(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries ORDER BY id DESC LIMIT ?",  # noqa: S608
            (limit,),
        )
        return [Delivery(*r) for r in rows]

    # ----------------------------------------------------------------- monitors

    def heartbeat(
        self, monitor_id: str, pid: int, started: float, now: float, every_s: float
    ) -> None:
        self._db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO monitors VALUES (?, ?, ?, ?, ?)",
                (monitor_id, pid, started, now, every_s),
            )
        )

    def monitors(self) -> list[tuple[str, int, float, float, float]]:
        return [
            (str(r[0]), int(r[1]), float(r[2]), float(r[3]), float(r[4]))
            for r in self._db.read("SELECT * FROM monitors ORDER BY seen_at DESC", ())
        ]

    def forget_monitor(self, monitor_id: str) -> None:
        self._db.write(
            lambda conn: conn.execute("DELETE FROM monitors WHERE id = ?", (monitor_id,))
        )


def _alert(r: tuple[Any, ...]) -> AlertRow:
    return AlertRow(
        id=int(r[0]),
        code=str(r[1]),
        segment=r[2],
        opened_at=float(r[3]),
        closed_at=r[4],
        summary=str(r[5]),
        evidence=json.loads(r[6] or "{}"),
        acked_at=r[7],
    )


_DELIVERY_COLUMNS = (
    "id, alert_id, event, channel_key, channel, attempts, next_try, delivered_at, last_error"
)
