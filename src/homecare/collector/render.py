"""Plain-text views for the collector's admin CLI (English only: it is read by
the provider's staff, not by customers).

Payload text comes from whoever holds the public ingest token, so every line
is passed through :func:`terminal_safe` before it is printed: control
characters (ESC sequences such as an OSC 52 clipboard write, carriage
returns and newlines that would forge a line of their own, C1 controls) and
invisible bidirectional overrides are removed.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

HIDDEN = "<k"

_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def terminal_safe(text: str) -> str:
    """*text* with control and bidi-override characters removed, tabs as spaces."""
    return _UNSAFE.sub("", text.replace("\t", " "))


def _safe_lines(lines: list[str]) -> str:
    return "\n".join(terminal_safe(line) for line in lines) + "\n"


def render_result(code: str, received_at: str, matches: int, p: dict[str, Any]) -> str:
    """One upload as a support agent reads it on the phone: verdict first."""
    lines = [f"Support code {code}   received {received_at[:16].replace('T', ' ')} UTC"]
    if matches > 1:
        lines.append(f"  note: {matches} results share this code; showing the newest.")
    v = p["verdict"]
    state = "healthy" if v["healthy"] else f"problem in: {v.get('segment') or 'unknown'}"
    lines.append(f"Verdict: {state}")
    c = p.get("cohort", {})
    lines.append(
        "Home: "
        + ", ".join(
            f"{label} {c.get(key) or '?'}"
            for label, key in (
                ("plan", "plan_tier"),
                ("router", "router_vendor"),
                ("connection", "connection_type"),
                ("band", "wifi_band"),
                ("os", "os_family"),
            )
        )
    )
    lines.append(
        f"Checked: {p['created_at'][:16].replace('T', ' ')} UTC, homecare "
        f"{p['homecare_version']}, areas {', '.join(p.get('areas', [])) or '-'}"
    )
    findings = sorted(
        p.get("findings", []), key=lambda f: _RANK.get(f["severity"], 0), reverse=True
    )
    lines.append("Findings:" if findings else "Findings: none")
    for f in findings:
        ev = ", ".join(f"{k}={v}" for k, v in sorted(f.get("evidence", {}).items()))
        lines.append(
            f"  [{f['severity'].upper():8}] {f['code']} ({f['segment']})"
            + (f"  {ev}" if ev else "")
        )
    n = p.get("network", {})
    lines.append(
        "Network: gateway {g} ms loss {gl}, internet {i} ms loss {il}, DNS ok {ok}/{tot}".format(
            g=_v(n.get("gateway_rtt_ms")),
            gl=_pct(n.get("gateway_loss")),
            i=_v(n.get("internet_rtt_ms")),
            il=_pct(n.get("internet_loss")),
            ok=n.get("dns_ok", 0),
            tot=n.get("dns_ok", 0) + n.get("dns_failed", 0),
        )
    )
    w = p.get("wifi")
    if w:
        lines.append(
            f"Wi-Fi: {w.get('band') or '?'} channel {_v(w.get('channel'))}, signal "
            f"{_v(w.get('signal_dbm'))} dBm, {w.get('standard') or '?'}, "
            f"{w.get('security') or '?'}, {w.get('networks_seen', 0)} networks nearby"
        )
    s = p.get("speeds")
    if s:
        lines.append(
            f"Speed: down {_v(s.get('download_mbps'))} Mbit/s, up {_v(s.get('upload_mbps'))} Mbit/s"
        )
    devices = p.get("devices", [])
    if devices:
        mix = Counter(d["kind"] for d in devices)
        lines.append(
            f"Devices: {len(devices)} (" + ", ".join(f"{k} {n}" for k, n in mix.most_common()) + ")"
        )
    failed = [pr for pr in p.get("probes", []) if pr["status"] != "ok"]
    for pr in failed:
        lines.append(f"Probe {pr['probe']}: {pr['status']}" + _scrubbed(pr.get("error")))
    if p.get("feedback_score"):
        lines.append(f"Customer feedback: {p['feedback_score']}/5")
    return _safe_lines(lines)


_RANK = {"info": 0, "warning": 1, "problem": 2, "critical": 3}


def _scrubbed(text: Any) -> str:
    """A probe's message as uploaded: only known words survived the scrubber,
    so say so, or "no or tool found on device" reads as nonsense."""
    if not text:
        return ""
    return f' (message, identifying words removed: "{text}")'


def _v(value: Any) -> str:
    return "?" if value is None else str(value)


def _pct(value: Any) -> str:
    return "?" if value is None else f"{100 * value:.0f}%"


def _n(value: Any) -> str:
    return HIDDEN if value is None else str(value)


def insights_text(doc: dict[str, Any]) -> str:
    out = [
        f"Insights (k = {doc['k']}; '{HIDDEN}' = hidden, fewer than k installations "
        "or hidden so that it cannot be worked out from totals)",
        f"Installations: {_n(doc['installations'])}   uploads: {_n(doc['uploads'])}",
        "",
    ]
    for dim, table in doc["findings_by_cohort"].items():
        out.append(f"Most common findings by {dim.replace('_', ' ')}:")
        for cohort in table["cohorts"]:
            top = ", ".join(f"{c} {cohort['findings'][c]}" for c in cohort["top_findings"]) or "-"
            out.append(f"  {cohort['value']:<22} {_n(cohort['installations']):>6}  {top}")
        out.append("")
    if doc["speeds_vs_plan"]:
        out.append("Speeds against plan (medians):")
        for s in doc["speeds_vs_plan"]:
            out.append(
                f"  {s['plan_tier']:<22} down {_v(s['median_down_mbps'])} up {_v(s['median_up_mbps'])}"
                f" Mbit/s, {_v(s['median_down_pct_of_plan'])}% of plan ({_n(s['installations'])} homes)"
            )
        out.append("")
    for dim, mix in doc["device_mix"].items():
        out.append(
            f"Device mix {dim.replace('_', ' ')}: "
            + ", ".join(f"{k} {_n(n)}" for k, n in mix.items())
        )
    if doc["feedback_by_finding"]:
        out.append(
            "Feedback by finding: "
            + ", ".join(f"{c} {fb['mean_score']}/5" for c, fb in doc["feedback_by_finding"].items())
        )
    if doc["offers"]:
        out.append(
            "Offers: "
            + ", ".join(
                f"{o} shown {_n(v['shown'])} taken {_n(v['taken'])}"
                for o, v in doc["offers"].items()
            )
        )
    return _safe_lines(out)
