"""lawyer open assignments: a count kept with the lawyer

Revision ID: a3d5f7b9c1e2
Revises: f4b8c2e6a1d3
Create Date: 2026-12-06 12:00:00

Dispatch ranks and caps lawyers by their open assignments (offered, conflict_reported or
accepted, on cases not closed; SPEC 2.7). Counting them on every dispatch grew with every
lawyer's history (docs/performance.md, issue 16); the count is now kept with the lawyer:

- ``lawyers.open_assignments``: the count as of the last fold, backfilled here;
- ``lawyer_open_changes``: +1/-1 rows appended by triggers on both databases in the very
  transaction that changes what counts: an assignment inserted, deleted or moved into or out
  of the open statuses, a case closed or reopened (its open assignments stop or start
  counting). Every code path and every bulk SQL statement keeps the count right;
- the next dispatch that holds the lawyer's lock folds their changes into the column.

The triggers append rather than update the lawyer's row, so that answering an offer, closing
a case or an expiry sweep takes no lock on a lawyer: they hold case and assignment locks,
and a lawyer's lock taken after them (or two lawyers' in a random order) could deadlock
with a dispatch, which locks the case, then the lawyer.

Each trigger reads the other table's state in its own transaction: the writers of an
assignment hold its case's row lock (docs/concurrency.md), so a case and its assignments never
change in two transactions at once. On SQLite a table rebuilt by batch mode loses its
triggers: a later migration that rebuilds ``assignments`` or ``cases`` must create them again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a3d5f7b9c1e2"
down_revision: str | None = "f4b8c2e6a1d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# app.states.assignment.OPEN_STATUSES and CaseStatus.CLOSED, as stored.
OPEN = "('offered', 'conflict_reported', 'accepted')"
CLOSED = "'closed'"


def _counts(row: str) -> str:
    """Whether the assignment ``row`` (OLD or NEW) counts toward its lawyer's capacity."""
    where = f"(SELECT status FROM cases WHERE id = {row}.case_id)"  # noqa: S608 (constants)
    return f"{row}.status IN {OPEN} AND {where} <> {CLOSED}"


BACKFILL = f"""
UPDATE lawyers SET open_assignments = (
    SELECT count(*) FROM assignments a JOIN cases c ON c.id = a.case_id
    WHERE a.lawyer_id = lawyers.id AND a.status IN {OPEN} AND c.status <> {CLOSED}
)
"""  # noqa: S608 (constants of this module only)

# A case closing (reopening) takes (gives back) a place from each lawyer per open assignment.
CASE_CHANGES = f"""
INSERT INTO lawyer_open_changes (lawyer_id, delta)
SELECT lawyer_id, CASE WHEN NEW.status = {CLOSED} THEN -count(*) ELSE count(*) END
FROM assignments WHERE case_id = NEW.id AND status IN {OPEN}
GROUP BY lawyer_id
"""  # noqa: S608 (constants of this module only)

POSTGRESQL_UP = f"""
CREATE FUNCTION adr_lawyer_open_on_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN {OPEN} THEN
        IF (SELECT status FROM cases WHERE id = OLD.case_id) <> {CLOSED} THEN
            INSERT INTO lawyer_open_changes (lawyer_id, delta) VALUES (OLD.lawyer_id, -1);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN {OPEN} THEN
        IF (SELECT status FROM cases WHERE id = NEW.case_id) <> {CLOSED} THEN
            INSERT INTO lawyer_open_changes (lawyer_id, delta) VALUES (NEW.lawyer_id, 1);
        END IF;
    END IF;
    RETURN NULL;
END
$$

CREATE FUNCTION adr_lawyer_open_on_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {CASE_CHANGES.strip()};
    RETURN NULL;
END
$$

CREATE TRIGGER trg_assignments_lawyer_open_insert AFTER INSERT ON assignments
FOR EACH ROW WHEN (NEW.status IN {OPEN})
EXECUTE FUNCTION adr_lawyer_open_on_assignment()

CREATE TRIGGER trg_assignments_lawyer_open_update
AFTER UPDATE OF status, lawyer_id, case_id ON assignments
FOR EACH ROW WHEN (
    (OLD.status IN {OPEN}) IS DISTINCT FROM (NEW.status IN {OPEN})
    OR (NEW.status IN {OPEN} AND (OLD.lawyer_id <> NEW.lawyer_id OR OLD.case_id <> NEW.case_id))
)
EXECUTE FUNCTION adr_lawyer_open_on_assignment()

CREATE TRIGGER trg_assignments_lawyer_open_delete AFTER DELETE ON assignments
FOR EACH ROW WHEN (OLD.status IN {OPEN})
EXECUTE FUNCTION adr_lawyer_open_on_assignment()

CREATE TRIGGER trg_cases_lawyer_open AFTER UPDATE OF status ON cases
FOR EACH ROW WHEN ((OLD.status = {CLOSED}) IS DISTINCT FROM (NEW.status = {CLOSED}))
EXECUTE FUNCTION adr_lawyer_open_on_case()
"""  # noqa: S608 (constants of this module only)

