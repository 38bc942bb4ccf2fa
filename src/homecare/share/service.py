"""Sharing as the CLI and the check flow use it: consent, spool, send.

Nothing leaves the machine unless the person said yes (``consent.share is
True``) and ``DO_NOT_TRACK`` is not set; the only exception is the request to
*delete* what the collector holds, which turning sharing off always sends.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from homecare.errors import ConfigError, StateError, UsageError
from homecare.i18n import _
from homecare.models import Report
from homecare.share.anonymize import anonymize
from homecare.share.client import CollectorClient
from homecare.share.secret import (
    INSTALLATION_FILE,
    SECRET_FILE,
    DamagedSecretError,
    installation_id,
    known_installation_id,
    load_or_create_secret,
)
from homecare.share.spool import FlushReport, Spool
from homecare.share.support_code import from_upload_id
from homecare.store.files import atomic_write, move_aside
from homecare.store.history import History
from homecare.store.profile import save_profile

if TYPE_CHECKING:
    from homecare.cli.run_context import RunContext

PENDING_DELETE = "pending-delete.json"


@dataclass(frozen=True)
class ShareResult:
    support_code: str
    upload_id: str
    delivered: bool
    pending: int
    error: str | None = None


def do_not_track(environ: dict[str, str]) -> bool:
    return environ.get("DO_NOT_TRACK", "").strip().lower() not in ("", "0", "false", "no")


def sharing_allowed(session: RunContext) -> bool:
    return session.person.consent.share is True and not do_not_track(session.env.environ)


def collector_settings(session: RunContext) -> tuple[str | None, str | None]:
    """URL and ingest token: the environment overrides the provider profile."""
    env = session.env.environ
    url = env.get("HOMECARE_COLLECTOR_URL") or session.provider.collector_url
    token = env.get("HOMECARE_COLLECTOR_TOKEN") or session.provider.collector_token
    return url, token


def spool_for(session: RunContext) -> Spool:
    return Spool(session.env.home.spool_dir)


def _secret(session: RunContext) -> bytes:
    try:
        return load_or_create_secret(session.env.home.state_dir)
    except DamagedSecretError as exc:
        raise StateError(
            _(
                "The sharing key {path} is damaged. 'homecare share --off' erases what was "
                "shared with it; 'homecare share --on' then starts a new one."
            ).format(path=exc.path)
        ) from exc
    except (OSError, ValueError) as exc:
        raise StateError(
            _("Cannot read or create the sharing key: {error}").format(error=exc)
        ) from exc


def build_payload(session: RunContext, report: Report) -> dict[str, Any]:
    """The anonymized payload for *report* (what ``--show`` prints)."""
    speed = session.provider.speed
    tier = next(
        (
            t.name
            for t in session.provider.plan_tiers
            if speed.plan_down_mbit is not None and t.down_mbit == speed.plan_down_mbit
        ),
        None,
    )
    with History.open(session.env.home.history_db) as history:
        feedback = history.feedback(report.id)
        tried = {f.code: history.steps_done(f.code) for f in report.findings}
    return anonymize(
        report,
        _secret(session),
        plan_tier=tier,
        plan_down_mbps=speed.plan_down_mbit,
        plan_up_mbps=speed.plan_up_mbit,
        feedback_score=feedback,
        skill=session.person.skill,
        steps_tried=tried,
    ).model_dump(mode="json")


def is_devices_only(report: Report) -> bool:
    """An inventory (``homecare devices``): nothing a support agent can diagnose."""
    return set(report.areas) <= {"host", "devices"}


def load_report(session: RunContext, check_id: str | None) -> Report:
    """That check, or the newest one worth sharing: a ``homecare devices`` run
    after a check must not replace the check the person wants to talk about."""
    with History.open(session.env.home.history_db) as history:
        if check_id:
            report = history.get(check_id)
        else:
            recent = history.recent_reports(20)
            report = next((r for r in recent if not is_devices_only(r)), None)
            report = report or history.latest()
    if report is None:
        if check_id:
            raise UsageError(_("No check with id {id}.").format(id=check_id))
        raise UsageError(_("No checks yet. Run 'homecare check' first."))
    return report


def share_report(session: RunContext, report: Report) -> ShareResult:
    """Spool the anonymized report, then try to send everything spooled."""
    if session.person.consent.share is True and do_not_track(session.env.environ):
        raise UsageError(
            _("DO_NOT_TRACK is set, so nothing is shared. Unset it to share this check.")
        )
    if not sharing_allowed(session):
        raise UsageError(_("Sharing is off. Turn it on with 'homecare share --on'."))
    url, _token = collector_settings(session)
    if not url:
        raise ConfigError(
            _(
                "No collector is configured: set collector_url in the provider profile "
                "or HOMECARE_COLLECTOR_URL."
            )
        )
    payload = build_payload(session, report)
    spool = spool_for(session)
    try:
        upload_id = spool.add(payload)
    except OSError as exc:
        raise StateError(
            _("Cannot keep the check for sending in {path}: {error}").format(
                path=spool.dir, error=exc.strerror or exc
            )
        ) from exc
    flushed = flush(session, force=True)
    return ShareResult(
        support_code=from_upload_id(upload_id),
        upload_id=upload_id,
        delivered=upload_id in flushed.delivered,
        pending=len(spool.pending()),
        error=flushed.last_error,
    )


def flush(session: RunContext, force: bool = False) -> FlushReport:
    """Retry the spool (and an outstanding deletion request)."""
    url, token = collector_settings(session)
    if not url:
        return FlushReport(deferred=len(spool_for(session).pending()))
    with CollectorClient(url, token) as client:
        _retry_pending_delete(session, client)
        if not sharing_allowed(session):
            return FlushReport(deferred=len(spool_for(session).pending()))
        return spool_for(session).flush(client.send, force=force)


def maybe_auto_share(session: RunContext, report: Report) -> str | None:
    """Called after a check: share it when the person chose automatic sharing.

    Returns the support code, or None when nothing was shared. Never raises:
    a check must not fail because of sharing, whatever a spool file, the key
    or the collector holds (the next ``share --flush`` reports the trouble).
    """
    consent = session.person.consent
    if not (consent.auto_share and sharing_allowed(session)):
        return None
    url, _token = collector_settings(session)
    if not url:
        return None
    try:
        return share_report(session, report).support_code
    except Exception:  # sharing is best effort after a check, by design
        return None


def turn_on(session: RunContext, auto: bool | None = None) -> None:
    """Consent on; *auto* also sets whether every check is shared right away."""
    person = session.person.with_consent(share=True)
    if auto is not None:
        consent = person.consent.model_copy(update={"auto_share": auto})
        person = person.model_copy(update={"consent": consent})
    save_profile(session.env.home.profile_file, person)


def refused_token(error: str | None) -> bool:
    """The collector refused this installation's token: a setting to fix, not a
    network to wait for."""
    return error in ("HTTP 401", "HTTP 403")


class TurnOff(NamedTuple):
    purged: int
    #: True/False: the collector deleted / could not be asked yet; None: no collector.
    deleted: bool | None
    #: Where a damaged sharing key was moved (the deletion is queued all the same).
    damaged_key: Path | None = None


def turn_off(session: RunContext) -> TurnOff:
    """Record "no", empty the spool, ask the collector to delete this
    installation's results, and start a fresh installation id next time.

    A failed deletion request is kept and retried. A damaged key does not
    stop the deletion: the installation id recorded beside it is queued,
    and the broken key is moved aside so the next ``--on`` starts afresh.
    """
    home = session.env.home
    save_profile(home.profile_file, session.person.with_consent(share=False))
    purged = spool_for(session).purge()
    secret_path = home.state_dir / SECRET_FILE
    damaged: Path | None = None
    if secret_path.exists():
        try:
            inst: str | None = installation_id(load_or_create_secret(home.state_dir))
        except DamagedSecretError:
            inst = known_installation_id(home.state_dir)
            damaged = move_aside(secret_path)
        except OSError as exc:
            raise StateError(
                _("Cannot read or create the sharing key: {error}").format(error=exc)
            ) from exc
        if inst is not None:
            _queue_delete(session, inst)
        secret_path.unlink(missing_ok=True)
        (home.state_dir / INSTALLATION_FILE).unlink(missing_ok=True)
    url, token = collector_settings(session)
    if not url:
        return TurnOff(purged, None, damaged)
    with CollectorClient(url, token) as client:
        return TurnOff(purged, _retry_pending_delete(session, client), damaged)


def _queue_delete(session: RunContext, inst: str) -> None:
    pending = _pending_path(session)
    ids = _pending_ids(pending)
    if inst not in ids:
        try:
            atomic_write(pending, json.dumps([*ids, inst]).encode())
        except OSError as exc:
            raise StateError(
                _("Cannot record the deletion request in {path}: {error}").format(
                    path=pending, error=exc.strerror or exc
                )
            ) from exc


def _pending_path(session: RunContext) -> Path:
    return session.env.home.state_dir / PENDING_DELETE


def _pending_ids(path: Path) -> list[str]:
    """Installation ids waiting for deletion; a damaged file is moved aside
    (not overwritten) so the ids it may still hold can be recovered by hand."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError):
        data = None
    if isinstance(data, list) and all(isinstance(x, str) for x in data):
        return list(data)
    with contextlib.suppress(OSError):
        move_aside(path)
    return []


def _retry_pending_delete(session: RunContext, client: CollectorClient) -> bool:
    path = _pending_path(session)
    ids = _pending_ids(path)
    left = [inst for inst in ids if not client.delete_installation(inst)]
    if left:
        with contextlib.suppress(OSError):  # the old request file still holds them
            atomic_write(path, json.dumps(left).encode())
        return False
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return True
