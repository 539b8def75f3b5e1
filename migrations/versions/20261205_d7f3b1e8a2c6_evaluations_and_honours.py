"""Annual evaluation rounds and the honours they award (SPEC 2.14).

Revision ID: d7f3b1e8a2c6
Revises: c5e2a9d4f7b1
Create Date: 2026-12-05 19:41:34.144609
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db.types

revision: str = "d7f3b1e8a2c6"
down_revision: str | None = "c5e2a9d4f7b1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "evaluations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("organizer_region_code", sa.String(length=6), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.Column("closed_at", app.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
    )
    op.create_table(
        "honours",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("evaluation_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("lawyer_id", sa.Uuid(), nullable=True),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("awarded_by", sa.String(length=200), nullable=False),
        sa.Column("awarded_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'advanced_individual' AND lawyer_id IS NOT NULL) OR (kind = 'advanced_unit' AND lawyer_id IS NULL)",
            name=op.f("ck_honours_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_honours_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"], ["evaluations.id"], name=op.f("fk_honours_evaluation_id_evaluations")
        ),
        sa.ForeignKeyConstraint(
            ["lawyer_id"], ["lawyers.id"], name=op.f("fk_honours_lawyer_id_lawyers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_honours")),
        sa.UniqueConstraint(
            "evaluation_id",
            "kind",
            "subject_id",
            name=op.f("uq_honours_evaluation_id_kind_subject_id"),
        ),
    )
    with op.batch_alter_table("honours", schema=None) as batch_op:
        batch_op.create_index("ix_honours_agency_year", ["agency_id", "year"], unique=False)
        batch_op.create_index("ix_honours_lawyer_kind", ["lawyer_id", "kind", "year"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("honours", schema=None) as batch_op:
        batch_op.drop_index("ix_honours_lawyer_kind")
        batch_op.drop_index("ix_honours_agency_year")

    op.drop_table("honours")
    op.drop_table("evaluations")
