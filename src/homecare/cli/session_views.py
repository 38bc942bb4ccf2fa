"""``session list|show|compare|verify|key`` and the step table they share."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from homecare.cli.run_context import RunContext, open_run
from homecare.i18n import _
from homecare.models.session import Comparison, MetricValue, Session, StepStatus
from homecare.status import ExitStatus

_STYLE = {StepStatus.PASS: "green", StepStatus.WARN: "yellow", StepStatus.FAIL: "bold red"}


def console_for(ctx: RunContext) -> Console:
    env = ctx.env
    return Console(
        file=env.stdout,
        no_color=not env.color_allowed or ctx.person.plain,
        width=env.width,
        highlight=False,
    )


def status_text(status: StepStatus | None) -> str:
    if status is None:
        return "-"
    return {StepStatus.PASS: _("pass"), StepStatus.WARN: _("warn"), StepStatus.FAIL: _("fail")}[
        status
    ]


def value_text(value: MetricValue, unit: str = "") -> str:
    if value is None:
        return _("not measured")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return f"{value:g} {unit}".strip() if isinstance(value, float) else f"{value} {unit}".strip()


def print_table(console: Console, session: Session) -> None:
    """The pass/warn/fail table: one row per metric, grouped by step."""
    table = Table(title=f"{session.plan_title} · {session.job_id or session.id[:12]}")
    for header in (_("Step"), _("Metric"), _("Measured"), _("Threshold"), _("Verdict")):
        table.add_column(header)
    for step in session.steps:
        for i, m in enumerate(step.metrics):
            label = step.key if i == 0 else ""
            rule = m.pass_rule + (f" / {m.warn_rule}" if m.warn_rule else "")
            table.add_row(label, m.metric, value_text(m.value, m.unit), rule,
                          status_text(m.status), style=_STYLE[m.status])  # fmt: skip
    console.print(table)


def print_comparison(console: Console, comparison: Comparison) -> None:
    table = Table(title=_("Before and after"))
    for header in (_("Step"), _("Before"), _("After")):
        table.add_column(header)
    for change in comparison.steps:
        arrow = " →" if change.changed else ""
        table.add_row(change.key, status_text(change.before) + arrow, status_text(change.after))
        for m in change.metrics:
            table.add_row("  " + m.metric, value_text(m.before), value_text(m.after))
    console.print(table)


def list_sessions() -> int:
    from homecare.session.store import SessionStore, store_path

    ctx = open_run()
    console = console_for(ctx)
    with SessionStore.open(store_path(ctx.env.home.data_dir)) as store:
        sessions = store.list()
    if not sessions:
        console.print(_("No sessions yet."), markup=False)
        return ExitStatus.OK
    table = Table()
    for header in (_("Id"), _("Started"), _("Job"), _("Plan"), _("State"), _("Result")):
        table.add_column(header)
    for s in sessions:
        table.add_row(s.id[:12], s.created_at.strftime("%Y-%m-%d %H:%M"), s.job_id or "",
                      s.plan_id, s.state.value, status_text(s.status))  # fmt: skip
    console.print(table)
    return ExitStatus.OK


def show_session(session_id: str) -> int:
    from homecare.session.output import comparison_for
    from homecare.session.store import SessionStore, store_path

    ctx = open_run()
    console = console_for(ctx)
    with SessionStore.open(store_path(ctx.env.home.data_dir)) as store:
        session = store.load(session_id).session
        comparison = comparison_for(store, session)
    console.print(f"{_('Session')} {session.id}  {session.state.value}", markup=False)
    if session.support_code:
        console.print(_("Support code: {code}").format(code=session.support_code), markup=False)
    print_table(console, session)
    if session.fixes:
        console.print(_("What was fixed:"), markup=False)
        for fix in session.fixes:
            console.print(f"  - {fix}", markup=False)
    if comparison:
        print_comparison(console, comparison)
    return ExitStatus.OK


def compare_sessions(before_id: str, after_id: str) -> int:
    from homecare.session.compare import compare
    from homecare.session.store import SessionStore, store_path

    ctx = open_run()
    with SessionStore.open(store_path(ctx.env.home.data_dir)) as store:
        before, after = store.load(before_id).session, store.load(after_id).session
    print_comparison(console_for(ctx), compare(before, after))
    return ExitStatus.OK


def verify_report(path: Path, key: str | None) -> int:
    from homecare.errors import StateError
    from homecare.session.report import verify_file

    ctx = open_run()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StateError(f"{path}: {exc.strerror or exc}") from exc
    result = verify_file(data, key)
    if not result.ok:
        for problem in result.problems:
            ctx.env.stderr.write(f"homecare: {path}: {problem}\n")
        return ExitStatus.PROBLEMS_FOUND
    ctx.env.stdout.write(
        _("{path}: signature valid, every part matches (key {key}).").format(
            path=path, key=result.public_key
        )
        + "\n"
    )
    return ExitStatus.OK


def print_key() -> int:
    from homecare.session.keys import load_or_create_key, public_key_text

    ctx = open_run()
    ctx.env.stdout.write(public_key_text(load_or_create_key(ctx.env.home.data_dir)) + "\n")
    return ExitStatus.OK
