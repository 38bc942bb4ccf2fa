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
import uuid
from pathlib import Path

SECRET_FILE = "share-secret"  # noqa: S105 (a file name)
SECRET_BYTES = 32


def load_or_create_secret(state_dir: Path) -> bytes:
    """The secret from *state_dir*, created (0600, O_EXCL) on first use."""
    path = state_dir / SECRET_FILE
    state_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        data = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(data) >= 16:
            return data
        raise ValueError(f"{path} is damaged") from None
    value = secrets.token_bytes(SECRET_BYTES)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(value.hex() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return value


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
