from __future__ import annotations

from homecare.collector.cli import main

raise SystemExit(main())
