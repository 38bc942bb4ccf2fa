"""Technician test plans: TOML files a provider ships, validated before anything runs.

A plan has an id, a version and ordered steps. A step names the check areas
it runs, optionally the room to go to (or ``per_room = true`` to repeat it in
every room the technician names), and thresholds per metric::

    [[steps]]
    id = "speed"
    run = ["speed", "wifi"]
    per_room = true
    [steps.expect]
    "speed.download_mbit" = { pass = ">= 0.9 plan", warn = ">= 0.7 plan" }
    "wifi.signal_dbm" = { pass = ">= -67", warn = ">= -75" }

A threshold is ``[op] value [plan]``: op one of ``>= > <= < ==`` (a bare
value means "at least" for figures where higher is better, "at most"
otherwise), ``plan`` multiplies by the plan rate the customer pays for.
Yes/no metrics take ``true``/``false``; grades take a letter (``">= B"``).
Every error is one line naming the file, the step and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from homecare.errors import ConfigError, UsageError
from homecare.i18n import _
from homecare.models.session import StepStatus
from homecare.session.metrics import GRADES, METRICS, Metric
from homecare.tomlfile import read_toml

SHIPPED_DIR = Path(__file__).resolve().parents[1] / "profiles" / "data" / "technician"
_ID = r"^[a-z0-9][a-z0-9_-]{0,39}$"
Op = Literal[">=", ">", "<=", "<", "=="]
_OPS: dict[str | None, Op] = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "==": "=="}
_RULE = re.compile(r"^\s*(>=|<=|==|>|<)?\s*([-+]?\d+(?:\.\d+)?|[A-Fa-f])\s*(plan)?\s*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Expectation(_Model):
    pass_: str | bool | float = Field(alias="pass")
    warn: str | bool | float | None = None
    #: what a figure that could not be measured counts as
    missing: StepStatus = StepStatus.FAIL


class PlanStep(_Model):
    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    #: the title in other languages, for the customer's report: { es = "...", de = "..." }
    titles: dict[str, str] = Field(default_factory=dict)
    run: list[str] = Field(min_length=1, description="Check areas this step runs.")
    room: str | None = Field(default=None, pattern=_ID)
    per_room: bool = False
    quick: bool = True
    budget_s: float | None = Field(default=None, gt=0, le=600)
    expect: dict[str, Expectation] = Field(min_length=1)


class Plan(_Model):
    id: str = Field(pattern=_ID)
    version: str = Field(min_length=1, max_length=20)
    title: str = Field(min_length=1)
    titles: dict[str, str] = Field(default_factory=dict)
    description: str = ""
    default_rooms: list[str] = Field(default_factory=list)
    steps: list[PlanStep] = Field(min_length=1)

    def title_in(self, language: str) -> str:
        return self.titles.get(language, self.title)

    @property
    def has_room_loop(self) -> bool:
        return any(s.per_room for s in self.steps)


@dataclass(frozen=True)
class Rule:
    """One parsed threshold: ``value op bound`` (bound × plan rate when relative)."""

    op: Op
    bound: float | bool | str
    relative: bool
    text: str


@dataclass(frozen=True)
class PlannedStep:
    """A step as it runs: a room loop step once per room."""

    key: str
    step: PlanStep
    room: str | None


def parse_rule(raw: str | bool | float, metric: Metric) -> Rule:
    """The threshold *raw* for *metric*; ValueError (with the reason) when it does not fit."""
    default_op: Op = ">=" if metric.better == "higher" else "<="
    if metric.kind == "bool":
        if not isinstance(raw, bool):
            raise ValueError(_("expected true or false"))
        return Rule("==", raw, False, str(raw).lower())
    if isinstance(raw, bool):
        raise ValueError(_("expected a threshold such as '>= 10', not true/false"))
    text = str(raw)
    match = _RULE.match(text)
    if not match:
        raise ValueError(_("cannot read threshold '{text}'").format(text=text))
    raw_op, value, plan = match.groups()
    op: Op = _OPS.get(raw_op, default_op)
    if metric.kind == "grade":
        if value.upper() not in GRADES or plan:
            raise ValueError(_("expected a grade A-F such as '>= B'"))
        return Rule(_OPS.get(raw_op, ">="), value.upper(), False, text)
    if value.isalpha():
        raise ValueError(_("expected a number, not '{value}'").format(value=value))
    if plan and metric.plan is None:
        raise ValueError(_("'plan' only applies to speeds"))
    return Rule(op, float(value), bool(plan), text)


def _describe(path: Path, raw: dict[str, Any], loc: Iterable[Any], problem: str) -> str:
    parts = list(loc)
    step = ""
    if len(parts) >= 2 and parts[0] == "steps" and isinstance(parts[1], int):
        steps = raw.get("steps")
        entry = steps[parts[1]] if isinstance(steps, list) and len(steps) > parts[1] else {}
        step_id = entry.get("id") if isinstance(entry, dict) else None
        step = str(step_id or f"#{parts[1] + 1}")
        parts = parts[2:]
    field = ".".join(str(p) for p in parts) or "(top level)"
    if step:
        return _("{path}: step '{step}': field '{field}': {problem}").format(
            path=path, step=step, field=field, problem=problem
        )
    return _("{path}: field '{field}': {problem}").format(path=path, field=field, problem=problem)


def load_plan(path: Path, known_areas: Iterable[str]) -> Plan:
    """Read and validate *path*; :class:`ConfigError` naming file, step and field."""
    return plan_from_raw(read_toml(path), path, known_areas)


def plan_from_raw(raw: dict[str, Any], path: Path, known_areas: Iterable[str]) -> Plan:
    """Validate a parsed plan (*path* only names it in errors)."""
    try:
        plan = Plan.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(_describe(path, raw, err["loc"], err["msg"])) from exc
    areas = set(known_areas)
    seen: set[str] = set()
    for index, step in enumerate(plan.steps):

        def fail(field: str, problem: str, index: int = index) -> ConfigError:
            return ConfigError(_describe(path, raw, ["steps", index, field], problem))

        if step.id in seen:
            raise fail("id", _("duplicate step id '{id}'").format(id=step.id))
        seen.add(step.id)
        for area in step.run:
            if area not in areas:
                raise fail(
                    "run",
                    _("unknown area '{area}' (known: {known})").format(
                        area=area, known=", ".join(sorted(areas))
                    ),
                )
        for name, expectation in step.expect.items():
            metric = METRICS.get(name)
            if metric is None:
                raise fail(
                    f"expect.{name}",
                    _("unknown metric (known: {known})").format(known=", ".join(sorted(METRICS))),
                )
            if metric.area and metric.area not in step.run:
                raise fail(
                    f"expect.{name}", _("needs area '{area}' in run").format(area=metric.area)
                )
            for key, value in (("pass", expectation.pass_), ("warn", expectation.warn)):
                if value is None:
                    continue
                try:
                    parse_rule(value, metric)
                except ValueError as exc:
                    raise fail(f"expect.{name}.{key}", str(exc)) from None
    return plan


def find_plan(name: str) -> Path:
    """A shipped plan by id ('repair-visit') or a path to a TOML file."""
    candidate = Path(name).expanduser()
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise ConfigError(_("No such plan file: {path}").format(path=candidate))
        return candidate
    shipped = SHIPPED_DIR / f"{name}.toml"
    if not shipped.is_file():
        raise UsageError(
            _("Unknown plan '{name}'. Shipped plans: {known}.").format(
                name=name, known=", ".join(shipped_plans())
            )
        )
    return shipped


def shipped_plans() -> list[str]:
    return sorted(p.stem for p in SHIPPED_DIR.glob("*.toml"))


def expand(plan: Plan, rooms: Iterable[str]) -> list[PlannedStep]:
    """The steps in running order, room loop steps once per room."""
    room_list = list(rooms) or list(plan.default_rooms)
    out: list[PlannedStep] = []
    for step in plan.steps:
        if step.per_room and room_list:
            out.extend(PlannedStep(f"{step.id}@{room}", step, room) for room in room_list)
        else:
            out.append(PlannedStep(step.id, step, step.room))
    return out
