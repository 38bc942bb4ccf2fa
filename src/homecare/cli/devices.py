"""``homecare devices``: the home's device inventory, and names for devices."""

from __future__ import annotations

import typer

from homecare.i18n import _

devices_app = typer.Typer(help=_("Find the devices on your network and name them."))


def register(app: typer.Typer) -> None:
    app.add_typer(
        devices_app, name="devices", help=_("Find the devices on your network and name them.")
    )


@devices_app.callback(invoke_without_command=True)
def inventory(
    ctx: typer.Context,
    json_out: bool = typer.Option(False, "--json", help=_("Print the report as JSON on stdout.")),
    plain: bool = typer.Option(False, "--plain", help=_("Plain text output.")),
    quick: bool = typer.Option(False, "--quick", help=_("Use a smaller time budget.")),
    save: bool = typer.Option(True, "--save/--no-save", help=_("Save to local history.")),
) -> int:
    """List every device on the network (the same as 'homecare check devices')."""
    if ctx.invoked_subcommand is not None:
        return 0
    from homecare.cli.check_flow import run_check_command
    from homecare.cli.run_context import Overrides

    return run_check_command(
        areas=["devices"],
        quick=quick,
        output="json" if json_out else None,
        save=save,
        overrides=Overrides(plain=plain),
    )


@devices_app.command(
    "name", help=_("Give a device a name, shown in every report and never uploaded.")
)
def name_device(
    device: str = typer.Argument(..., help=_("The device's MAC address or IP address.")),
    nickname: str = typer.Argument(..., help=_('The name to show, e.g. "Living room TV".')),
) -> None:
    """Give a device a name, shown in every report and never uploaded."""
    from datetime import UTC, datetime

    from homecare.cli.device_names import resolve_device_key
    from homecare.cli.run_context import open_run
    from homecare.store.history import History

    session = open_run()
    with History.open(session.env.home.history_db) as history:
        key = resolve_device_key(device, history)
        history.set_device_name(key, nickname.strip(), datetime.now(UTC))
    session.env.stdout.write(
        _("{key} is now called “{name}”.").format(key=key, name=nickname) + "\n"
    )


@devices_app.command("forget", help=_("Remove the name you gave a device."))
def forget_device(
    device: str = typer.Argument(..., help=_("The device's MAC address or IP address.")),
) -> None:
    """Remove the name you gave a device."""
    from homecare.cli.device_names import resolve_device_key
    from homecare.cli.run_context import open_run
    from homecare.errors import UsageError
    from homecare.store.history import History

    session = open_run()
    with History.open(session.env.home.history_db) as history:
        key = resolve_device_key(device, history)
        if not history.forget_device_name(key):
            raise UsageError(_("No name is stored for {key}.").format(key=key))
    session.env.stdout.write(_("The name of {key} was removed.").format(key=key) + "\n")
