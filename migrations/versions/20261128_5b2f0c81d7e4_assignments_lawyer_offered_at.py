"""assignments by lawyer and offer time

Revision ID: 5b2f0c81d7e4
Revises: c4e1a7d93b20
Create Date: 2026-11-28 17:08:00.000000

Dispatch ranks every candidate by their most recent offer (``max(offered_at)`` per lawyer);
with this index that is one step into the index per lawyer instead of reading their whole
history of assignments (docs/performance.md).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5b2f0c81d7e4"
down_revision: str | None = "c4e1a7d93b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignments_lawyer_offered_at", ["lawyer_id", "offered_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_lawyer_offered_at")
