"""The ``homecare`` typer app and the error boundary around it."""

from __future__ import annotations

import importlib
import traceback
from typing import Any

import typer

from homecare import __version__
from homecare.cli.early_language import ensure_activated
from homecare.context import Environment
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
    router_cmd,
    session_cmd,
    setup_cmd,
    share_cmd,
    trends_cmd,
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
trends_cmd.register(app)
session_cmd.register(app)
router_cmd.register(app)


def run(argv: list[str] | None = None, env: Environment | None = None) -> int:
    """Run the CLI in *env* and turn every failure into a one-line message and exit code.

    Everything a command needs comes in through *env* (httpie's
    ``core.main(args, env)``): the commands read it from the click context
    (:func:`homecare.cli.run_context.current_environment`) and never build
    their own, so a test passes one environment and sees every byte written.
    """
    from homecare.status import ExitStatus

    env = env or Environment()
    cli_errors = _cli_exception_types()
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="homecare", standalone_mode=False, obj=env)
    except cli_errors.exit as exc:
        return int(getattr(exc, "exit_code", 0))
    except cli_errors.abort:
        _say(env, _("Interrupted."))
        return ExitStatus.INTERRUPTED
    except cli_errors.click_error as exc:
        usage = isinstance(exc, cli_errors.usage)
        hint = " " + _("(try 'homecare --help')") if usage else ""
        _say(env, f"homecare: {exc.format_message()}{hint}")
        return ExitStatus.USAGE if usage else int(getattr(exc, "exit_code", 1))
    except KeyboardInterrupt:
        _say(env, _("Interrupted."))
        return ExitStatus.INTERRUPTED
    except Exception as exc:
        return _report_error(exc, env)
    if result == ExitStatus.INTERRUPTED:  # typer's main turns Ctrl-C into a bare 130
        _say(env, _("Interrupted."))
    return int(result) if isinstance(result, int) else 0


def _say(env: Environment, line: str) -> None:
    # One line, without control sequences: messages can quote what a user,
    # a file or a device supplied (a check id, a path, a stored value).
    from homecare.render.sanitize import clean_text

    env.stderr.write(clean_text(line) + "\n")
    env.stderr.flush()


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


def _report_error(exc: Exception, env: Environment) -> int:
    from homecare.errors import ConfigError, HomecareError, StateError, UsageError
    from homecare.status import ExitStatus

    if isinstance(exc, HomecareError):
        _say(env, f"homecare: {exc}")
        if isinstance(exc, ConfigError):
            return ExitStatus.CONFIG
        if isinstance(exc, StateError):
            return ExitStatus.STATE
        if isinstance(exc, UsageError):
            return ExitStatus.USAGE
        return ExitStatus.INTERNAL
    if isinstance(exc, PermissionError | OSError) and getattr(exc, "filename", None):
        _say(env, f"homecare: {exc.strerror}: {exc.filename}")
        return ExitStatus.STATE
    if env.environ.get("HOMECARE_DEBUG"):
        env.stderr.write("".join(traceback.format_exception(exc)))
    message = _(
        "internal error ({error}). Please report it; set HOMECARE_DEBUG=1 for details."
    ).format(error=f"{type(exc).__name__}: {exc}")
    _say(env, f"homecare: {message}")
    return ExitStatus.INTERNAL
