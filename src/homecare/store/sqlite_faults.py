"""Telling a damaged SQLite file from a busy, full or read-only one.

A full disk and a backup tool's lock raise ``sqlite3.OperationalError`` just
like a broken page does; treating them alike threw healthy histories away.
Here only ``SQLITE_CORRUPT`` and ``SQLITE_NOTADB`` count as damage.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from homecare.errors import StateError
from homecare.i18n import _
from homecare.store.files import move_aside

#: Primary result codes that mean the file itself is damaged; anything else
#: (full disk, busy, locked, I/O, read-only) leaves a good database alone.
_CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
#: How long to wait for another program (a backup tool, a second homecare)
#: to release its lock before giving up with a clear message.
BUSY_TIMEOUT_S = 5.0


def is_corruption(exc: sqlite3.Error) -> bool:
    """Whether SQLite says the file is damaged or not a database at all.

    Classified by result code, never by message or exception class: "database
    or disk is full" and "database is locked" are ``OperationalError`` too,
    and a healthy history must survive them untouched.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and (code & 0xFF) in _CORRUPT_CODES


def move_database_aside(path: Path) -> Path:
    """Rename a damaged database with its ``-wal``/``-shm`` files, so the
    journal that belongs to it is not applied to a fresh database later."""
    aside = move_aside(path)
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(aside.with_name(aside.name + suffix))
    return aside


def damaged(path: Path, exc: sqlite3.Error) -> StateError:
    try:
        aside = move_database_aside(path)
    except OSError as move_exc:
        return StateError(
            _(
                "The history database {path} is damaged and could not be moved aside: {error}"
            ).format(path=path, error=move_exc.strerror or move_exc)
        )
    return StateError(
        _(
            "The history database was damaged; it was kept as {aside}. Run again to start a new one."
        ).format(aside=aside)
    )


def unusable(path: Path, exc: sqlite3.Error) -> StateError:
    """Full, busy, locked, read-only or I/O trouble: the file stays as it is."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StateError(
            _("The history at {path} is in use by another program; try again in a moment.").format(
                path=path
            )
        )
    if code == sqlite3.SQLITE_FULL or (code == sqlite3.SQLITE_IOERR and _disk_full(path)):
        return StateError(
            _(
                "The disk holding the history at {path} is full; free some space and try again."
            ).format(path=path)
        )
    return StateError(_("Cannot open the history at {path}: {error}").format(path=path, error=exc))


def open_read_only(path: Path, timeout: float) -> sqlite3.Connection | None:
    """A connection that never writes, for a home on a read-only disk.

    ``immutable=1`` is the fallback when SQLite cannot create the ``-shm``
    file a WAL database needs next to it.
    """
    if not path.is_file():
        return None
    for query in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", timeout=timeout, uri=True)
            conn.execute("PRAGMA user_version").fetchone()
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error:
            continue
        return conn
    return None


def _disk_full(path: Path) -> bool:
    """SQLite reports a full disk while growing ``-shm`` as a plain I/O error."""
    try:
        return shutil.disk_usage(path.parent).free < 256 * 1024
    except OSError:
        return False
