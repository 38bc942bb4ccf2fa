"""The progress display on stderr, fed by the runner's callback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from homecare.context import Environment
from homecare.diagnose.verdict import probe_label
from homecare.i18n import _
from homecare.probes.runner import ProgressCallback, ProgressEvent


@contextmanager
def progress_display(env: Environment, enabled: bool) -> Iterator[ProgressCallback]:
    """Yield a callback; draws a live display only when stderr is a terminal."""
    try:
        interactive = enabled and env.stderr.isatty()
    except (AttributeError, ValueError):
        interactive = False
    if not interactive:
        yield lambda _e: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn

    console = Console(file=env.stderr, no_color="NO_COLOR" in env.environ)
    tasks: dict[str, TaskID] = {}
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True
    ) as bar:

        def on_event(event: ProgressEvent) -> None:
            if event.state == "started":
                label = probe_label(event.probe)  # what it measures, not its code name
                tasks[event.probe] = bar.add_task(_("Checking {probe}…").format(probe=label))
            elif event.probe in tasks:
                task = tasks[event.probe]
                if event.state == "update" and event.message:
                    bar.update(task, description=f"{probe_label(event.probe)}: {event.message}")
                elif event.state == "finished":
                    bar.remove_task(task)

        yield on_event
