"""offer counts on the lawyer's row: a new assignment moves its lawyer's count directly

Revision ID: e8b0d2f4a6c8
Revises: d7f9b1c3e5a7
Create Date: 2026-12-06 12:00:00

A new open assignment appended +1 to ``lawyer_open_changes`` (migration a3d5f7b9c1e2), and
the next dispatch to that lawyer folded it, deleting the row. Under steady dispatching that
was an insert and a delete per offer in a table every dispatch reads for every lawyer of
the pool: its index filled with dead entries faster than vacuum could clear them, and the
candidates statement read ~5,400 buffers under load (2.5-3.4 ms of the server's time)
against ~190 at rest (docs/performance.md, issue 16).

An assignment is only ever inserted by a dispatch holding its lawyer's row lock (the order
is case, lawyer, assignment), and the lawyer's row was already updated by the insert's own
trigger (``last_offered_at``, migration c6e8a0b2d4f6). So that one update now also adds the
+1, and no change row is written: one new version of the lawyer's row per offer, none of the
changes table. Answering, expiring, and closing or reopening a case still append their
changes without a lawyer's lock, as before; the count stays ``open_assignments`` plus the
pending changes.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e8b0d2f4a6c8"
down_revision: str | None = "d7f9b1c3e5a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# app.states.assignment.OPEN_STATUSES and CaseStatus.CLOSED, as stored.
OPEN = "('offered', 'conflict_reported', 'accepted')"
CLOSED = "'closed'"
# Whether the new assignment counts toward its lawyer's capacity; whether it is their latest
# offer (forward only; on SQLite the times are fixed-width text and compare as text).
COUNTS = f"NEW.status IN {OPEN} AND (SELECT status FROM cases WHERE id = NEW.case_id) <> {CLOSED}"  # noqa: S608
LATER = (
    "NEW.offered_at IS NOT NULL AND (last_offered_at IS NULL OR last_offered_at < NEW.offered_at)"
)

POSTGRESQL_UP = f"""
CREATE FUNCTION adr_lawyer_on_new_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    counts boolean;
BEGIN
    counts := {COUNTS};
    UPDATE lawyers SET
        open_assignments = open_assignments + CASE WHEN counts THEN 1 ELSE 0 END,
        last_offered_at = CASE WHEN {LATER} THEN NEW.offered_at ELSE last_offered_at END
    WHERE id = NEW.lawyer_id AND (counts OR {LATER});
    RETURN NULL;
END
$$

DROP TRIGGER trg_assignments_lawyer_open_insert ON assignments

DROP TRIGGER trg_assignments_last_offered ON assignments

CREATE TRIGGER trg_assignments_last_offered AFTER UPDATE OF offered_at, lawyer_id
ON assignments FOR EACH ROW WHEN (NEW.offered_at IS NOT NULL)
EXECUTE FUNCTION adr_lawyer_last_offered()

CREATE TRIGGER trg_assignments_lawyer_on_insert AFTER INSERT ON assignments
FOR EACH ROW EXECUTE FUNCTION adr_lawyer_on_new_assignment()
"""  # noqa: S608 (constants of this module only)

POSTGRESQL_DOWN = f"""
DROP TRIGGER trg_assignments_lawyer_on_insert ON assignments

DROP TRIGGER trg_assignments_last_offered ON assignments

CREATE TRIGGER trg_assignments_last_offered AFTER INSERT OR UPDATE OF offered_at, lawyer_id
ON assignments FOR EACH ROW WHEN (NEW.offered_at IS NOT NULL)
EXECUTE FUNCTION adr_lawyer_last_offered()

CREATE TRIGGER trg_assignments_lawyer_open_insert AFTER INSERT ON assignments
FOR EACH ROW WHEN (NEW.status IN {OPEN})
EXECUTE FUNCTION adr_lawyer_open_on_assignment()

DROP FUNCTION adr_lawyer_on_new_assignment()
"""

SQLITE_UP = f"""
DROP TRIGGER trg_assignments_lawyer_open_insert

DROP TRIGGER trg_assignments_last_offered_insert

CREATE TRIGGER trg_assignments_lawyer_on_insert AFTER INSERT ON assignments
BEGIN
    UPDATE lawyers SET open_assignments = open_assignments + 1
    WHERE id = NEW.lawyer_id AND {COUNTS};
    UPDATE lawyers SET last_offered_at = NEW.offered_at
    WHERE id = NEW.lawyer_id AND {LATER};
END
"""  # noqa: S608 (constants of this module only)

SQLITE_DOWN = f"""
DROP TRIGGER trg_assignments_lawyer_on_insert

CREATE TRIGGER trg_assignments_last_offered_insert AFTER INSERT ON assignments
WHEN NEW.offered_at IS NOT NULL
BEGIN
    UPDATE lawyers SET last_offered_at = NEW.offered_at
    WHERE id = NEW.lawyer_id AND {LATER};
END

CREATE TRIGGER trg_assignments_lawyer_open_insert AFTER INSERT ON assignments
WHEN {COUNTS}
BEGIN
    INSERT INTO lawyer_open_changes (lawyer_id, delta) VALUES (NEW.lawyer_id, 1);
END
"""  # noqa: S608 (constants of this module only)


def _statements(script: str) -> list[str]:
    """The script's statements: one per paragraph (asyncpg prepares one at a time)."""
    return [block.strip() for block in script.split("\n\n") if block.strip()]


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in _statements(POSTGRESQL_UP if postgresql else SQLITE_UP):
        op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in _statements(POSTGRESQL_DOWN if postgresql else SQLITE_DOWN):
        op.execute(statement)
