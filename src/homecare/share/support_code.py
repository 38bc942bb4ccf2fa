"""Support codes: what a customer reads out over the phone.

``HC-7KQ4-M2XA``: seven data characters and one check character from a
29-symbol alphabet without look-alikes (no 0/O, 1/I/L, 5/S, U/V pairs). 29 is
prime, so a weighted sum with distinct non-zero weights modulo 29 catches every
single substitution (w·Δ ≠ 0 mod p) and every adjacent transposition
((wᵢ − wᵢ₊₁)·Δ ≠ 0 mod p). The code is derived from the upload id, so the
client can show it at once, even while the upload still waits in the spool.
"""

from __future__ import annotations

import uuid

ALPHABET = "23456789ABCDEFGHJKMNPQRTVWXYZ"
BASE = len(ALPHABET)  # 29, prime
DATA_LENGTH = 7
PREFIX = "HC"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = tuple(range(1, DATA_LENGTH + 2))  # 1..8: distinct, non-zero mod 29


class InvalidSupportCode(ValueError):
    """The text is not a well-formed support code, or its check character is wrong."""


def check_char(data: str) -> str:
    total = sum(w * _INDEX[c] for w, c in zip(_WEIGHTS, data, strict=False))
    # choose c so that total + w_last * c ≡ 0 (mod 29)
    w_last = _WEIGHTS[len(data)]
    inverse = pow(w_last, -1, BASE)
    return ALPHABET[(-total * inverse) % BASE]


def from_upload_id(upload_id: str) -> str:
    """The support code of an upload, formatted ``HC-XXXX-XXXX``."""
    value = uuid.UUID(upload_id).int % BASE**DATA_LENGTH
    chars = []
    for _ in range(DATA_LENGTH):
        value, digit = divmod(value, BASE)
        chars.append(ALPHABET[digit])
    data = "".join(reversed(chars))
    return format_code(data + check_char(data))


def format_code(body: str) -> str:
    return f"{PREFIX}-{body[:4]}-{body[4:]}"


def parse(text: str) -> str:
    """The canonical ``HC-XXXX-XXXX`` form of *text*; tolerant of case, spaces,
    dashes and a missing ``HC`` prefix. Raises :class:`InvalidSupportCode`."""
    body = "".join(ch for ch in text.upper() if not ch.isspace() and ch not in "-_.")
    if len(body) == DATA_LENGTH + 1 + len(PREFIX) and body.startswith(PREFIX):
        body = body[len(PREFIX) :]
    if len(body) != DATA_LENGTH + 1:
        raise InvalidSupportCode(text)
    if any(ch not in _INDEX for ch in body):
        raise InvalidSupportCode(text)
    if check_char(body[:-1]) != body[-1]:
        raise InvalidSupportCode(text)
    return format_code(body)


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except InvalidSupportCode:
        return False
    return True
