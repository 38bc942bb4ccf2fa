"""The engine is the only place the check's flow is assembled.

``homecare check``, ``homecare devices``, a technician's session step and a
monitor sample are all callers of :func:`homecare.engine.run_check`. This
test reads the source (and the benches, and the lab) and fails when anything
else strings the flow's parts together itself: running probes, running the
rules, building guidance or deciding the verdict.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "homecare"
#: the flow's parts, and the modules allowed to call each (besides engine.py)
PARTS = {
    "run_probes": {"probes/runner.py"},
    "build_guidance": {"advise/guidance.py"},
    "decide": {"diagnose/verdict.py"},
    "with_history_notes": {"advise/history_advice.py"},
    "choose_offer": {"advise/offers.py"},
}
ENGINE = "engine.py"


def _calls(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            if isinstance(fn, ast.Name):
                names.add(fn.id)
            elif isinstance(fn, ast.Attribute):
                names.add(fn.attr)
    return names


def _python_files() -> list[Path]:
    roots = [SRC, REPO / "bench", REPO / "lab", REPO / "plugins"]
    return sorted(p for root in roots for p in root.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("part", sorted(PARTS))
def test_only_the_engine_assembles_the_flow(part: str) -> None:
    offenders = []
    for path in _python_files():
        rel = path.relative_to(SRC).as_posix() if path.is_relative_to(SRC) else str(path)
        if rel == ENGINE or rel in PARTS[part]:
            continue
        if part in _calls(path):
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == [], f"{part}() called outside the engine: {offenders}"


def test_every_entry_point_runs_the_engine() -> None:
    """Each command that measures goes through run_check (directly or via the check flow)."""
    assert "run_check" in _calls(SRC / "cli" / "check_flow.py")
    # the session and monitor packages, once they exist, must have such a caller
    for package in ("session", "monitor"):
        folder = SRC / package
        if folder.is_dir():
            assert any("run_check" in _calls(p) for p in folder.glob("*.py")), package
