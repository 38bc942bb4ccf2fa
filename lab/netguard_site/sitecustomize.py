"""Start-up hook of Python programs the test suite runs: guard their sockets too.

The root ``conftest.py`` puts this folder on ``PYTHONPATH`` for the children
of the test process; outside a test run (no ``HOMECARE_NETGUARD``) it does
nothing. It never fails a start-up: a guard that cannot load is not a reason
for the program under test to behave differently.
"""

from __future__ import annotations

import os

try:
    import homecare_netguard
except ImportError:  # pragma: no cover (the folder is on the path with this file)
    pass
else:
    homecare_netguard.install_from_environment(os.environ)
