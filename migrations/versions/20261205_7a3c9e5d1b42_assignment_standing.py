"""assignment: the agency head who ruled, the coordinator's withdrawal, reassignment flag

Revision ID: 7a3c9e5d1b42
Revises: a7c3e91d5f20
Create Date: 2026-12-05 01:00:00.000000

SPEC 2.7: a work-conflict ruling names the agency head who decided (Art. 9); a coordinator
may withdraw a live offer with a reason; accepted work of a lawyer who left active service
(certificate suspended or revoked, or deactivated) is flagged for the center to reassign.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a3c9e5d1b42"
down_revision: str | None = "a7c3e91d5f20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conflict_decided_by_head", sa.String(100), nullable=True))
        batch_op.add_column(sa.Column("withdraw_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("needs_reassignment", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("needs_reassignment")
        batch_op.drop_column("withdraw_reason")
        batch_op.drop_column("conflict_decided_by_head")
