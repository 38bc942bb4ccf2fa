"""Technician sessions get an installation column, so the desk finds an
installation's sessions by an indexed equality instead of a LIKE over every
stored document of the provider.

The column is filled from each stored document's ``upload.installation_id``
(parsed in Python, so SQLite and PostgreSQL take the same path; rows whose
document has none keep NULL and simply match no installation).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_INSTALLATION = re.compile(r"[0-9a-f]{8,64}")
_BATCH = 1000


def _installation_of(document: str) -> str | None:
    try:
        found = json.loads(document).get("upload", {}).get("installation_id")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, str) and _INSTALLATION.fullmatch(found) else None


def backfill(bind: sa.Connection) -> None:
    """Fill ``installation_id`` of rows stored before this revision, in key order."""
    sessions = sa.table(
        "tech_sessions",
        sa.column("provider", sa.String),
        sa.column("id", sa.String),
        sa.column("document", sa.Text),
        sa.column("installation_id", sa.String),
    )
    after: tuple[str, str] = ("", "")
    while True:
        rows = bind.execute(
            sa.select(sessions.c.provider, sessions.c.id, sessions.c.document)
            .where(sa.tuple_(sessions.c.provider, sessions.c.id) > sa.tuple_(*after))
            .order_by(sessions.c.provider, sessions.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        updates = [
            {"p": p, "i": i, "inst": inst}
            for p, i, doc in rows
            if (inst := _installation_of(doc)) is not None
        ]
        if updates:
            bind.execute(
                sa.update(sessions)
                .where(sessions.c.provider == sa.bindparam("p"), sessions.c.id == sa.bindparam("i"))
                .values(installation_id=sa.bindparam("inst")),
                updates,
            )
        after = (rows[-1][0], rows[-1][1])


def upgrade() -> None:
    op.add_column("tech_sessions", sa.Column("installation_id", sa.String(64), nullable=True))
    backfill(op.get_bind())
    op.create_index(
        "tech_sessions_installation",
        "tech_sessions",
        ["provider", "installation_id", "received_at"],
    )


def downgrade() -> None:
    op.drop_index("tech_sessions_installation", "tech_sessions")
    op.drop_column("tech_sessions", "installation_id")
