"""The provider's collector: ingest anonymized uploads, look them up by support
code, and compute k-anonymous cohort insights.

Stateless by design: everything lives in the database (SQLite file by default,
PostgreSQL to scale out), so several instances can serve one PostgreSQL.
Install with the ``collector`` extra.
"""

from __future__ import annotations
