"""``python -m homecare`` and the ``homecare`` console script."""

from __future__ import annotations

import sys


def main() -> None:
    # typer evaluates the help texts when the app is imported: pick the
    # language first (stdlib only, see homecare.cli.early_language).
    from homecare.cli.early_language import activate_early

    activate_early(sys.argv[1:])
    from homecare.cli.app import run

    sys.exit(run())


if __name__ == "__main__":
    main()
