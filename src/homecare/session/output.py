"""What a finished session leaves behind: the signed JSON, the HTML page,
and (with the customer's consent) the anonymized upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homecare.cli.run_context import RunContext
from homecare.errors import ConfigError, StateError, UsageError
from homecare.i18n import _
from homecare.models.session import Comparison, Session
from homecare.session.compare import compare
from homecare.session.html import render_html
from homecare.session.keys import load_or_create_key, public_key_text
from homecare.session.report import build_document, sign_body
from homecare.session.store import SessionStore
from homecare.session.upload import MetricOut, SessionUpload, StepOut
from homecare.store.files import atomic_write


def comparison_for(store: SessionStore, session: Session) -> Comparison | None:
    if not session.before_session:
        return None
    try:
        before = store.load(session.before_session).session
    except UsageError:
        return None
    return compare(before, session)


def write_outputs(
    ctx: RunContext, store: SessionStore, session: Session, folder: Path
) -> tuple[Path, Path]:
    key = load_or_create_key(ctx.env.home.data_dir)
    comparison = comparison_for(store, session)
    stem = f"session-{session.id[:12]}"
    json_path, html_path = folder / f"{stem}.json", folder / f"{stem}.html"
    try:
        atomic_write(json_path, build_document(session, comparison, key))
        atomic_write(html_path, render_html(session, comparison, public_key_text(key)).encode())
    except OSError as exc:
        raise StateError(
            _("Cannot write the report to {path}: {error}").format(path=folder, error=exc)
        ) from exc
    return json_path, html_path


def build_upload(session: Session, secret: bytes) -> dict[str, Any]:
    """The anonymized session (JSON-ready, validated, not yet signed)."""
    from homecare.share.anonymize import anonymize
    from homecare.share.scrub import scrub_text
    from homecare.share.secret import installation_id, upload_id_for

    steps = [
        StepOut(
            key=step.key,
            step_id=step.step_id,
            room=step.room,
            status=step.status.value,
            metrics=[
                MetricOut(metric=m.metric, value=m.value, status=m.status.value)
                for m in step.metrics
            ],
            check=anonymize(step.report, secret),
        )
        for step in session.steps
    ]
    upload = SessionUpload(
        upload_id=upload_id_for(secret, f"session:{session.id}"),
        installation_id=installation_id(secret),
        job_id=session.job_id,
        plan_id=session.plan_id,
        plan_version=session.plan_version,
        created_at=session.created_at.replace(second=0, microsecond=0),
        status=session.status.value,
        before_upload_id=upload_id_for(secret, f"session:{session.before_session}")
        if session.before_session
        else None,
        fixes=[f for f in (scrub_text(x) for x in session.fixes) if f],
        steps=steps,
    )
    return upload.model_dump(mode="json")


def share_session(ctx: RunContext, store: SessionStore, session: Session) -> Session:
    """Upload the anonymized, signed session; the session gets its support code."""
    import httpx

    from homecare.share.secret import load_or_create_secret
    from homecare.share.service import collector_settings, do_not_track
    from homecare.share.support_code import from_upload_id

    if do_not_track(ctx.env.environ):
        raise UsageError(_("Sharing is off (DO_NOT_TRACK is set)."))
    url, token = collector_settings(ctx)
    if not url:
        raise ConfigError(
            _("No collector is configured: set collector_url in the provider profile "
              "or HOMECARE_COLLECTOR_URL.")
        )  # fmt: skip
    try:
        secret = load_or_create_secret(ctx.env.home.state_dir)
    except (OSError, ValueError) as exc:
        raise StateError(
            _("Cannot read or create the sharing key: {error}").format(error=exc)
        ) from exc
    body = sign_body({"upload": build_upload(session, secret)},
                     load_or_create_key(ctx.env.home.data_dir))  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.post(f"{url.rstrip('/')}/v1/sessions", json=body, headers=headers,
                              timeout=30)  # fmt: skip
    except httpx.HTTPError as exc:
        raise StateError(_("Cannot reach the collector: {error}").format(error=exc)) from exc
    if response.status_code not in (200, 201):
        raise StateError(
            _("The collector refused the session: HTTP {status} {detail}").format(
                status=response.status_code, detail=response.text[:200]
            )
        )
    code = from_upload_id(body["upload"]["upload_id"])
    session = session.model_copy(update={"support_code": code})
    store.update(session)
    return session
