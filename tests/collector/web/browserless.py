"""Logging in and looking around with httpx (no browser), for the security tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


@contextmanager
def login_client(base: str, token: str, language: str = "en") -> Iterator[httpx.Client]:
    """An httpx client holding a desk/console session cookie (or refused)."""
    # 30 s: the console's first page computes insights; on a loaded CI machine with
    # parallel workers one took over 10 s (a read timeout, not a wrong answer)
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as client:
        form = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf, form.text
        client.post("/login", data={"token": token, "csrf": csrf.group(1), "language": language})
        yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)
