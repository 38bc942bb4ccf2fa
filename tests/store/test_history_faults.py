"""A healthy history survives a full disk, a lock and a read-only home.

Only SQLite's own verdict of damage (``SQLITE_CORRUPT``/``SQLITE_NOTADB``)
moves the file aside, together with its ``-wal``/``-shm``. The faults are
real: a small tmpfs filled to the last byte, a second process holding an
exclusive lock, a read-only bind mount, each in a private mount namespace
(``unshare --mount``) so the host's mounts are never touched.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from homecare.errors import StateError
from homecare.status import ExitStatus
from homecare.store.history import History
from homecare.store.sqlite_faults import is_corruption

from ..factories import sample_report

needs_mount_ns = pytest.mark.skipif(
    not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("unshare")),
    reason="needs root and unshare(1) for a private tmpfs / read-only mount",
)

SEED = """
import sys
from pathlib import Path
from homecare.errors import StateError
from homecare.models import Report
from homecare.store.history import History
report = Report.model_validate_json(Path(sys.argv[1]).read_text())
if len(sys.argv) > 3:
    report = report.model_copy(update={"id": sys.argv[3]})
try:
    with History.open(Path(sys.argv[2])) as h:
        h.save(report)
except StateError as exc:
    print(exc, file=sys.stderr)
    sys.exit(4)
"""


def _run_in_mount_ns(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    driver = tmp_path / "driver.sh"
    driver.write_text(textwrap.dedent(script))
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-eu", str(driver)],
        env={**os.environ, "PY": sys.executable, "HOMECARE_LANG": "en"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _seed_files(tmp_path: Path) -> tuple[Path, Path, str]:
    report = sample_report()
    report_file = tmp_path / "report.json"
    report_file.write_text(report.model_dump_json())
    seed = tmp_path / "seed.py"
    seed.write_text(SEED)
    return report_file, seed, report.id


@needs_mount_ns
def test_full_disk_is_exit_4_and_leaves_the_history_alone(tmp_path: Path) -> None:
    report_file, seed, check_id = _seed_files(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    proc = _run_in_mount_ns(
        tmp_path,
        f"""
        mount -t tmpfs -o size=400k tmpfs {home}
        export HOMECARE_HOME={home}
        "$PY" {seed} {report_file} {home}/data/history.sqlite3
        sha256sum {home}/data/history.sqlite3 > {tmp_path}/before
        dd if=/dev/zero of={home}/fill bs=4k 2>/dev/null || true
        set +e
        "$PY" -m homecare history > {tmp_path}/full.out
        echo "read=$?"
        "$PY" {seed} {report_file} {home}/data/history.sqlite3 second 2> {tmp_path}/full.err
        echo "write=$?"
        set -e
        sha256sum {home}/data/history.sqlite3 > {tmp_path}/after
        ls -a {home}/data > {tmp_path}/listing
        rm {home}/fill
        "$PY" -m homecare history > {tmp_path}/freed.out
        echo "freed=$?"
        """,
    )
    assert proc.returncode == 0, proc.stderr
    # reading still works on a full disk; writing is a clear state error
    assert "read=0" in proc.stdout, proc.stdout
    assert check_id[:8] in (tmp_path / "full.out").read_text()
    assert f"write={ExitStatus.STATE.value}" in proc.stdout, proc.stdout
    err = (tmp_path / "full.err").read_text()
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert (tmp_path / "before").read_text() == (tmp_path / "after").read_text()
    assert "corrupt" not in (tmp_path / "listing").read_text()
    assert "freed=0" in proc.stdout
    assert check_id[:8] in (tmp_path / "freed.out").read_text()


@needs_mount_ns
def test_read_only_home_can_still_be_read(tmp_path: Path) -> None:
    report_file, seed, check_id = _seed_files(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    proc = _run_in_mount_ns(
        tmp_path,
        f"""
        export HOMECARE_HOME={home}
        "$PY" {seed} {report_file} {home}/data/history.sqlite3
        mount --bind {home} {home}
        mount -o remount,bind,ro {home}
        "$PY" -m homecare history > {tmp_path}/list.out
        "$PY" -m homecare history show {check_id[:8]} --json > {tmp_path}/show.out
        ls -a {home}/data > {tmp_path}/listing
        """,
    )
    assert proc.returncode == 0, proc.stderr
    assert check_id[:8] in (tmp_path / "list.out").read_text()
    assert check_id in (tmp_path / "show.out").read_text()
    assert "corrupt" not in (tmp_path / "listing").read_text()


HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA locking_mode = EXCLUSIVE")
conn.execute("BEGIN EXCLUSIVE")
conn.execute("CREATE TABLE IF NOT EXISTS backup_marker (x)")
print("locked", flush=True)
time.sleep(60)
"""


