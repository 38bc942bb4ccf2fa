"""The home's own history of checks, in SQLite.

Schema changes go through ``MIGRATIONS`` (indexed by ``PRAGMA user_version``)
so an old database is upgraded in place, never rebuilt. Only a database that
SQLite calls damaged is moved aside (with its journal files) and reported; a
full disk, a lock held by another program or a read-only home leaves the file
exactly as it was (see :mod:`homecare.store.sqlite_faults`).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from homecare.errors import StateError
from homecare.i18n import _
from homecare.models import Report
from homecare.store.samples import SAMPLES_MIGRATION, SAMPLES_TROUBLE_INDEX, SAMPLES_UP_RATIO
from homecare.store.sqlite_faults import (
    BUSY_TIMEOUT_S,
    damaged,
    is_corruption,
    open_read_only,
    unusable,
)

MIGRATIONS: tuple[str, ...] = (
    # 1: checks
    """
    CREATE TABLE checks (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        areas TEXT NOT NULL,
        healthy INTEGER NOT NULL,
        worst_severity TEXT,
        finding_codes TEXT NOT NULL,
        report_json TEXT NOT NULL
    );
    CREATE INDEX checks_created ON checks(created_at);
    """,
    # 2: what the person did about a finding, and their answer to "did it help"
    """
    CREATE TABLE steps_done (
        check_id TEXT NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
        code TEXT NOT NULL,
        step INTEGER NOT NULL,
        done_at TEXT NOT NULL,
        PRIMARY KEY (check_id, code, step)
    );
    CREATE TABLE feedback (
        check_id TEXT PRIMARY KEY REFERENCES checks(id) ON DELETE CASCADE,
        score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
        given_at TEXT NOT NULL
    );
    """,
    # 3: the names people give their devices (local only, never uploaded)
    """
    CREATE TABLE device_names (
        key TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 4: the monitor's samples, hourly roll-ups, alerts and their deliveries
    SAMPLES_MIGRATION,
    # 5: an index of the failing samples, for the outage log
    SAMPLES_TROUBLE_INDEX,
    # 6: upload as a share of the plan in the hourly roll-ups
    SAMPLES_UP_RATIO,
)


@dataclass(frozen=True)
class CheckSummary:
    id: str
    created_at: datetime
    areas: list[str]
    healthy: bool
    worst_severity: str | None
    finding_codes: list[str]