POSTGRESQL_DOWN = """
DROP TRIGGER IF EXISTS trg_cases_lawyer_open ON cases
DROP TRIGGER IF EXISTS trg_assignments_lawyer_open_delete ON assignments
DROP TRIGGER IF EXISTS trg_assignments_lawyer_open_update ON assignments
DROP TRIGGER IF EXISTS trg_assignments_lawyer_open_insert ON assignments
DROP FUNCTION IF EXISTS adr_lawyer_open_on_case()
DROP FUNCTION IF EXISTS adr_lawyer_open_on_assignment()
"""

SQLITE_UP = f"""
CREATE TRIGGER trg_assignments_lawyer_open_insert AFTER INSERT ON assignments
WHEN {_counts("NEW")}
BEGIN
    INSERT INTO lawyer_open_changes (lawyer_id, delta) VALUES (NEW.lawyer_id, 1);
END

CREATE TRIGGER trg_assignments_lawyer_open_update
AFTER UPDATE OF status, lawyer_id, case_id ON assignments
WHEN (OLD.status IN {OPEN}) <> (NEW.status IN {OPEN})
    OR (NEW.status IN {OPEN} AND (OLD.lawyer_id <> NEW.lawyer_id OR OLD.case_id <> NEW.case_id))
BEGIN
    INSERT INTO lawyer_open_changes (lawyer_id, delta)
    SELECT OLD.lawyer_id, -1 WHERE {_counts("OLD")};
    INSERT INTO lawyer_open_changes (lawyer_id, delta)
    SELECT NEW.lawyer_id, 1 WHERE {_counts("NEW")};
END

CREATE TRIGGER trg_assignments_lawyer_open_delete AFTER DELETE ON assignments
WHEN {_counts("OLD")}
BEGIN
    INSERT INTO lawyer_open_changes (lawyer_id, delta) VALUES (OLD.lawyer_id, -1);
END

CREATE TRIGGER trg_cases_lawyer_open AFTER UPDATE OF status ON cases
WHEN (OLD.status = {CLOSED}) <> (NEW.status = {CLOSED})
BEGIN
    {CASE_CHANGES.strip()};
END
"""  # noqa: S608 (constants of this module only)

SQLITE_DOWN = """
DROP TRIGGER IF EXISTS trg_cases_lawyer_open
DROP TRIGGER IF EXISTS trg_assignments_lawyer_open_delete
DROP TRIGGER IF EXISTS trg_assignments_lawyer_open_update
DROP TRIGGER IF EXISTS trg_assignments_lawyer_open_insert
"""


def _statements(script: str) -> list[str]:
    """The script's statements: one per paragraph (asyncpg prepares one at a time)."""
    return [block.strip() for block in script.split("\n\n") if block.strip()]


def upgrade() -> None:
    with op.batch_alter_table("lawyers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("open_assignments", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "lawyer_open_changes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("lawyer_id", sa.Uuid(), nullable=False),
        sa.Column("delta", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lawyer_open_changes")),
    )
    with op.batch_alter_table("lawyer_open_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lawyer_open_changes_lawyer_id",
            ["lawyer_id"],
            unique=False,
            postgresql_include=["delta"],
        )
    script = POSTGRESQL_UP if op.get_bind().dialect.name == "postgresql" else SQLITE_UP
    for statement in _statements(script):
        op.execute(statement)
    # In the same transaction as the triggers: no change can slip in between.
    op.execute(BACKFILL)


def downgrade() -> None:
    script = POSTGRESQL_DOWN if op.get_bind().dialect.name == "postgresql" else SQLITE_DOWN
    for statement in script.strip().splitlines():
        op.execute(statement)
    with op.batch_alter_table("lawyer_open_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_lawyer_open_changes_lawyer_id", postgresql_include=["delta"])
    op.drop_table("lawyer_open_changes")
    with op.batch_alter_table("lawyers", schema=None) as batch_op:
        batch_op.drop_column("open_assignments")