def test_a_lock_held_by_another_process_is_exit_4_not_damage(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    report = sample_report()
    with History.open(db) as history:
        history.save(report)
    # The lock holder runs the database in rollback-journal mode, as a backup
    # tool copying it would: then opening it is refused, not merely slow.
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    before = db.read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with (
            pytest.raises(StateError, match="in use by another program"),
            History.open(db, timeout=0.3),
        ):
            pass
        assert time.monotonic() - started < 5
        assert db.read_bytes() == before
        assert list(tmp_path.glob("*.corrupt-*")) == []
    finally:
        holder.kill()
        holder.wait()
    with History.open(db) as history:
        assert history.get(report.id) == report


def test_real_corruption_moves_the_file_and_its_wal_aside(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with History.open(db) as history:
        history.save(sample_report())
    keeper = sqlite3.connect(db)  # keeps -wal and -shm alive, as a crash would
    keeper.execute("SELECT count(*) FROM checks").fetchone()
    garbage = b"\x00not a database header at all" * 40
    with db.open("r+b") as fh:
        fh.write(garbage)
    wal = db.with_name("h.db-wal")
    assert wal.exists()
    with pytest.raises(StateError, match="damaged") as info, History.open(db):
        pass
    keeper.close()
    (aside,) = tmp_path.glob("h.db.corrupt-*[0-9]")
    assert aside.read_bytes().startswith(garbage)
    assert aside.with_name(aside.name + "-wal").exists()
    assert not wal.exists()
    assert str(aside) in str(info.value)


def test_only_corrupt_and_notadb_codes_count_as_damage() -> None:
    def error(code: int) -> sqlite3.Error:
        exc = sqlite3.OperationalError("x")
        exc.sqlite_errorcode = code
        return exc

    assert is_corruption(error(sqlite3.SQLITE_CORRUPT))
    assert is_corruption(error(sqlite3.SQLITE_NOTADB))
    assert is_corruption(error(sqlite3.SQLITE_CORRUPT | (1 << 8)))  # SQLITE_CORRUPT_VTAB
    for code in (
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_CANTOPEN,
    ):
        assert not is_corruption(error(code))


def test_a_bad_row_is_skipped_in_the_list_and_a_state_error_when_shown(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    good = sample_report()
    with History.open(db) as history:
        history.save(good)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO checks VALUES ('zzbad', '2999-01-01T00:00:00+00:00', 'not json', 0,"
            " NULL, '[', '{\"oops\": 1}')"
        )
    with History.open(db) as history:
        rows = history.summaries()
        assert [r.id for r in rows] == [good.id]
        assert history.skipped_rows == 1
        with pytest.raises(StateError, match="zzbad"):
            history.latest()
        with pytest.raises(StateError, match="zzbad"):
            history.get("zzbad")


def test_homecare_history_while_a_backup_holds_the_lock_is_exit_4(tmp_path: Path) -> None:
    db = tmp_path / "data" / "history.sqlite3"
    with History.open(db) as history:
        history.save(sample_report())
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    before = db.read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        proc = subprocess.run(
            [sys.executable, "-m", "homecare", "history"],
            env={**os.environ, "HOMECARE_HOME": str(tmp_path), "HOMECARE_LANG": "en"},
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == ExitStatus.STATE, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "in use by another program" in line
    assert db.read_bytes() == before
    assert list(db.parent.glob("*.corrupt-*")) == []


def test_homecare_history_lists_the_good_rows_and_counts_the_bad(tmp_path: Path) -> None:
    db = tmp_path / "data" / "history.sqlite3"
    good = sample_report()
    with History.open(db) as history:
        history.save(good)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO checks VALUES ('zzbad', 'yesterday', '[\"dns\"]', 0, NULL, '[]', '{}')"
        )
        conn.execute(
            "INSERT INTO checks VALUES ('\x1b]52;c;eA==\x07ev', '2000-01-01T00:00:00+00:00',"
            " '[\"dns\\r\\nCALL 555-0100\"]', 1, NULL, '[]', '{}')"
        )
    env = {**os.environ, "HOMECARE_HOME": str(tmp_path), "HOMECARE_LANG": "en"}
    proc = subprocess.run(
        [sys.executable, "-m", "homecare", "history"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert good.id[:8] in proc.stdout
    assert "1 stored check could not be read" in proc.stderr
    assert "\x1b" not in proc.stdout and "\r" not in proc.stdout
    assert not any(line.startswith("CALL") for line in proc.stdout.splitlines())
    show = subprocess.run(
        [sys.executable, "-m", "homecare", "history", "show", "zzbad"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert show.returncode == ExitStatus.STATE and len(show.stderr.splitlines()) == 1


def test_programs_opening_a_new_history_at_once_all_get_it(tmp_path: Path) -> None:
    """The monitor and a check (or a reader) creating the same new history at
    the same moment: each waits for SQLite's write lock, none fails on tables
    the other just made."""
    import threading

    from homecare.store.history import MIGRATIONS, History

    for attempt in range(15):
        path = tmp_path / f"h{attempt}" / "history.sqlite3"
        path.parent.mkdir()
        start = threading.Barrier(6)
        errors: list[BaseException] = []

        def open_it(
            path: Path = path,
            start: threading.Barrier = start,
            errors: list[BaseException] = errors,
        ) -> None:
            start.wait()
            try:
                with History.open(path):
                    pass
            except BaseException as exc:  # collected for the assertion
                errors.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
