"""Activities public lawyers record outside dispatched cases (SPEC 2.11), and the lawyers each
is credited to.

Revision ID: b3d1f7a2c9e4
Revises: a7c3e91f5d20
Create Date: 2026-12-05 18:32:47.441895
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db.types

revision: str = "b3d1f7a2c9e4"
down_revision: str | None = "a7c3e91f5d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "activities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=4000), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("hours", sa.Float(), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("venue_type", sa.String(length=20), nullable=True),
        sa.Column("campaign", sa.String(length=20), nullable=False),
        sa.Column("publication", sa.String(length=500), nullable=True),
        sa.Column("mediation_role", sa.String(length=20), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_by_lawyer_id", sa.Uuid(), nullable=True),
        sa.Column("status_note", sa.String(length=500), nullable=True),
        sa.Column("decided_at", app.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "hours IS NULL OR (hours >= 0 AND hours <= 24)", name=op.f("ck_activities_hours")
        ),
        sa.CheckConstraint(
            "participants IS NULL OR participants >= 0", name=op.f("ck_activities_participants")
        ),
        sa.CheckConstraint("quantity BETWEEN 1 AND 10000", name=op.f("ck_activities_quantity")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_activities_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activities_agency_occurred", ["agency_id", "occurred_on"], unique=False
        )

    op.create_table(
        "activity_lawyers",
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("lawyer_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_lawyers_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lawyer_id"], ["lawyers.id"], name=op.f("fk_activity_lawyers_lawyer_id_lawyers")
        ),
        sa.PrimaryKeyConstraint("activity_id", "lawyer_id", name=op.f("pk_activity_lawyers")),
    )
    with op.batch_alter_table("activity_lawyers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_lawyers_lawyer", ["lawyer_id", "activity_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("activity_lawyers", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_lawyers_lawyer")

    op.drop_table("activity_lawyers")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_agency_occurred")

    op.drop_table("activities")
