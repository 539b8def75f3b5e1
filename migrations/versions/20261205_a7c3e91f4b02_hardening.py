"""hardening: keyed audit chain, failed-authentication tallies, expiring API keys

Revision ID: a7c3e91f4b02
Revises: 7a3c9e5d1b42
Create Date: 2026-12-05 00:30:00.000000

- ``audit_records.chain_version``: records sealed so far were chained by plain SHA-256 and
  are marked 1 (the column is added with that default, which fills existing rows without
  an UPDATE, so the append-only trigger is not involved); the sealer writes 2 (HMAC-SHA256
  under ``ADR_AUDIT_KEY``) from now on, the first keyed record linking to the last legacy
  hash (docs/security.md).
- ``failed_authentication_tallies``: one row per client address and minute.
- ``api_keys.expires_at``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db.types

revision: str = "a7c3e91f4b02"
down_revision: str | None = "7a3c9e5d1b42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The default fills existing rows without an UPDATE (the trigger would refuse one);
        # then it goes: new rows get their version from the sealer.
        op.add_column(
            "audit_records", sa.Column("chain_version", sa.SmallInteger(), server_default="1")
        )
        op.alter_column("audit_records", "chain_version", server_default=None)
    else:
        # SQLite has no trigger, and recreating the table (batch mode) would lose its
        # partial index: a plain ADD COLUMN and UPDATE.
        op.add_column("audit_records", sa.Column("chain_version", sa.SmallInteger()))
        op.execute("UPDATE audit_records SET chain_version = 1 WHERE hash IS NOT NULL")
    op.create_table(
        "failed_authentication_tallies",
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("minute", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_request_id", sa.String(length=64), nullable=True),
        sa.Column("last_code", sa.String(length=40), nullable=False),
        sa.Column("last_path", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint(
            "client_address", "minute", name=op.f("pk_failed_authentication_tallies")
        ),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expires_at", app.db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    op.drop_table("failed_authentication_tallies")
    op.drop_column("audit_records", "chain_version")
