"""The environment of the current CLI run, for commands to take instead of building one.

Kept apart from :mod:`homecare.cli.run_context` because every command module
imports it at start-up, and it must stay as light as the stdlib.
"""

from __future__ import annotations

from homecare.context import Environment


def current_environment() -> Environment:
    """The environment :func:`homecare.cli.app.run` was given (click's ``ctx.obj``).

    Outside a CLI run (a library caller, a test calling a command function)
    it is the process's own.
    """
    import importlib

    # typer >= 0.29 runs on its own vendored click; older ones on ``click``
    for name in ("typer._click.globals", "click.globals"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        ctx = module.get_current_context(silent=True)
        obj = ctx.find_object(Environment) if ctx is not None else None
        if isinstance(obj, Environment):
            return obj
    return Environment()
