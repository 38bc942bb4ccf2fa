"""``homecare router login|forget``: the router's password, in the OS keyring."""

from __future__ import annotations

import typer

from homecare.i18n import _

router_app = typer.Typer(help=_("Reading the router: its password."), no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(router_app, name="router")


@router_app.command("login", help=_("Store the router's password in the OS keyring."))
def login(
    user: str = typer.Option(None, "--user", help=_("User name on the router.")),
) -> int:
    from homecare.cli.router_access import ask_password
    from homecare.cli.run_context import open_run
    from homecare.errors import ConfigError
    from homecare.status import ExitStatus
    from homecare.store.router_secret import save_password

    session = open_run()
    prefs = session.person.router
    password = ask_password(session.env, _("Router password: "))
    if not password:
        raise ConfigError(_("No password given."))
    if not save_password(prefs.address, user or prefs.user, password):
        raise ConfigError(
            _(
                "No OS keyring available to keep the password; use "
                "'homecare check --ask-router-password' each time instead."
            )
        )
    session.env.stdout.write(_("The router password is stored in the OS keyring.") + "\n")
    return ExitStatus.OK


@router_app.command("forget", help=_("Remove the router's password from the OS keyring."))
def forget(user: str = typer.Option(None, "--user", help=_("User name on the router."))) -> int:
    from homecare.cli.run_context import open_run
    from homecare.status import ExitStatus
    from homecare.store.router_secret import forget_password

    session = open_run()
    forget_password(session.person.router.address, user or session.person.router.user)
    session.env.stdout.write(_("Forgotten.") + "\n")
    return ExitStatus.OK
