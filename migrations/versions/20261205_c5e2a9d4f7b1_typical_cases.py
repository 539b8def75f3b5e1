"""Typical-case selections and decisions (SPEC 2.13), and the de-identified title and summary
a nomination carries.

Revision ID: c5e2a9d4f7b1
Revises: b3d1f7a2c9e4
Create Date: 2026-12-05 18:50:57.157398
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db.types

revision: str = "c5e2a9d4f7b1"
down_revision: str | None = "b3d1f7a2c9e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "typical_case_selections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("nominations_from", sa.Date(), nullable=False),
        sa.Column("nominations_to", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", app.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "nominations_to >= nominations_from", name=op.f("ck_typical_case_selections_window")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_typical_case_selections")),
    )
    op.create_table(
        "typical_case_decisions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("selection_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_typical_case_decisions_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["selection_id"],
            ["typical_case_selections.id"],
            name=op.f("fk_typical_case_decisions_selection_id_typical_case_selections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_typical_case_decisions")),
        sa.UniqueConstraint(
            "selection_id", "case_id", name=op.f("uq_typical_case_decisions_selection_id_case_id")
        ),
    )
    with op.batch_alter_table("typical_case_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_typical_case_decisions_case_id"), ["case_id"], unique=False
        )

    with op.batch_alter_table("case_outcomes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("typical_title", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("typical_summary", sa.Text(), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("case_outcomes", schema=None) as batch_op:
        batch_op.drop_column("typical_summary")
        batch_op.drop_column("typical_title")

    with op.batch_alter_table("typical_case_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_typical_case_decisions_case_id"))

    op.drop_table("typical_case_decisions")
    op.drop_table("typical_case_selections")
