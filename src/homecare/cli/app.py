"""The ``homecare`` typer app and the error boundary around it."""

from __future__ import annotations

import os
import sys
import traceback

import click
import typer

from homecare import __version__
from homecare.cli import check, explain, history, plugins_cmd

app = typer.Typer(
    name="homecare",
    help="Find out what is wrong with your home network, where, and what to do.",
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
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Find out what is wrong with your home network, where, and what to do."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


check.register(app)
history.register(app)
explain.register(app)
plugins_cmd.register(app)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every failure into a one-line message and exit code."""
    from homecare.status import ExitStatus

    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="homecare", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        print("Interrupted.", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except click.ClickException as exc:
        print(f"homecare: {exc.format_message()}", file=sys.stderr)
        if isinstance(exc, click.UsageError):
            print("Try 'homecare --help'.", file=sys.stderr)
        return ExitStatus.USAGE if isinstance(exc, click.UsageError) else exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except Exception as exc:
        return _report_error(exc)
    return int(result) if isinstance(result, int) else 0


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
    print(
        f"homecare: internal error ({type(exc).__name__}: {exc}). "
        "Please report it; set HOMECARE_DEBUG=1 for details.",
        file=sys.stderr,
    )
    return ExitStatus.INTERNAL
