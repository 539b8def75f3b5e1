"""case search pairs in their own table

Revision ID: b5c7d9e1f3a4
Revises: a3d5f7b9c1e2
Create Date: 2026-12-06 12:00:00

The text search's character pairs move from an expression index on ``cases`` to a table of
their own (app/db/models/cases.py, ``CaseSearchPairs``): the intake's numbering statement
writes the case row while the year's counter is locked, and indexing the pairs of a case's
texts there held every other intake up (issue 16). On both databases the table; on
PostgreSQL its GIN index, the pairs of the cases already stored, and the trigger that fills
them for cases inserted without them and refreshes them when a text changes. The foreign key
is checked at the commit: the intake writes the pairs before the case.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b5c7d9e1f3a4"
down_revision: str | None = "a3d5f7b9c1e2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A case inserted with its pairs already written (the intake) costs the trigger one look-up
# by key; any other insert (seed, tools, tests) gets its pairs here.
POSTGRESQL_UP = """
CREATE FUNCTION adr_case_search_pairs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (SELECT 1 FROM case_search_pairs WHERE case_id = NEW.id) THEN
            INSERT INTO case_search_pairs (case_id, pairs)
            VALUES (NEW.id, adr_bigrams(NEW.title, NEW.facts, NEW.claims));
        END IF;
    ELSIF (NEW.title, NEW.facts, NEW.claims) IS DISTINCT FROM (OLD.title, OLD.facts, OLD.claims)
    THEN
        INSERT INTO case_search_pairs (case_id, pairs)
        VALUES (NEW.id, adr_bigrams(NEW.title, NEW.facts, NEW.claims))
        ON CONFLICT (case_id) DO UPDATE SET pairs = EXCLUDED.pairs;
    END IF;
    RETURN NULL;
END
$$

CREATE TRIGGER adr_case_search_pairs_insert AFTER INSERT ON cases
FOR EACH ROW EXECUTE FUNCTION adr_case_search_pairs()

CREATE TRIGGER adr_case_search_pairs_update AFTER UPDATE OF title, facts, claims ON cases
FOR EACH ROW EXECUTE FUNCTION adr_case_search_pairs()

SET CONSTRAINTS fk_case_search_pairs_case_id_cases IMMEDIATE

INSERT INTO case_search_pairs (case_id, pairs)
SELECT id, adr_bigrams(title, facts, claims) FROM cases

CREATE INDEX ix_case_search_pairs ON case_search_pairs USING gin (pairs)

DROP INDEX ix_cases_search_bigrams
"""

POSTGRESQL_DOWN = """
CREATE INDEX ix_cases_search_bigrams ON cases USING gin (adr_bigrams(title, facts, claims))

DROP TRIGGER adr_case_search_pairs_update ON cases

DROP TRIGGER adr_case_search_pairs_insert ON cases

DROP FUNCTION adr_case_search_pairs()
"""


def _run(script: str) -> None:
    # One statement at a time (asyncpg prepares each); statements are separated by blank lines.
    for statement in script.strip().split("\n\n"):
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "case_search_pairs",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "pairs",
            sa.JSON().with_variant(postgresql.ARRAY(sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_search_pairs_case_id_cases"),
            ondelete="CASCADE",
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_search_pairs")),
    )
    if op.get_bind().dialect.name != "postgresql":
        # The same schema on SQLite, where the table stays empty (it searches with LIKE).
        op.create_index("ix_case_search_pairs", "case_search_pairs", ["pairs"])
    else:
        # The pairs of every stored case are computed once here (a minute per million),
        # with the foreign key checked as they go: a deferred check left pending would
        # forbid creating the index in the same transaction.
        op.execute("SET LOCAL statement_timeout = 0")
        _run(POSTGRESQL_UP)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(POSTGRESQL_DOWN)
    op.drop_index("ix_case_search_pairs", table_name="case_search_pairs")
    op.drop_table("case_search_pairs")
