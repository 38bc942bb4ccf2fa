"""Speed-test servers homecare can test against: LibreSpeed and the speedtest.net protocol.

They run in the virtual home's provider namespace for end-to-end tests and
will be served by the provider's collector, so they live in the product package.
"""

from __future__ import annotations
