"""calendar as data, the act's remedy facts, deadline notice, repeat_honour_threshold

Revision ID: a7c3e91d5f20
Revises: 5b2f0c81d7e4
Create Date: 2026-12-05 00:30:00.000000

The working-day calendar moves from a file in the code to the ``calendar_years`` table,
seeded here with the State Council notices of 2022–2026 (a copy frozen in this migration, so
that a new database counts correctly right after ``adr migrate``). Later years are loaded by
an admin (``PUT /api/v1/calendar/{year}``). The cases gain the facts the other deadline paths
need and how the applicant was told; policy versions gain ``repeat_honour_threshold``.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import uuid4

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import app.db.types

revision: str = "a7c3e91d5f20"
down_revision: str | None = "5b2f0c81d7e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SEED_YEARS: list[tuple[int, list[str], list[str], str]] = [
    (
        2022,
        [
            "2022-01-01",
            "2022-01-02",
            "2022-01-03",
            "2022-01-31",
            "2022-02-01",
            "2022-02-02",
            "2022-02-03",
            "2022-02-04",
            "2022-02-05",
            "2022-02-06",
            "2022-04-03",
            "2022-04-04",
            "2022-04-05",
            "2022-04-30",
            "2022-05-01",
            "2022-05-02",
            "2022-05-03",
            "2022-05-04",
            "2022-06-03",
            "2022-06-04",
            "2022-06-05",
            "2022-09-10",
            "2022-09-11",
            "2022-09-12",
            "2022-10-01",
            "2022-10-02",
            "2022-10-03",
            "2022-10-04",
            "2022-10-05",
            "2022-10-06",
            "2022-10-07",
            "2022-12-31",
        ],
        [
            "2022-01-29",
            "2022-01-30",
            "2022-04-02",
            "2022-04-24",
            "2022-05-07",
            "2022-10-08",
            "2022-10-09",
        ],
        "国务院办公厅关于2022年部分节假日安排的通知 (国办发明电〔2021〕11号, 2021-10-25)",
    ),
    (
        2023,
        [
            "2023-01-01",
            "2023-01-02",
            "2023-01-21",
            "2023-01-22",
            "2023-01-23",
            "2023-01-24",
            "2023-01-25",
            "2023-01-26",
            "2023-01-27",
            "2023-04-05",
            "2023-04-29",
            "2023-04-30",
            "2023-05-01",
            "2023-05-02",
            "2023-05-03",
            "2023-06-22",
            "2023-06-23",
            "2023-06-24",
            "2023-09-29",
            "2023-09-30",
            "2023-10-01",
            "2023-10-02",
            "2023-10-03",
            "2023-10-04",
            "2023-10-05",
            "2023-10-06",
        ],
        [
            "2023-01-28",
            "2023-01-29",
            "2023-04-23",
            "2023-05-06",
            "2023-06-25",
            "2023-10-07",
            "2023-10-08",
        ],
        "国务院办公厅关于2023年部分节假日安排的通知 (国办发明电〔2022〕16号, 2022-12-08)",
    ),
    (
        2024,
        [
            "2024-01-01",
            "2024-02-10",
            "2024-02-11",
            "2024-02-12",
            "2024-02-13",
            "2024-02-14",
            "2024-02-15",
            "2024-02-16",
            "2024-02-17",
            "2024-04-04",
            "2024-04-05",
            "2024-04-06",
            "2024-05-01",
            "2024-05-02",
            "2024-05-03",
            "2024-05-04",
            "2024-05-05",
            "2024-06-10",
            "2024-09-15",
            "2024-09-16",
            "2024-09-17",
            "2024-10-01",
            "2024-10-02",
            "2024-10-03",
            "2024-10-04",
            "2024-10-05",
            "2024-10-06",
            "2024-10-07",
        ],
        [
            "2024-02-04",
            "2024-02-18",
            "2024-04-07",
            "2024-04-28",
            "2024-05-11",
            "2024-09-14",
            "2024-09-29",
            "2024-10-12",
        ],
        "国务院办公厅关于2024年部分节假日安排的通知 (国办发明电〔2023〕7号, 2023-10-25)",
    ),
    (
        2025,
        [
            "2025-01-01",
            "2025-01-28",
            "2025-01-29",
            "2025-01-30",
            "2025-01-31",
            "2025-02-01",
            "2025-02-02",
            "2025-02-03",
            "2025-02-04",
            "2025-04-04",
            "2025-04-05",
            "2025-04-06",
            "2025-05-01",
            "2025-05-02",
            "2025-05-03",
            "2025-05-04",
            "2025-05-05",
            "2025-05-31",
            "2025-06-01",
            "2025-06-02",
            "2025-10-01",
            "2025-10-02",
            "2025-10-03",
            "2025-10-04",
            "2025-10-05",
            "2025-10-06",
            "2025-10-07",
            "2025-10-08",
        ],
        ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
        "国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12)",
    ),
    (
        2026,
        [
            "2026-01-01",
            "2026-01-02",
            "2026-01-03",
            "2026-02-15",
            "2026-02-16",
            "2026-02-17",
            "2026-02-18",
            "2026-02-19",
            "2026-02-20",
            "2026-02-21",
            "2026-02-22",
            "2026-02-23",
            "2026-04-04",
            "2026-04-05",
            "2026-04-06",
            "2026-05-01",
            "2026-05-02",
            "2026-05-03",
            "2026-05-04",
            "2026-05-05",
            "2026-06-19",
            "2026-06-20",
            "2026-06-21",
            "2026-09-25",
            "2026-09-26",
            "2026-09-27",
            "2026-10-01",
            "2026-10-02",
            "2026-10-03",
            "2026-10-04",
            "2026-10-05",
            "2026-10-06",
            "2026-10-07",
        ],
        ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
        "国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号, 2025-11-04)",
    ),
]


def upgrade() -> None:
    calendar = op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "holidays",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "working_weekends",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("revision", sa.String(length=32), nullable=False),
        sa.Column("updated_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        calendar,
        [
            {
                "year": year,
                "holidays": holidays,
                "working_weekends": weekends,
                "source": source,
                "revision": uuid4().hex,
                "updated_at": now,
                "updated_by": "migration",
            }
            for year, holidays, weekends, source in _SEED_YEARS
        ],
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "act_remedy_notice_given", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
        batch_op.add_column(sa.Column("act_applied_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("act_performance_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("act_refused", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "act_reconsideration_first",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
        batch_op.add_column(
            sa.Column("deadlines_notified_how", sa.String(length=20), nullable=True)
        )
    # Cases of inaction taken in before this revision: reconsideration first is their default.
    op.execute(
        sa.text(
            "UPDATE cases SET act_reconsideration_first = :yes WHERE act_type = 'inaction'"
        ).bindparams(yes=True)
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("act_remedy_notice_given", server_default=None)
        batch_op.alter_column("act_reconsideration_first", server_default=None)
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("repeat_honour_threshold", sa.Integer(), nullable=False, server_default="2")
        )
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.alter_column("repeat_honour_threshold", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.drop_column("repeat_honour_threshold")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("deadlines_notified_how")
        batch_op.drop_column("act_reconsideration_first")
        batch_op.drop_column("act_refused")
        batch_op.drop_column("act_performance_due_on")
        batch_op.drop_column("act_applied_on")
        batch_op.drop_column("act_remedy_notice_given")
    op.drop_table("calendar_years")
