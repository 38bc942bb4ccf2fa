"""The per-installation secret that keys every hash we upload.

Generated once, kept in the state folder readable by the owner only, never
sent. Because hashes are keyed, the collector (or anyone holding uploads)
cannot test guesses such as "is this the MAC a4:83:e7:12:34:56?"; and the
installation id is derived from the same secret so it reveals nothing either.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
import uuid
from pathlib import Path

from homecare.store.files import atomic_write

SECRET_FILE = "share-secret"  # noqa: S105 (a file name)
#: The installation id, kept beside the key so that ``share --off`` can still
#: ask the collector to delete this installation's uploads when the key file
#: is damaged (the id cannot be derived from a broken key).
INSTALLATION_FILE = "share-installation"
SECRET_BYTES = 32


class DamagedSecretError(ValueError):
    """The key file exists but holds no usable key (empty, cut short, edited)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} is damaged")
        self.path = path


def load_or_create_secret(state_dir: Path) -> bytes:
    """The secret from *state_dir*, created on first use.

    Creation never leaves a partial file under the real name: the key is
    written to a private temp file (0600), fsynced, and then hard-linked
    into place, which fails if another process won the race (its key is
    then used). A crash at any point leaves either no key or a whole one.
    """
    path = state_dir / SECRET_FILE
    state_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _create(path)
    value = _read(path)
    _remember_installation(state_dir, value)
    return value


def _read(path: Path) -> bytes:
    try:
        data = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (UnicodeDecodeError, ValueError):
        raise DamagedSecretError(path) from None
    if len(data) < 16:
        raise DamagedSecretError(path)
    return data


def _create(path: Path) -> None:
    value = secrets.token_bytes(SECRET_BYTES)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(value.hex() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
        _fsync_dir(path.parent)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _remember_installation(state_dir: Path, secret: bytes) -> None:
    inst = installation_id(secret)
    if known_installation_id(state_dir) != inst:
        atomic_write(state_dir / INSTALLATION_FILE, (inst + "\n").encode("ascii"))


def known_installation_id(state_dir: Path) -> str | None:
    """The installation id recorded beside the key, if it is readable."""
    try:
        text = (state_dir / INSTALLATION_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if len(text) == 32 and all(c in "0123456789abcdef" for c in text) else None


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def keyed_hash(secret: bytes, kind: str, value: str, length: int = 16) -> str:
    """HMAC-SHA256 of *value* in the namespace *kind*, as *length* hex digits."""
    mac = hmac.new(secret, f"{kind}\0{value}".encode(), hashlib.sha256)
    return mac.hexdigest()[:length]


def installation_id(secret: bytes) -> str:
    return keyed_hash(secret, "installation", "", 32)


def upload_id_for(secret: bytes, check_id: str) -> str:
    """A UUID for one check: sharing the same check twice is the same upload."""
    digest = bytearray(bytes.fromhex(keyed_hash(secret, "upload", check_id, 32)))
    digest[6] = (digest[6] & 0x0F) | 0x80  # version 8: custom
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    return str(uuid.UUID(bytes=bytes(digest)))
