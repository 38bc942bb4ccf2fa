"""Sessions on the technician's machine, saved step by step in SQLite.

One database beside the check history (``sessions.sqlite3``). Each finished
step is its own committed transaction (WAL, ``synchronous=FULL``), so a
``SIGKILL`` in the middle of a step loses only that step: every earlier one
is on disk and ``homecare session resume`` carries on from there. The plan's
text is stored with the session, so a resumed session runs the plan it began
with even if the file changed since.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from homecare.errors import StateError, UsageError
from homecare.i18n import _
from homecare.models.session import Session, SessionState, StepResult

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    job_id TEXT,
    plan_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL,
    header_json TEXT NOT NULL,
    plan_text TEXT NOT NULL,
    options_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_job ON sessions(job_id, created_at);
CREATE TABLE IF NOT EXISTS steps (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    key TEXT NOT NULL,
    result_json TEXT NOT NULL,
    PRIMARY KEY (session_id, key)
);
"""


@dataclass(frozen=True)
class StoredSession:
    session: Session
    plan_text: str
    #: how the session was started (rooms, answers file...), for resume
    options: dict[str, Any] = field(default_factory=dict)


class SessionStore:
    """Open with :meth:`open`; every write is committed before it returns."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @classmethod
    @contextmanager
    def open(cls, path: Path) -> Iterator[SessionStore]:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=10)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StateError(
                _("Cannot open the session store {path}: {error}").format(path=path, error=exc)
            ) from exc
        with closing(conn):
            yield cls(conn)

    def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        try:
            with self._conn:
                self._conn.execute(sql, args)
        except sqlite3.Error as exc:
            raise StateError(_("Cannot save the session: {error}").format(error=exc)) from exc

    def create(self, session: Session, plan_text: str, options: dict[str, Any]) -> None:
        self._write(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session.id,
                session.job_id,
                session.plan_id,
                session.created_at.isoformat(),
                session.state.value,
                _header(session),
                plan_text,
                json.dumps(options),
            ),
        )

    def add_step(self, session_id: str, seq: int, result: StepResult) -> None:
        """Commit one finished step (replacing an earlier run of the same key)."""
        self._write(
            "INSERT OR REPLACE INTO steps VALUES (?, ?, ?, ?)",
            (session_id, seq, result.key, result.model_dump_json()),
        )

    def update(self, session: Session) -> None:
        """Store the header (state, fixes, support code); steps are kept as they are."""
        self._write(
            "UPDATE sessions SET state = ?, header_json = ? WHERE id = ?",
            (session.state.value, _header(session), session.id),
        )

    def load(self, session_id: str) -> StoredSession:
        """A session by id or unique id prefix, with its steps in running order."""
        rows = self._conn.execute(
            "SELECT id, header_json, plan_text, options_json FROM sessions "
            "WHERE id = ? OR id LIKE ?",
            (session_id, f"{session_id}%"),
        ).fetchall()
        exact = [r for r in rows if r[0] == session_id]
        if not rows:
            raise UsageError(_("No session with id {id}.").format(id=session_id))
        if len(rows) > 1 and not exact:
            raise UsageError(_("More than one session starts with {id}.").format(id=session_id))
        sid, header, plan_text, options = (exact or rows)[0]
        steps = self._conn.execute(
            "SELECT result_json FROM steps WHERE session_id = ? ORDER BY seq", (sid,)
        ).fetchall()
        try:
            session = Session.model_validate_json(header)
            results = [StepResult.model_validate_json(r[0]) for r in steps]
        except ValidationError as exc:
            raise StateError(
                _("Stored session {id} cannot be read: {error}").format(
                    id=sid, error=str(exc).splitlines()[0]
                )
            ) from exc
        session = session.model_copy(update={"steps": results})
        return StoredSession(session, str(plan_text), dict(json.loads(options)))

    def list(self, limit: int = 50) -> list[Session]:
        """Newest first, with their steps."""
        ids = self._conn.execute(
            "SELECT id FROM sessions ORDER BY created_at DESC LIMIT ?", (limit,)
        ).fetchall()
        return [self.load(str(r[0])).session for r in ids]

    def before_of(self, job_id: str, exclude: str) -> str | None:
        """The newest finished session of *job_id* other than *exclude*."""
        row = self._conn.execute(
            "SELECT id FROM sessions WHERE job_id = ? AND id != ? AND state = ? "
            "ORDER BY created_at DESC LIMIT 1",
            (job_id, exclude, SessionState.FINISHED.value),
        ).fetchone()
        return str(row[0]) if row else None


def _header(session: Session) -> str:
    return session.model_copy(update={"steps": []}).model_dump_json()


def store_path(data_dir: Path) -> Path:
    return data_dir / "sessions.sqlite3"
