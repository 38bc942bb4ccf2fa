"""The router's password, kept in the OS keyring when ``keyring`` is installed.

Never in the profile, the history, a report or an upload: the password
only exists here, in the keyring, and as an argument to the TR-064 / ubus
client. Without ``keyring`` (or with no usable backend) nothing is stored
and homecare asks again on each run that needs it.
"""

from __future__ import annotations

SERVICE = "homecare-router"


def _keyring() -> object | None:
    try:
        import keyring
        from keyring.backends.fail import Keyring as FailKeyring
    except ImportError:
        return None
    if isinstance(keyring.get_keyring(), FailKeyring):
        return None
    return keyring


def account(address: str | None, user: str | None) -> str:
    """The keyring entry name: one password per router and user."""
    return f"{user or ''}@{address or 'gateway'}"


def load_password(address: str | None, user: str | None) -> str | None:
    ring = _keyring()
    if ring is None:
        return None
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(SERVICE, account(address, user))
    except KeyringError:
        return None


def save_password(address: str | None, user: str | None, password: str) -> bool:
    """Store it; False when there is no keyring to store it in."""
    ring = _keyring()
    if ring is None:
        return False
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, account(address, user), password)
    except KeyringError:
        return False
    return True


def forget_password(address: str | None, user: str | None) -> None:
    if _keyring() is None:
        return
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.delete_password(SERVICE, account(address, user))
    except KeyringError:
        return
