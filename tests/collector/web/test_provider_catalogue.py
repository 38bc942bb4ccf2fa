"""The desk shows the provider's own guidance when the collector is given the
provider's catalogue folders (the advice the customer actually saw)."""

from __future__ import annotations

from pathlib import Path

from homecare.collector.db import sqlite_url

from ..conftest import start_collector
from ..payloads import payload
from .browserless import login_client
from .conftest import upload

OVERRIDE = """
["wifi.signal.weak"]
[ "wifi.signal.weak".beginner ]
title = "ACME: your Wi-Fi signal is weak"
why = "ACME explains why."
steps = ["Plug in the ACME mesh point you received."]
"""


def test_desk_uses_the_provider_catalogue(tmp_path: Path) -> None:
    folder = tmp_path / "guidance"
    folder.mkdir()
    (folder / "en.toml").write_text(OVERRIDE, encoding="utf-8")
    c = start_collector(sqlite_url(str(tmp_path / "c.sqlite3")), rate_per_s=0,
                        catalogue_dirs=(str(folder),))  # fmt: skip
    try:
        body = payload(1)
        body["advice"] = {"skill": "beginner", "shown": [{"code": "wifi.signal.weak"}],
                          "tried": [{"code": "wifi.signal.weak", "steps": [1]}]}  # fmt: skip
        code = upload(c, body)
        with login_client(c.url, c.support) as desk:
            page = desk.get("/desk/", params={"code": code}).text
        assert "ACME: your Wi-Fi signal is weak" in page
        assert "Plug in the ACME mesh point you received." in page
    finally:
        c.server.stop()
        c.engine.dispose()