class History:
    """Access to the history database; open with :meth:`open`."""

    #: Rows :meth:`summaries` could not read (and left out) so far.
    skipped_rows: int = 0

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path | None = None,
        read_only_because: str | None = None,
    ) -> None:
        self._conn = conn
        self._path = path
        #: Set when the file could only be opened for reading (a full disk,
        #: a read-only home): the reason every write then reports.
        self.read_only_because = read_only_because

    @classmethod
    @contextmanager
    def open(cls, path: Path, timeout: float = BUSY_TIMEOUT_S) -> Iterator[History]:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(
                _("Cannot create the data folder {path}: {error}").format(
                    path=path.parent, error=exc.strerror or exc
                )
            ) from exc
        conn, because = _connect(path, timeout)
        with closing(conn):
            yield cls(conn, path, because)

    def save(self, report: Report) -> None:
        self._refuse_if_read_only()
        worst = report.worst_severity
        try:
            with self._conn:
                self._conn.execute(
                    "INSERT OR REPLACE INTO checks VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        report.id,
                        report.created_at.isoformat(),
                        json.dumps(report.areas),
                        int(report.verdict.healthy),
                        worst.value if worst else None,
                        json.dumps([f.code for f in report.findings]),
                        report.model_dump_json(),
                    ),
                )
        except sqlite3.Error as exc:
            self._raise_ifdamaged(exc)
            raise StateError(
                _("Cannot save the check to history: {error}").format(error=exc)
            ) from exc

    def summaries(self, limit: int = 20) -> list[CheckSummary]:
        rows = self._query(
            "SELECT id, created_at, areas, healthy, worst_severity, finding_codes "
            "FROM checks ORDER BY created_at DESC LIMIT ?",
            (limit,),
        )
        out: list[CheckSummary] = []
        for r in rows:
            try:
                out.append(
                    CheckSummary(
                        id=str(r[0]),
                        created_at=datetime.fromisoformat(r[1]),
                        areas=[str(a) for a in json.loads(r[2])],
                        healthy=bool(r[3]),
                        worst_severity=r[4] if isinstance(r[4], str) else None,
                        finding_codes=[str(c) for c in json.loads(r[5])],
                    )
                )
            except (TypeError, ValueError):
                # A row another tool wrote or a half-restored backup: the rest
                # of the history is still worth listing.
                self.skipped_rows += 1
        return out

    def get(self, check_id: str) -> Report | None:
        """A stored report by id or unique id prefix."""
        rows = self._query(
            "SELECT id, report_json FROM checks WHERE id = ? OR id LIKE ? ORDER BY created_at DESC",
            (check_id, f"{check_id}%"),
        )
        if not rows:
            return None
        exact = [r for r in rows if r[0] == check_id]
        if len(rows) > 1 and not exact:
            raise StateError(_("More than one check starts with {id}").format(id=check_id))
        try:
            return Report.model_validate_json((exact or rows)[0][1])
        except (ValidationError, TypeError, ValueError) as exc:
            raise StateError(
                _("Stored check {id} cannot be read: {error}").format(
                    id=check_id, error=_first_line(exc)
                )
            ) from exc

    def latest(self) -> Report | None:
        rows = self._query(
            "SELECT id, report_json FROM checks ORDER BY created_at DESC LIMIT 1", ()
        )
        if not rows:
            return None
        try:
            return Report.model_validate_json(rows[0][1])
        except (ValidationError, TypeError, ValueError) as exc:
            raise StateError(
                _("Stored check {id} cannot be read: {error}").format(
                    id=rows[0][0], error=_first_line(exc)
                )
            ) from exc

    def recent_reports(self, limit: int = 10) -> list[Report]:
        rows = self._query(
            "SELECT report_json FROM checks ORDER BY created_at DESC LIMIT ?", (limit,)
        )
        out: list[Report] = []
        for (raw,) in rows:
            try:
                out.append(Report.model_validate_json(raw))
            except (ValidationError, TypeError, ValueError):
                continue  # an old or damaged row must not stop advice
        return out

    def mark_step_done(self, check_id: str, code: str, step: int, when: datetime) -> None:
        self._write(
            "INSERT OR REPLACE INTO steps_done VALUES (?, ?, ?, ?)",
            (check_id, code, step, when.isoformat()),
        )

    def steps_done(self, code: str) -> set[int]:
        """Steps of *code*'s guidance the person already did, in any check."""
        return {r[0] for r in self._query("SELECT step FROM steps_done WHERE code = ?", (code,))}

    def record_feedback(self, check_id: str, score: int, when: datetime) -> None:
        self._write(
            "INSERT OR REPLACE INTO feedback VALUES (?, ?, ?)",
            (check_id, score, when.isoformat()),
        )

    def feedback(self, check_id: str) -> int | None:
        rows = self._query("SELECT score FROM feedback WHERE check_id = ?", (check_id,))
        return int(rows[0][0]) if rows else None

    def set_device_name(self, key: str, name: str, when: datetime) -> None:
        self._write(
            "INSERT OR REPLACE INTO device_names VALUES (?, ?, ?)",
            (key.lower(), name, when.isoformat()),
        )

    def forget_device_name(self, key: str) -> bool:
        return self._write("DELETE FROM device_names WHERE key = ?", (key.lower(),)) > 0

    def device_names(self) -> dict[str, str]:
        """Nicknames by device key (MAC, or IP for devices without one)."""
        return {r[0]: r[1] for r in self._query("SELECT key, name FROM device_names", ())}

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return list(self._conn.execute(sql, params).fetchall())
        except sqlite3.Error as exc:
            self._raise_ifdamaged(exc)
            raise StateError(_("Cannot read the history: {error}").format(error=exc)) from exc

    def _refuse_if_read_only(self) -> None:
        if self.read_only_because is not None:
            raise StateError(self.read_only_because)

    def _write(self, sql: str, params: tuple[Any, ...]) -> int:
        self._refuse_if_read_only()
        try:
            with self._conn:
                return int(self._conn.execute(sql, params).rowcount)
        except sqlite3.Error as exc:
            self._raise_ifdamaged(exc)
            raise StateError(_("Cannot write to the history: {error}").format(error=exc)) from exc

    def _raise_ifdamaged(self, exc: sqlite3.Error) -> None:
        """Damage found mid-run (a bad page): close, move the file aside, say so."""
        if self._path is not None and is_corruption(exc):
            self._conn.close()
            raise damaged(self._path, exc) from exc


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _connect(path: Path, timeout: float = BUSY_TIMEOUT_S) -> tuple[sqlite3.Connection, str | None]:
    """Open and migrate; move a damaged database aside with a clear error.

    Returns the connection and, when it is read-only, why writes will fail.
    """
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(path, timeout=timeout)
        conn.execute("PRAGMA foreign_keys = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version <= len(MIGRATIONS):  # never change a newer homecare's database
            _set_wal(conn, timeout)
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        if is_corruption(exc):
            raise damaged(path, exc) from exc
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR):
            read_only = open_read_only(path, timeout)
            if read_only is not None:
                reason = str(unusable(path, exc))
                return _check_version(path, read_only, migrate=False), reason
        raise unusable(path, exc) from exc
    return _check_version(path, conn, migrate=True), None


def _set_wal(conn: sqlite3.Connection, timeout: float) -> None:
    """Switch to WAL, waiting out another program that is doing the same.

    Changing the journal mode answers "busy" at once, without SQLite's busy
    handler, while a second program opening the same new file holds a lock.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = (getattr(exc, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _migrate_one(conn: sqlite3.Connection, number: int) -> None:
    """Apply migration *number* as one transaction under SQLite's write lock.

    Two programs may open a new history at once (the monitor and a check, or
    a test reading what the monitor wrote): both read the same version before
    either holds the lock. The second waits for the lock, then finds the
    tables made; if the version moved on meanwhile, the other did this step.
    """
    script = (
        f"BEGIN IMMEDIATE;\n{MIGRATIONS[number]};\nPRAGMA user_version = {number + 1};\nCOMMIT;"
    )
    try:
        conn.executescript(script)
    except sqlite3.OperationalError:
        if conn.in_transaction:
            conn.rollback()
        if int(conn.execute("PRAGMA user_version").fetchone()[0]) > number:
            return  # another program applied it while we waited for the lock
        raise


def _check_version(path: Path, conn: sqlite3.Connection, migrate: bool) -> sqlite3.Connection:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        conn.close()
        raise StateError(
            _("The history at {path} was written by a newer homecare; please upgrade.").format(
                path=path
            )
        )
    if not migrate:
        return conn
    try:
        for number in range(version, len(MIGRATIONS)):
            _migrate_one(conn, number)
    except sqlite3.Error as exc:
        conn.close()
        if is_corruption(exc):
            raise damaged(path, exc) from exc
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN):
            read_only = open_read_only(path, BUSY_TIMEOUT_S)
            if read_only is not None:
                return read_only
        raise StateError(
            _("Cannot update the history at {path}: {error}").format(path=path, error=exc)
        ) from exc
    return conn
