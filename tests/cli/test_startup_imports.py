"""`homecare --help` must stay fast: command modules import only typer.

Heavy libraries (pydantic, scapy, zeroconf, speedtest, psutil, dnspython,
rich's big renderers) load inside the command bodies and probes that need
them; bench/startup.py measures the time, this test keeps the import graph
honest on every run.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pydantic", "scapy", "zeroconf", "speedtest", "psutil", "dns", "httpx", "sqlalchemy")


def test_cli_import_stays_light() -> None:
    code = (
        "import sys; import homecare.cli.app; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"imported at CLI start-up: {out} (move the import into the command body)"
