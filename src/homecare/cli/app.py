"""The ``homecare`` typer app and the error boundary around it."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any

import typer

from homecare import __version__
from homecare.cli.early_language import ensure_activated
from homecare.i18n import _

# The help texts below and in the command modules are translated when they
# are imported; __main__ has chosen the language already, anyone importing
# this module directly (tests, ``run()`` from Python) gets it chosen here.
ensure_activated()

from homecare.cli import (  # noqa: E402  (after the language is chosen)
    alerts_cmd,
    check,
    devices,
    explain,
    history,
    monitor_cmd,
    plugins_cmd,
    profile_cmd,
    session_cmd,
    setup_cmd,
    share_cmd,
)

app = typer.Typer(
    name="homecare",
    help=_("Find out what is wrong with your home network, where, and what to do."),
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"homecare {__version__}")
        raise typer.Exit(0)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help=_("Show the version and exit."),
    ),
) -> None:
    """Find out what is wrong with your home network, where, and what to do."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


check.register(app)
devices.register(app)
history.register(app)
explain.register(app)
plugins_cmd.register(app)
setup_cmd.register(app)
profile_cmd.register(app)
share_cmd.register(app)
monitor_cmd.register(app)
alerts_cmd.register(app)
session_cmd.register(app)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every failure into a one-line message and exit code."""
    from homecare.status import ExitStatus

    cli_errors = _cli_exception_types()
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="homecare", standalone_mode=False)
    except cli_errors.exit as exc:
        return int(getattr(exc, "exit_code", 0))
    except cli_errors.abort:
        print(_("Interrupted."), file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except cli_errors.click_error as exc:
        usage = isinstance(exc, cli_errors.usage)
        hint = " " + _("(try 'homecare --help')") if usage else ""
        print(f"homecare: {exc.format_message()}{hint}", file=sys.stderr)
        return ExitStatus.USAGE if usage else int(getattr(exc, "exit_code", 1))
    except KeyboardInterrupt:
        print(_("Interrupted."), file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except Exception as exc:
        return _report_error(exc)
    return int(result) if isinstance(result, int) else 0


class _CliErrors:
    """Exception classes of the click that typer uses.

    typer >= 0.29 vendors its own click (``typer._click``); older versions use
    the ``click`` package. Catch whichever is in use, and both when present.
    """

    def __init__(self) -> None:
        mods: list[Any] = []
        for name in ("typer._click.exceptions", "click.exceptions"):
            try:
                mods.append(importlib.import_module(name))
            except ImportError:
                continue
        self.click_error = tuple(m.ClickException for m in mods)
        self.usage = tuple(m.UsageError for m in mods)
        self.exit = (typer.Exit, *(m.Exit for m in mods if hasattr(m, "Exit")))
        self.abort = (typer.Abort, *(m.Abort for m in mods if hasattr(m, "Abort")))


def _cli_exception_types() -> _CliErrors:
    return _CliErrors()


def _report_error(exc: Exception) -> int:
    from homecare.errors import ConfigError, HomecareError, StateError, UsageError
    from homecare.status import ExitStatus

    if isinstance(exc, HomecareError):
        print(f"homecare: {exc}", file=sys.stderr)
        if isinstance(exc, ConfigError):
            return ExitStatus.CONFIG
        if isinstance(exc, StateError):
            return ExitStatus.STATE
        if isinstance(exc, UsageError):
            return ExitStatus.USAGE
        return ExitStatus.INTERNAL
    if isinstance(exc, PermissionError | OSError) and getattr(exc, "filename", None):
        print(f"homecare: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return ExitStatus.STATE
    if os.environ.get("HOMECARE_DEBUG"):
        traceback.print_exc()
    message = _(
        "internal error ({error}). Please report it; set HOMECARE_DEBUG=1 for details."
    ).format(error=f"{type(exc).__name__}: {exc}")
    print(f"homecare: {message}", file=sys.stderr)
    return ExitStatus.INTERNAL
