"""Run records, so a run killed with SIGKILL is cleaned up by the next one.

Each run writes ``/run/homecare-lab/<runid>.json`` *before* creating anything
and keeps it current (namespaces, files, helper PIDs).  At start, any record
whose owner process is gone (or was replaced by another process with the same
PID) is torn down: its helper processes are killed only if their command line
still names that run, its namespaces (all prefixed ``hc<runid>-``) deleted,
its ``/etc/netns`` entries and temp directory removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from homecare_lab import netns
from homecare_lab.names import PREFIX, RUN_ID_RE, RunNames

STATE_DIR = Path("/run/homecare-lab")


def process_start_time(pid: int) -> int | None:
    """Kernel start time (clock ticks since boot) of ``pid``, or None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 22, counted after the parenthesised command name (which may hold spaces).
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[19])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@dataclass
class RunRecord:
    """What one run created, kept on disk while the run lives."""

    run_id: str
    owner_pid: int
    owner_start: int | None
    tmpdir: str
    namespaces: list[str] = field(default_factory=list)
    etc_netns: list[str] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return STATE_DIR / f"{self.run_id}.json"

    def save(self) -> None:
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1))
        tmp.replace(self.path)

    def owner_alive(self) -> bool:
        return process_start_time(self.owner_pid) == self.owner_start

    @classmethod
    def load(cls, path: Path) -> RunRecord:
        return cls(**json.loads(path.read_text()))

    @classmethod
    def new(cls, run_id: str, tmpdir: str) -> RunRecord:
        pid = os.getpid()
        return cls(run_id=run_id, owner_pid=pid, owner_start=process_start_time(pid), tmpdir=tmpdir)


def kill_pids(pids: list[int], marker: str, grace_s: float = 2.0) -> None:
    """SIGTERM then SIGKILL each pid whose command line contains ``marker``.

    The marker check means a recycled PID belonging to someone else is never hit.
    """
    mine = [p for p in pids if marker in _cmdline(p)]
    for pid in mine:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while mine and time.monotonic() < deadline:
        mine = [p for p in mine if process_start_time(p) is not None and not _is_zombie(p)]
        if mine:
            time.sleep(0.02)
    for pid in mine:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def kill_namespace_processes(namespaces: list[str]) -> None:
    """Kill whatever still runs inside the run's own namespaces."""
    existing = set(netns.list_namespaces())
    for ns in namespaces:
        if ns not in existing:
            continue
        for pid in netns.namespace_pids(ns):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def delete_namespaces(namespaces: list[str]) -> None:
    existing = set(netns.list_namespaces())
    doomed = [ns for ns in namespaces if ns in existing and ns.startswith(PREFIX)]
    if doomed:
        netns.run(
            ["ip", "-batch", "-"], stdin="".join(f"netns del {ns}\n" for ns in doomed), check=False
        )
    # Anything the batch missed (e.g. one failure aborts a batch): one by one.
    for ns in doomed:
        if (netns.NETNS_DIR / ns).exists():
            netns.run(["ip", "netns", "del", ns], check=False)


def remove_etc_netns(entries: list[str]) -> None:
    for name in entries:
        if not name.startswith(PREFIX):
            continue
        path = netns.ETC_NETNS / name
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def teardown_record(rec: RunRecord) -> None:
    """Remove everything ``rec`` lists (idempotent; used for stale runs too)."""
    kill_pids(rec.pids, marker=rec.run_id)
    kill_namespace_processes(rec.namespaces)
    delete_namespaces(rec.namespaces)
    remove_etc_netns(rec.etc_netns)
    if rec.tmpdir and Path(rec.tmpdir).name.startswith(f"{PREFIX}{rec.run_id}"):
        shutil.rmtree(rec.tmpdir, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        rec.path.unlink()


def _recorded_alive(run_id: str) -> bool:
    """Whether ``run_id`` has a record now whose owner lives.

    Read again just before an "orphan" namespace is deleted: a run starting
    in another process (another pytest worker) saves its record before it
    adds its first namespace, so a namespace seen in the listing but missing
    from the records read before it belongs to a run that has just begun.
    """
    try:
        return RunRecord.load(STATE_DIR / f"{run_id}.json").owner_alive()
    except (OSError, ValueError, TypeError):
        return False


def clean_stale_runs() -> list[str]:
    """Tear down every recorded run whose owner died; return their run ids."""
    cleaned: list[str] = []
    if not STATE_DIR.is_dir():
        return cleaned
    live_ids: set[str] = set()
    for path in sorted(STATE_DIR.glob("*.json")):
        try:
            rec = RunRecord.load(path)
        except (OSError, ValueError, TypeError):
            path.unlink(missing_ok=True)
            continue
        if rec.owner_alive():
            live_ids.add(rec.run_id)
            continue
        teardown_record(rec)
        cleaned.append(rec.run_id)
    # Namespaces with our prefix but no live record (e.g. record lost): orphans.
    for ns in netns.list_namespaces():
        rid = ns[len(PREFIX) : len(PREFIX) + 5]
        ours = ns.startswith(PREFIX) and RUN_ID_RE.match(rid) and RunNames.owns(ns, rid)
        if ours and rid not in live_ids and not _recorded_alive(rid):
            kill_namespace_processes([ns])
            delete_namespaces([ns])
            remove_etc_netns([ns])
            if rid not in cleaned:
                cleaned.append(rid)
    return cleaned
