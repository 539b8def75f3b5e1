"""case search and list indexes

Revision ID: c4e1a7d93b20
Revises: 8bc684d05d90
Create Date: 2026-11-28 15:40:00.000000

- ``ix_cases_respondent_status_id`` replaces ``ix_cases_respondent_status``: with the id as
  its last column, the list filtered by respondent and status reads one page of the index
  backwards instead of sorting every matching case (measured in docs/performance.md).
- PostgreSQL only: the functions ``adr_bigrams`` and the GIN index of the list's text
  search (``q``). SQLite searches with LIKE and has neither.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c4e1a7d93b20"
down_revision: str | None = "8bc684d05d90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every pair of adjacent characters of the text, lower-cased (as ILIKE compares), leaving
# out the pairs that hold whitespace or punctuation. Two forms: one text (a search term)
# and a case's three texts, joined with a space so that no pair spans two of them (the
# index's expression is then the plain call on the three columns, which the model can
# name as it is). Duplicates are left in: GIN keeps each key once per row anyway, and
# removing them here costs 40% more time per row. Only pg_catalog functions are called, so
# the functions are safe under any search_path (they run in ANALYZE, autovacuum and
# restores). OFFSET 0 keeps the lower-cased text computed once per call: without it the
# planner pulls the subquery up and recomputes it for every pair, which is quadratic
# (measured 1.6 ms instead of 0.09 ms for a 250-character case).
_BIGRAMS = r"""
CREATE FUNCTION adr_bigrams({params}) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(pair.a || pair.b), '{{}}')
    FROM (
        SELECT string_to_array(
            regexp_replace(lower({text}), '[[:space:][:punct:]]', ' ', 'g'), NULL
        ) AS chars
        OFFSET 0
    ) t,
    LATERAL ROWS FROM (unnest(t.chars), unnest(t.chars[2:])) AS pair(a, b)
    WHERE pair.b IS NOT NULL AND pair.a <> ' ' AND pair.b <> ' '
$$
"""
_FORMS = {"text": "$1", "text, text, text": "$1 || ' ' || $2 || ' ' || $3"}


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_respondent_status")
        batch_op.create_index(
            "ix_cases_respondent_status_id",
            ["respondent_agency_id", "status", "id"],
            unique=False,
        )
    if op.get_bind().dialect.name != "postgresql":
        return
    for params, text in _FORMS.items():
        op.execute(_BIGRAMS.format(params=params, text=text))
    op.execute(
        "CREATE INDEX ix_cases_search_bigrams ON cases USING gin (adr_bigrams(title, facts, claims))"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_cases_search_bigrams")
        for params in _FORMS:
            op.execute(f"DROP FUNCTION adr_bigrams({params})")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_respondent_status_id")
        batch_op.create_index(
            "ix_cases_respondent_status", ["respondent_agency_id", "status"], unique=False
        )
