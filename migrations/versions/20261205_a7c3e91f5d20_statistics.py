"""statistics: copies on the case and covering indexes

Revision ID: a7c3e91f5d20
Revises: e7a1c3d5f913
Create Date: 2026-12-05 00:40:00.000000

The statistics (SPEC 2.15) read a year's cases from two covering indexes (received, closed)
and its offers from one on ``assignments.offered_at``; three facts that lived elsewhere are
copied onto the case so that one index holds them (docs/performance.md): the first presiding
offer, and the current outcome's satisfaction and performance. ``ix_cases_received_at`` is
replaced by the covering ``ix_cases_stats_received`` (same leading column).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c3e91f5d20"
down_revision: str | None = "e7a1c3d5f913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECEIVED_INCLUDE = [
    "channel",
    "respondent_agency_id",
    "intake_agency_id",
    "business_system",
    "outcome_type",
    "closed_at",
    "collective",
    "first_offered_at",
    "reconsideration_due_on",
    "litigation_due_on",
    "outer_limit_due_on",
]
CLOSED_INCLUDE = [
    "received_at",
    "channel",
    "respondent_agency_id",
    "intake_agency_id",
    "business_system",
    "outcome_type",
    "satisfaction_score",
    "performance_status",
]
OFFERED_INCLUDE = ["case_id", "lawyer_id", "role", "status", "responded_at", "decline_reason"]


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_offered_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("satisfaction_score", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("performance_status", sa.String(length=20), nullable=True))
    # Back-fill the copies from where they are kept.
    op.execute(
        "UPDATE cases SET first_offered_at = (SELECT min(a.offered_at) FROM assignments a"
        " WHERE a.case_id = cases.id AND a.role = 'presiding')"
    )
    op.execute(
        "UPDATE cases SET"
        " satisfaction_score = (SELECT o.satisfaction_score FROM case_outcomes o"
        "  WHERE o.case_id = cases.id AND o.reopened_at IS NULL"
        "  ORDER BY o.recorded_at DESC LIMIT 1),"
        " performance_status = (SELECT o.performance_status FROM case_outcomes o"
        "  WHERE o.case_id = cases.id AND o.reopened_at IS NULL"
        "  ORDER BY o.recorded_at DESC LIMIT 1)"
        " WHERE status = 'closed'"
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_received_at")
        batch_op.create_index(
            "ix_cases_stats_received",
            ["received_at"],
            unique=False,
            postgresql_include=RECEIVED_INCLUDE,
        )
        batch_op.create_index(
            "ix_cases_stats_closed", ["closed_at"], unique=False, postgresql_include=CLOSED_INCLUDE
        )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignments_stats_offered",
            ["offered_at"],
            unique=False,
            postgresql_include=OFFERED_INCLUDE,
        )
    with op.batch_alter_table("case_outcomes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_outcomes_reopened",
            ["case_id"],
            unique=False,
            postgresql_where=sa.text("reopened_at IS NOT NULL"),
            sqlite_where=sa.text("reopened_at IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("case_outcomes", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_case_outcomes_reopened",
            postgresql_where=sa.text("reopened_at IS NOT NULL"),
            sqlite_where=sa.text("reopened_at IS NOT NULL"),
        )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_stats_offered")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_stats_closed")
        batch_op.drop_index("ix_cases_stats_received")
        batch_op.create_index("ix_cases_received_at", ["received_at"], unique=False)
        batch_op.drop_column("performance_status")
        batch_op.drop_column("satisfaction_score")
        batch_op.drop_column("first_offered_at")
