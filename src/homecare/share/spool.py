"""The durable outbox: every payload is on disk before any upload is tried.

One file per upload (``<upload id>.json``), written atomically (temp file,
fsync, rename), removed only after the collector acknowledged it, so a
killed process loses nothing it spooled and resends at worst once more; the
collector stores each id once, so "at least once" here is "exactly once"
there. Failed attempts back off exponentially with jitter, a ``Retry-After``
is honoured, payloads the collector calls invalid are dropped and counted,
and the queue is capped by count, size and age (oldest first).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from homecare.store.filelock import exclusive
from homecare.store.files import atomic_write, move_aside

STATS_FILE = "stats.json"
LOCK_FILE = ".lock"
#: A temp file older than this belongs to a write that was killed.
ORPHAN_AGE_S = 600.0
_COUNTERS = ("delivered", "rejected", "dropped_damaged", "dropped_old", "dropped_full")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value == value and abs(value) != float("inf") else None


def _envelope(data: Any) -> dict[str, Any] | None:
    """*data* as a spool envelope with sane types, or None if it is not one."""
    if not isinstance(data, dict):
        return None
    upload_id, payload = data.get("id"), data.get("payload")
    spooled = _number(data.get("spooled_at"))
    if not isinstance(upload_id, str) or not isinstance(payload, dict) or spooled is None:
        return None
    attempts = data.get("attempts", 0)
    attempts = attempts if isinstance(attempts, int) and not isinstance(attempts, bool) else 0
    return {
        **data,
        "spooled_at": spooled,
        "attempts": max(0, attempts),
        "next_attempt_at": _number(data.get("next_attempt_at", 0.0)) or 0.0,
    }


def _clean_stats(data: Any) -> dict[str, Any] | None:
    """Stats with the types the spool relies on; None if *data* is not stats."""
    if not isinstance(data, dict):
        return None
    out: dict[str, Any] = {}
    for key in _COUNTERS:
        if key in data:
            n = _number(data[key])
            out[key] = int(n) if n is not None and n >= 0 else 0
    blocked = _number(data.get("blocked_until", 0.0))
    out["blocked_until"] = blocked or 0.0
    err = data.get("last_error")
    out["last_error"] = err if isinstance(err, str) else None
    return out


class Outcome(Enum):
    DELIVERED = "delivered"
    REJECTED = "rejected"  # the collector says the payload is invalid: never retry
    RETRY = "retry"  # network error, 5xx, 401, 408, 429: try again later


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    retry_after: float | None = None
    detail: str | None = None


@dataclass(frozen=True)
class SpoolLimits:
    max_items: int = 200
    max_bytes: int = 5 * 1024 * 1024
    max_age_s: float = 30 * 86400
    backoff_base_s: float = 30.0
    backoff_cap_s: float = 6 * 3600.0


@dataclass
class FlushReport:
    delivered: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    deferred: int = 0
    busy: bool = False
    last_error: str | None = None


def classify(status: int) -> Outcome:
    """How the spool treats an HTTP status from the collector."""
    if 200 <= status < 300:
        return Outcome.DELIVERED
    if 400 <= status < 500 and status not in (401, 408, 429):
        return Outcome.REJECTED
    return Outcome.RETRY


class Spool:
    def __init__(
        self,
        directory: Path,
        limits: SpoolLimits | None = None,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.dir = directory
        self.limits = limits or SpoolLimits()
        self._clock = clock
        self._rng = rng or random.Random()

    # -- queue ----------------------------------------------------------------------

    def add(self, payload: dict[str, Any]) -> str:
        """Spool *payload* durably; returns its upload id. Re-adding an id keeps
        the original envelope (its retry state)."""
        upload_id = str(payload["upload_id"])
        path = self._path(upload_id)
        if not path.exists():
            spooled_at = self._clock()
            envelope = {
                "id": upload_id,
                "spooled_at": spooled_at,
                "attempts": 0,
                "next_attempt_at": 0.0,
                "payload": payload,
            }
            atomic_write(path, json.dumps(envelope, separators=(",", ":")).encode())
            self._stamp(path, spooled_at)
        self._enforce_limits(keep=path)
        return upload_id

    def pending(self) -> list[dict[str, Any]]:
        """Spooled envelopes, oldest first (damaged files are moved aside and counted)."""
        return [env for _path, env in self._entries()]

    def _entries(self) -> list[tuple[Path, dict[str, Any]]]:
        """(file, envelope) pairs, oldest first.

        A file that is not an envelope (unreadable, not JSON, valid JSON of
        another shape) is moved aside *by its own path*, so one odd file can
        never stop every later flush. Orphaned temp files of a crashed write
        are removed here too.
        """
        out: list[tuple[Path, dict[str, Any]]] = []
        self._clean_orphans()
        for path in self.dir.glob("*.json"):
            if path.name == STATS_FILE:
                continue
            try:
                env = _envelope(json.loads(path.read_text(encoding="utf-8")))
            except FileNotFoundError:
                continue  # delivered by a concurrent flush
            except (OSError, ValueError):
                env = None
            if env is None:
                with contextlib.suppress(OSError):
                    move_aside(path)
                self._count("dropped_damaged")
                continue
            out.append((path, env))
        return sorted(out, key=lambda pe: (pe[1]["spooled_at"], pe[1]["id"]))

    def _clean_orphans(self) -> None:
        """Temp files (``.NAME.json.XXXX``) a killed write left behind; a write
        in progress is younger than ORPHAN_AGE_S and left alone."""
        now = time.time()
        for tmp in self.dir.glob(".*.json.*"):
            with contextlib.suppress(OSError):
                if now - tmp.stat().st_mtime > ORPHAN_AGE_S:
                    tmp.unlink()

    def purge(self) -> int:
        n = 0
        for path in self.dir.glob("*.json"):
            if path.name != STATS_FILE:
                path.unlink(missing_ok=True)
                n += 1
        for tmp in self.dir.glob(".*.json.*"):
            tmp.unlink(missing_ok=True)
        for aside in self.dir.glob("*.json.corrupt-*"):  # sharing off empties it all
            aside.unlink(missing_ok=True)
        return n

    def stats(self) -> dict[str, Any]:
        """Counters and back-off state; a damaged stats file is moved aside
        (sharing then starts with empty counters instead of failing)."""
        path = self.dir / STATS_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            data = None
        clean = _clean_stats(data)
        if clean is None:
            with contextlib.suppress(OSError):
                move_aside(path)
            return {}
        return clean

    # -- sending --------------------------------------------------------------------

    def flush(
        self, send: Callable[[dict[str, Any]], SendResult], *, force: bool = False
    ) -> FlushReport:
        """Send what is due, oldest first; stop at the first retryable failure
        (the collector is away or busy, so the rest would fail too)."""
        report = FlushReport()
        with self._locked() as locked:
            if not locked:
                report.busy = True
                return report
            now = self._clock()
            blocked = float(self.stats().get("blocked_until", 0.0))
            if not force and blocked > now:
                report.deferred = len(self.pending())
                return report
            items = self._entries()
            for i, (path, env) in enumerate(items):
                if not force and env["next_attempt_at"] > now:
                    report.deferred += 1
                    continue
                result = send(env["payload"])
                if result.outcome is Outcome.DELIVERED:
                    path.unlink(missing_ok=True)
                    self._count("delivered")
                    report.delivered.append(env["id"])
                elif result.outcome is Outcome.REJECTED:
                    path.unlink(missing_ok=True)
                    self._count("rejected")
                    report.rejected.append(env["id"])
                else:
                    wait = self._backoff(env["attempts"] + 1, result.retry_after)
                    env["attempts"] += 1
                    env["next_attempt_at"] = now + wait
                    with contextlib.suppress(OSError):  # keep the old envelope then
                        atomic_write(path, json.dumps(env).encode())
                        self._stamp(path, env["spooled_at"])
                    self._update_stats(blocked_until=now + wait, last_error=result.detail)
                    report.last_error = result.detail
                    report.deferred += len(items) - i
                    break
            else:
                self._update_stats(blocked_until=0.0)
        return report

    def _backoff(self, attempts: int, retry_after: float | None) -> float:
        """Exponential with 'equal jitter' (half fixed, half random), never
        sooner than the collector's Retry-After."""
        exponent = min(attempts - 1, 30)
        delay = min(self.limits.backoff_cap_s, self.limits.backoff_base_s * float(2**exponent))
        delay = delay / 2 + self._rng.uniform(0, delay / 2)
        return max(delay, retry_after or 0.0)

    # -- housekeeping -----------------------------------------------------------------

    def _enforce_limits(self, keep: Path) -> None:
        now = self._clock()
        entries = []
        for path in self.dir.glob("*.json"):
            if path.name == STATS_FILE or path == keep:
                continue
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            entries.append((st.st_mtime, path, st.st_size))
        entries.sort()
        for mtime, path, _size in list(entries):
            if now - mtime > self.limits.max_age_s:
                path.unlink(missing_ok=True)
                self._count("dropped_old")
                entries.remove((mtime, path, _size))
        total = sum(size for _, _, size in entries) + keep.stat().st_size
        limit_items = self.limits.max_items - 1  # the new one counts too
        while entries and (len(entries) > limit_items or total > self.limits.max_bytes):
            _mtime, path, size = entries.pop(0)
            path.unlink(missing_ok=True)
            total -= size
            self._count("dropped_full")

    @staticmethod
    def _stamp(path: Path, when: float) -> None:
        """Keep the file's mtime at spool time: the age cap counts from there,
        not from the last retry."""
        os.utime(path, (when, when))

    def _path(self, upload_id: str) -> Path:
        safe = "".join(ch for ch in upload_id if ch.isalnum() or ch == "-")
        return self.dir / f"{safe}.json"

    def _count(self, key: str, n: int = 1) -> None:
        stats = self.stats()
        stats[key] = int(stats.get(key, 0)) + n
        self._write_stats(stats)

    def _update_stats(self, **values: Any) -> None:
        stats = self.stats()
        stats.update({k: v for k, v in values.items() if v is not None or k == "last_error"})
        self._write_stats(stats)

    def _write_stats(self, stats: dict[str, Any]) -> None:
        """Counters are best effort: a full disk must not fail a flush that
        already delivered (the payload files are what must be durable)."""
        with contextlib.suppress(OSError):
            atomic_write(self.dir / STATS_FILE, json.dumps(stats, sort_keys=True).encode())

    @contextlib.contextmanager
    def _locked(self) -> Iterator[bool]:
        """One flusher at a time (a check's auto-share and a manual flush)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with (self.dir / LOCK_FILE).open("a+") as fh, exclusive(fh) as got:
            yield got
