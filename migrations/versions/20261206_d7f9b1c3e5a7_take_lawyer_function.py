"""take lawyer: a dispatch locks the first lawyer in rank with room, and no other

Revision ID: d7f9b1c3e5a7
Revises: c6e8a0b2d4f6
Create Date: 2026-12-06 11:00:00

An automatic dispatch locks lawyers in its rank until one has room (SPEC 2.7): first passing
over those a parallel dispatch holds, then, when all were held, waiting for them in rank. A
lawyer found full under the lock stayed locked to the end of the transaction, so a dispatch
could wait for one lawyer while holding another full one that a parallel dispatch was
waiting for: a deadlock, which PostgreSQL ends after a second by failing one of them (the
bench's baseline, which does the same, failed 30 of 8,243 dispatches so).

PostgreSQL has no statement that releases one row lock, but a row lock taken in a
subtransaction goes with it when the subtransaction is rolled back. ``adr_take_lawyer``
tries each lawyer in a PL/pgSQL block (one subtransaction), folds their pending open-count
changes and counts under the lock, and leaves the block by an exception when the lawyer is
full: that lawyer's lock (and the fold) is undone. A dispatch therefore holds at most the
one lawyer it offers the case to, and waits only while it holds no lawyer at all: no cycle
can form. It is one round trip for what took two or more (lock, then count, per lawyer).

``adr_fold_open_assignments`` (which ``open_assignments_locked`` calls too) folds a locked
lawyer's pending changes into their count, and leaves their row alone when there are none.

SQLite has no row locks (BEGIN IMMEDIATE serialises writers); the repository counts there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d7f9b1c3e5a7"
down_revision: str | None = "c6e8a0b2d4f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 'ADRFL': "this lawyer is full", raised only to roll the block's subtransaction back.
POSTGRESQL_UP = """
CREATE FUNCTION adr_take_lawyer(
    ranked uuid[], max_open integer, OUT taken uuid, OUT full_ids uuid[]
) LANGUAGE plpgsql AS $$
DECLARE
    remaining uuid[] := ranked;
    candidate uuid;
    open_now integer;
BEGIN
    full_ids := '{}';
    -- First pass: the first in rank that no parallel dispatch holds, without waiting.
    LOOP
        candidate := NULL;
        BEGIN
            SELECT l.id INTO candidate
            FROM unnest(remaining) WITH ORDINALITY AS wanted(id, place)
            JOIN lawyers l ON l.id = wanted.id
            ORDER BY wanted.place
            LIMIT 1
            FOR UPDATE OF l SKIP LOCKED;
            IF candidate IS NOT NULL THEN
                open_now := adr_fold_open_assignments(candidate);
                IF open_now < max_open THEN
                    taken := candidate;
                    RETURN;
                END IF;
                RAISE SQLSTATE 'ADRFL';
            END IF;
        EXCEPTION WHEN SQLSTATE 'ADRFL' THEN
            full_ids := full_ids || candidate;
            remaining := array_remove(remaining, candidate);
        END;
        EXIT WHEN candidate IS NULL;
    END LOOP;
    -- Second pass: every one left is held by a parallel dispatch; wait for each in rank.
    FOREACH candidate IN ARRAY remaining LOOP
        BEGIN
            PERFORM 1 FROM lawyers WHERE id = candidate FOR UPDATE;
            IF FOUND THEN
                open_now := adr_fold_open_assignments(candidate);
                IF open_now < max_open THEN
                    taken := candidate;
                    RETURN;
                END IF;
                RAISE SQLSTATE 'ADRFL';
            END IF;
        EXCEPTION WHEN SQLSTATE 'ADRFL' THEN
            full_ids := full_ids || candidate;
        END;
    END LOOP;
END
$$

CREATE FUNCTION adr_fold_open_assignments(lawyer uuid) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    folded_sum integer;
    folded_rows integer;
    open_now integer;
BEGIN
    WITH folded AS (DELETE FROM lawyer_open_changes WHERE lawyer_id = lawyer RETURNING delta)
    SELECT coalesce(sum(delta), 0), count(*) INTO folded_sum, folded_rows FROM folded;
    -- Nothing to fold (the usual case): no new version of the lawyer's row, which every
    -- dispatch's candidates read.
    IF folded_rows = 0 THEN
        SELECT open_assignments INTO open_now FROM lawyers WHERE id = lawyer;
    ELSE
        UPDATE lawyers SET open_assignments = open_assignments + folded_sum
        WHERE id = lawyer
        RETURNING open_assignments INTO open_now;
    END IF;
    RETURN open_now;
END
$$
"""

POSTGRESQL_DOWN = """
DROP FUNCTION IF EXISTS adr_take_lawyer(uuid[], integer)
DROP FUNCTION IF EXISTS adr_fold_open_assignments(uuid)
"""


def _statements(script: str) -> list[str]:
    """The script's statements: one per paragraph (asyncpg prepares one at a time)."""
    return [block.strip() for block in script.split("\n\n") if block.strip()]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _statements(POSTGRESQL_UP):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_DOWN.strip().splitlines():
            op.execute(statement)
