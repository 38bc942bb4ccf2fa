"""``python -m homecare`` and the ``homecare`` console script."""

from __future__ import annotations

import sys


def main() -> None:
    from homecare.cli.app import run

    sys.exit(run())


if __name__ == "__main__":
    main()
