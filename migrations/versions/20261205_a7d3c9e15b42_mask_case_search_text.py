"""mask identity and phone numbers in the searched case texts

Revision ID: a7d3c9e15b42
Revises: a7c3e91f4b02
Create Date: 2026-12-05 00:20:00.000000

The list's text search (``q``) reads a case's title, facts and claims, and its index holds
every pair of their characters; a number written into them could be confirmed by searching
for it although every response masks it (SPEC 3). New and corrected cases are stored masked
(app/domain/cases/intake.py: ``searchable_text``); this masks the cases already stored, with
the same function, a batch of rows at a time, writing only the rows that change. The clear
numbers are not kept anywhere, so the downgrade cannot restore them and leaves the texts as
they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.domain.common.masking import mask_sensitive_text

revision: str = "a7d3c9e15b42"
down_revision: str | None = "a7c3e91f4b02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
_cases = sa.table(
    "cases",
    sa.column("id", sa.Uuid()),
    sa.column("title", sa.Text()),
    sa.column("facts", sa.Text()),
    sa.column("claims", sa.Text()),
)


def upgrade() -> None:
    bind = op.get_bind()
    last = None
    while True:
        query = sa.select(_cases.c.id, _cases.c.title, _cases.c.facts, _cases.c.claims)
        if last is not None:
            query = query.where(_cases.c.id > last)
        rows = bind.execute(query.order_by(_cases.c.id).limit(BATCH)).all()
        if not rows:
            return
        for row in rows:
            masked = {
                name: mask_sensitive_text(value)
                for name, value in (
                    ("title", row.title),
                    ("facts", row.facts),
                    ("claims", row.claims),
                )
                if value is not None and mask_sensitive_text(value) != value
            }
            if masked:
                bind.execute(_cases.update().where(_cases.c.id == row.id).values(**masked))
        last = rows[-1].id


def downgrade() -> None:
    pass  # the clear numbers are gone (see above)
