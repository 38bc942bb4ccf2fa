"""The hooks a plugin can implement. Built-ins implement the same ones.

Each hook returns a list so one plugin can contribute several items; the
plugin manager flattens them. See docs/plugins.md for a worked example.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from homecare.advise.history_advice import Metric
    from homecare.diagnose.base import Rule
    from homecare.probes.base import Probe
    from homecare.render.base import Renderer

hookspec = pluggy.HookspecMarker("homecare")
hookimpl = pluggy.HookimplMarker("homecare")


@hookspec
def homecare_probes() -> list[Probe]:
    """Return probes to run. Each has a unique ``name`` and the ``area`` a user asks for."""
    raise NotImplementedError


@hookspec
def homecare_rules() -> list[Rule]:
    """Return rules that turn observations into findings with stable codes."""
    raise NotImplementedError


@hookspec
def homecare_renderers() -> list[Renderer]:
    """Return renderers (output formats) selectable with ``--format NAME``."""
    raise NotImplementedError


@hookspec
def homecare_history_metrics() -> list[Metric]:
    """Return figures with a per-home baseline ("your router usually answers in 2 ms")."""
    raise NotImplementedError
