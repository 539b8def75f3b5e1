"""lawyer last offered at: the time of the latest offer, kept with the lawyer

Revision ID: c6e8a0b2d4f6
Revises: b5c7d9e1f3a4
Create Date: 2026-12-06 09:00:00

Dispatch ranks lawyers with equal loads by how long since their last offer (SPEC 2.7). It
read that as ``max(offered_at)`` over each lawyer's assignments, a probe of an index per
lawyer on every dispatch: ~0.3 ms of the server's time in a 0.86 ms statement for a pool of
76 (docs/performance.md, issue 16). It is now kept on the lawyer's row:

- ``lawyers.last_offered_at``, backfilled here from the assignments;
- a trigger on both databases moves it forward whenever an assignment is inserted (or its
  offer time or lawyer changes) with a later offer time. It never moves back: assignments
  are history and are not deleted.

The trigger updates the lawyer's row, which the dispatch inserting the assignment already
holds (``lock_lawyer`` comes before every offer), so it takes no lock of its own there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c6e8a0b2d4f6"
down_revision: str | None = "b5c7d9e1f3a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
UPDATE lawyers SET last_offered_at = (
    SELECT max(a.offered_at) FROM assignments a WHERE a.lawyer_id = lawyers.id
)
"""

# Forward only. On SQLite the times are stored as fixed-width text, so they compare as text.
MOVE_FORWARD = """
UPDATE lawyers SET last_offered_at = NEW.offered_at
WHERE id = NEW.lawyer_id AND (last_offered_at IS NULL OR last_offered_at < NEW.offered_at)
"""

POSTGRESQL_UP = f"""
CREATE FUNCTION adr_lawyer_last_offered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {MOVE_FORWARD.strip()};
    RETURN NULL;
END
$$

CREATE TRIGGER trg_assignments_last_offered AFTER INSERT OR UPDATE OF offered_at, lawyer_id
ON assignments FOR EACH ROW WHEN (NEW.offered_at IS NOT NULL)
EXECUTE FUNCTION adr_lawyer_last_offered()
"""

POSTGRESQL_DOWN = """
DROP TRIGGER IF EXISTS trg_assignments_last_offered ON assignments
DROP FUNCTION IF EXISTS adr_lawyer_last_offered()
"""

SQLITE_UP = f"""
CREATE TRIGGER trg_assignments_last_offered_insert AFTER INSERT ON assignments
WHEN NEW.offered_at IS NOT NULL
BEGIN
    {MOVE_FORWARD.strip()};
END

CREATE TRIGGER trg_assignments_last_offered_update
AFTER UPDATE OF offered_at, lawyer_id ON assignments
WHEN NEW.offered_at IS NOT NULL
BEGIN
    {MOVE_FORWARD.strip()};
END
"""

SQLITE_DOWN = """
DROP TRIGGER IF EXISTS trg_assignments_last_offered_update
DROP TRIGGER IF EXISTS trg_assignments_last_offered_insert
"""


def _statements(script: str) -> list[str]:
    """The script's statements: one per paragraph (asyncpg prepares one at a time)."""
    return [block.strip() for block in script.split("\n\n") if block.strip()]


def upgrade() -> None:
    with op.batch_alter_table("lawyers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_offered_at", sa.DateTime(timezone=True)))
    script = POSTGRESQL_UP if op.get_bind().dialect.name == "postgresql" else SQLITE_UP
    for statement in _statements(script):
        op.execute(statement)
    # In the same transaction as the trigger: no offer can slip in between.
    op.execute(BACKFILL)


def downgrade() -> None:
    script = POSTGRESQL_DOWN if op.get_bind().dialect.name == "postgresql" else SQLITE_DOWN
    for statement in script.strip().splitlines():
        op.execute(statement)
    with op.batch_alter_table("lawyers", schema=None) as batch_op:
        batch_op.drop_column("last_offered_at")
