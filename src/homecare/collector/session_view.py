"""A stored session for the desk: its steps, and what changed since the
job's earlier session (the before-session the technician's machine linked)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from homecare.collector.sessions_db import StoredSession, get_session


def compare_uploads(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Step by step (paired by key): status and each metric's value before and after."""
    old = {s["key"]: s for s in before.get("steps", [])}
    new = {s["key"]: s for s in after.get("steps", [])}
    out = []
    for key in [*new, *(k for k in old if k not in new)]:
        b, a = old.get(key, {}), new.get(key, {})
        bm = {m["metric"]: m for m in b.get("metrics", [])}
        am = {m["metric"]: m for m in a.get("metrics", [])}
        out.append({
            "key": key, "before": b.get("status"), "after": a.get("status"),
            "metrics": [
                {"metric": n, "before": bm.get(n, {}).get("value"), "after": am.get(n, {}).get("value")}
                for n in [*am, *(n for n in bm if n not in am)]
            ],
        })  # fmt: skip
    return out


def session_view(engine: Engine, found: StoredSession) -> dict[str, Any]:
    """The JSON the API answers and the CLI renders."""
    upload = found.document["upload"]
    before = get_session(engine, found.provider, found.before_id) if found.before_id else None
    return {
        "support_code": found.support_code,
        "job_id": found.job_id,
        "technician": found.technician,
        "received_at": found.received_at.isoformat(),
        "session": upload,
        "signature": found.document.get("signature"),
        "before": {"support_code": before.support_code, "session": before.document["upload"]}
        if before
        else None,
        "comparison": compare_uploads(before.document["upload"], upload) if before else None,
    }


def render_session(view: dict[str, Any]) -> str:
    """Plain text for ``homecare-collector show`` (English: the provider's tool)."""
    s = view["session"]
    lines = [
        f"Technician session {view['support_code']}  job {view['job_id'] or '-'}  "
        f"plan {s['plan_id']} v{s['plan_version']}",
        f"Signed by {view['technician']}; received {view['received_at']}; result {s['status']}",
        "",
        "Steps:",
    ]
    for step in s["steps"]:
        lines.append(f"  {step['key']:<24} {step['status']}")
        for m in step["metrics"]:
            lines.append(f"      {m['metric']:<34} {m['value']!s:<10} {m['status']}")
    if s.get("fixes"):
        lines += ["", "Fixed:", *(f"  - {f}" for f in s["fixes"])]
    if view["comparison"] is not None:
        lines += ["", f"Before and after (before: {view['before']['support_code']}):"]
        for c in view["comparison"]:
            mark = "  changed" if c["before"] != c["after"] else ""
            lines.append(f"  {c['key']:<24} {c['before'] or '-'} -> {c['after'] or '-'}{mark}")
            for m in c["metrics"]:
                if m["before"] != m["after"]:
                    lines.append(f"      {m['metric']:<34} {m['before']!s} -> {m['after']!s}")
    return "\n".join(lines) + "\n"
