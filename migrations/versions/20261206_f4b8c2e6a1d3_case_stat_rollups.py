"""case statistics rollups

Revision ID: f4b8c2e6a1d3
Revises: d7f3b1e8a2c6
Create Date: 2026-12-06 09:00:00

The statistics' rollups (SPEC 2.15; app/db/models/statistics.py, docs/performance.md):
two tables on both databases; on PostgreSQL, the triggers that append a signed copy of a
case's and an offer's counted facts to ``case_stat_deltas`` in the writing transaction, the
one expansion of a delta into cells (``adr_case_stat_cells``), and the rebuild from the
cases (``adr_case_stat_rebuild``), run here for the cases already stored. An open-cases
index serves the one figure that changes with the date (deadlines passing while open).

The offers count under their case's dimensions. A case's dimensions and its offers' results
never change in two transactions at once: every writer of an assignment holds the case's
row lock (docs/concurrency.md), so each trigger reads the other table's committed state.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
import app.db.types

revision: str = "f4b8c2e6a1d3"
down_revision: str | None = "d7f3b1e8a2c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NIL = "'00000000-0000-0000-0000-000000000000'::uuid"
NOT_ADMINISTRATIVE = "'not_administrative_dispute'"

# The grains: bit sets of the dimensions a cell keeps (1 respondent, 2 intake agency,
# 4 business system, 8 channel); app/db/repositories/statistics_rollups.py picks one.
GRAINS = "(0), (1), (4), (8), (3), (5), (9), (12), (15)"

CASE_FACTS = (
    "received_at, respondent_agency_id, intake_agency_id, business_system, channel, "
    "closed_at, outcome_type, dispatched, collective, reconsideration_due_on, "
    "litigation_due_on, outer_limit_due_on, satisfaction_score, performance_status"
)
CASE_DIMENSIONS = "received_at, respondent_agency_id, intake_agency_id, business_system, channel"


def _case_values(row: str) -> str:
    return (
        f"{row}.received_at, {row}.respondent_agency_id, {row}.intake_agency_id, "
        f"{row}.business_system, {row}.channel, {row}.closed_at, {row}.outcome_type, "
        f"{row}.first_offered_at IS NOT NULL, {row}.collective, "
        f"{row}.reconsideration_due_on, {row}.litigation_due_on, {row}.outer_limit_due_on, "
        f"{row}.satisfaction_score, {row}.performance_status"
    )


def _offer_class(row: str) -> str:
    return f"adr_offer_class({row}.status, {row}.responded_at, {row}.decline_reason)"


POSTGRESQL_UP = f"""
CREATE FUNCTION adr_offer_class(status varchar, responded_at timestamptz, decline_reason varchar)
RETURNS varchar LANGUAGE sql IMMUTABLE AS $$
    -- As app/db/repositories/statistics.py: offer_class().
    SELECT CASE
        WHEN status IN ('accepted', 'completed') THEN 'accepted'
        WHEN status = 'withdrawn' AND responded_at IS NOT NULL AND decline_reason IS NULL
            THEN 'accepted'
        WHEN status = 'declined' THEN 'declined'
        WHEN status = 'expired' THEN 'expired'
    END
$$;

CREATE FUNCTION adr_case_stat_cells(d case_stat_deltas)
RETURNS TABLE (grain smallint, month date, measure varchar, value varchar,
               respondent_agency_id uuid, intake_agency_id uuid,
               business_system varchar, channel varchar, n bigint)
LANGUAGE sql IMMUTABLE AS $$
    -- What a case or an offer counts for: the definitions of
    -- app/domain/statistics/definitions.py, as the direct statements count them.
    SELECT g.grain::smallint, f.month, f.measure, f.value,
        CASE WHEN g.grain & 1 <> 0 THEN d.respondent_agency_id ELSE {NIL} END,
        CASE WHEN g.grain & 2 <> 0 THEN d.intake_agency_id ELSE {NIL} END,
        CASE WHEN g.grain & 4 <> 0 THEN coalesce(d.business_system, '') ELSE '*' END,
        CASE WHEN g.grain & 8 <> 0 THEN d.channel ELSE '*' END,
        d.sign::bigint
    FROM (VALUES {GRAINS}) g(grain)
    CROSS JOIN (
        SELECT date_trunc('month', timezone(INTERVAL '+08:00', d.received_at))::date AS rm,
            date_trunc('month', timezone(INTERVAL '+08:00', d.closed_at))::date AS cm,
            date_trunc('month', timezone(INTERVAL '+08:00', d.offered_at))::date AS om,
            timezone(INTERVAL '+08:00', d.received_at)::date AS rd,
            timezone(INTERVAL '+08:00', d.closed_at)::date AS cd,
            d.kind = 'case' AS is_case,
            d.kind = 'case' AND d.closed_at IS NOT NULL AS is_closed
    ) t
    CROSS JOIN LATERAL (VALUES
        (t.rm, 'received'::varchar, d.channel::varchar, t.is_case),
        (t.rm, 'administrative', '', t.is_case AND d.business_system IS NOT NULL
            AND d.outcome_type IS DISTINCT FROM {NOT_ADMINISTRATIVE}),
        (t.rm, 'not_administrative', '', t.is_case
            AND d.outcome_type = {NOT_ADMINISTRATIVE}),
        (t.rm, 'dispatched', '', t.is_case AND d.dispatched),
        (t.rm, 'collective', '', t.is_case AND d.collective),
        (t.rm, 'passed', '', t.is_closed AND (
            (d.reconsideration_due_on >= t.rd AND d.reconsideration_due_on < t.cd)
            OR (d.litigation_due_on >= t.rd AND d.litigation_due_on < t.cd)
            OR (d.outer_limit_due_on >= t.rd AND d.outer_limit_due_on < t.cd))),
        (t.cm, 'closed', d.outcome_type, t.is_closed),
        (t.cm, 'days', (t.cd - t.rd)::varchar, t.is_closed
            AND d.outcome_type <> {NOT_ADMINISTRATIVE}),
        (t.cm, 'satisfaction', d.satisfaction_score::varchar,
            t.is_closed AND d.satisfaction_score IS NOT NULL),
        (t.cm, 'performance', d.performance_status, t.is_closed
            AND d.performance_status IN ('fulfilled', 'breached')),
        (t.om, 'offer', d.offer_class, d.kind = 'offer' AND d.offer_class IS NOT NULL)
    ) f(month, measure, value, counts)
    WHERE f.counts
$$;

CREATE VIEW case_stat_pending_cells AS
    -- The deltas the compactor has not folded yet, as cells: a report adds them.
    SELECT c.* FROM case_stat_deltas d CROSS JOIN LATERAL adr_case_stat_cells(d) c;

CREATE FUNCTION adr_case_stat_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO case_stat_deltas (kind, sign, {CASE_FACTS})
        VALUES ('case', -1, {_case_values("OLD")});
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO case_stat_deltas (kind, sign, {CASE_FACTS})
        VALUES ('case', 1, {_case_values("NEW")});
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.received_at, OLD.respondent_agency_id, OLD.intake_agency_id,
            OLD.business_system, OLD.channel) IS DISTINCT FROM (NEW.received_at,
            NEW.respondent_agency_id, NEW.intake_agency_id, NEW.business_system, NEW.channel)
    THEN
        -- The case's offers count under its dimensions: they move with it.
        INSERT INTO case_stat_deltas (kind, sign, {CASE_DIMENSIONS}, offered_at, offer_class)
        SELECT 'offer', s.sign,
            CASE WHEN s.sign < 0 THEN OLD.received_at ELSE NEW.received_at END,
            CASE WHEN s.sign < 0 THEN OLD.respondent_agency_id ELSE NEW.respondent_agency_id END,
            CASE WHEN s.sign < 0 THEN OLD.intake_agency_id ELSE NEW.intake_agency_id END,
            CASE WHEN s.sign < 0 THEN OLD.business_system ELSE NEW.business_system END,
            CASE WHEN s.sign < 0 THEN OLD.channel ELSE NEW.channel END,
            a.offered_at, {_offer_class("a")}
        FROM assignments a CROSS JOIN (VALUES (-1), (1)) s(sign)
        WHERE a.case_id = NEW.id AND {_offer_class("a")} IS NOT NULL;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER cases_stat_inserted AFTER INSERT ON cases
    FOR EACH ROW EXECUTE FUNCTION adr_case_stat_delta();

CREATE TRIGGER cases_stat_deleted AFTER DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION adr_case_stat_delta();

CREATE TRIGGER cases_stat_updated AFTER UPDATE ON cases
    FOR EACH ROW WHEN (({_case_values("OLD")}) IS DISTINCT FROM ({_case_values("NEW")}))
    EXECUTE FUNCTION adr_case_stat_delta();

CREATE FUNCTION adr_offer_stat_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND {_offer_class("OLD")} IS NOT NULL THEN
        INSERT INTO case_stat_deltas (kind, sign, {CASE_DIMENSIONS}, offered_at, offer_class)
        SELECT 'offer', -1, {CASE_DIMENSIONS}, OLD.offered_at, {_offer_class("OLD")}
        FROM cases WHERE id = OLD.case_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND {_offer_class("NEW")} IS NOT NULL THEN
        INSERT INTO case_stat_deltas (kind, sign, {CASE_DIMENSIONS}, offered_at, offer_class)
        SELECT 'offer', 1, {CASE_DIMENSIONS}, NEW.offered_at, {_offer_class("NEW")}
        FROM cases WHERE id = NEW.case_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER assignments_stat_inserted AFTER INSERT ON assignments
    FOR EACH ROW EXECUTE FUNCTION adr_offer_stat_delta();

CREATE TRIGGER assignments_stat_deleted AFTER DELETE ON assignments
    FOR EACH ROW EXECUTE FUNCTION adr_offer_stat_delta();

CREATE TRIGGER assignments_stat_updated AFTER UPDATE ON assignments
    FOR EACH ROW WHEN ({_offer_class("OLD")} IS DISTINCT FROM {_offer_class("NEW")}
        OR OLD.offered_at IS DISTINCT FROM NEW.offered_at)
    EXECUTE FUNCTION adr_offer_stat_delta();

CREATE FUNCTION adr_case_stat_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
-- The cells from the cases and offers as they are now; the pending deltas are dropped
-- (the cases already show them). Writers wait on the truncated tables until it commits.
DECLARE
    written bigint;
BEGIN
    TRUNCATE case_stat_cells, case_stat_deltas;
    INSERT INTO case_stat_cells (grain, month, measure, value, respondent_agency_id,
        intake_agency_id, business_system, channel, n)
    SELECT c.grain, c.month, c.measure, c.value, c.respondent_agency_id, c.intake_agency_id,
        c.business_system, c.channel, sum(c.n)
    FROM (
        SELECT ROW(NULL, 'case', 1, {_case_values("x")}, NULL, NULL)::case_stat_deltas AS d
        FROM cases x
        UNION ALL
        SELECT ROW(NULL, 'offer', 1, x.received_at, x.respondent_agency_id,
            x.intake_agency_id, x.business_system, x.channel, NULL, NULL, NULL, NULL, NULL,
            NULL, NULL, NULL, NULL, a.offered_at, {_offer_class("a")})::case_stat_deltas
        FROM assignments a JOIN cases x ON x.id = a.case_id
        WHERE {_offer_class("a")} IS NOT NULL
    ) s CROSS JOIN LATERAL adr_case_stat_cells(s.d) c
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    -- Stored in the order reports read them: a respondent's months together.
    ORDER BY c.grain, c.respondent_agency_id, c.measure, c.month;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;
"""  # noqa: S608 (constants of this module only)

POSTGRESQL_DOWN = """
DROP TRIGGER assignments_stat_updated ON assignments;
DROP TRIGGER assignments_stat_deleted ON assignments;
DROP TRIGGER assignments_stat_inserted ON assignments;
DROP FUNCTION adr_offer_stat_delta();
DROP TRIGGER cases_stat_updated ON cases;
DROP TRIGGER cases_stat_deleted ON cases;
DROP TRIGGER cases_stat_inserted ON cases;
DROP FUNCTION adr_case_stat_delta();
DROP FUNCTION adr_case_stat_rebuild();
DROP VIEW case_stat_pending_cells;
DROP FUNCTION adr_case_stat_cells(case_stat_deltas);
DROP FUNCTION adr_offer_class(varchar, timestamptz, varchar);
"""


def _statements(script: str) -> list[str]:
    """The script's statements: one per paragraph (asyncpg prepares one at a time)."""
    return [block.strip() for block in script.split("\n\n") if block.strip()]


def upgrade() -> None:
    op.create_table(
        "case_stat_cells",
        sa.Column("grain", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("measure", sa.String(length=24), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("respondent_agency_id", sa.Uuid(), nullable=False),
        sa.Column("intake_agency_id", sa.Uuid(), nullable=False),
        sa.Column("business_system", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "grain",
            "measure",
            "month",
            "value",
            "respondent_agency_id",
            "intake_agency_id",
            "business_system",
            "channel",
            name=op.f("pk_case_stat_cells"),
        ),
    )
    with op.batch_alter_table("case_stat_cells", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_stat_cells_business_system",
            ["grain", "business_system", "month"],
            unique=False,
        )
        batch_op.create_index(
            "ix_case_stat_cells_intake", ["grain", "intake_agency_id", "month"], unique=False
        )
        batch_op.create_index(
            "ix_case_stat_cells_respondent",
            ["grain", "respondent_agency_id", "month"],
            unique=False,
        )

    op.create_table(
        "case_stat_deltas",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("sign", sa.SmallInteger(), nullable=False),
        sa.Column("received_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("respondent_agency_id", sa.Uuid(), nullable=False),
        sa.Column("intake_agency_id", sa.Uuid(), nullable=False),
        sa.Column("business_system", sa.String(length=40), nullable=True),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("closed_at", app.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome_type", sa.String(length=40), nullable=True),
        sa.Column("dispatched", sa.Boolean(), nullable=True),
        sa.Column("collective", sa.Boolean(), nullable=True),
        sa.Column("reconsideration_due_on", sa.Date(), nullable=True),
        sa.Column("litigation_due_on", sa.Date(), nullable=True),
        sa.Column("outer_limit_due_on", sa.Date(), nullable=True),
        sa.Column("satisfaction_score", sa.SmallInteger(), nullable=True),
        sa.Column("performance_status", sa.String(length=20), nullable=True),
        sa.Column("offered_at", app.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("offer_class", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_stat_deltas")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_open_deadlines",
            ["received_at"],
            unique=False,
            postgresql_include=[
                "respondent_agency_id",
                "intake_agency_id",
                "business_system",
                "channel",
                "reconsideration_due_on",
                "litigation_due_on",
                "outer_limit_due_on",
            ],
            postgresql_where=sa.text("closed_at IS NULL"),
            sqlite_where=sa.text("closed_at IS NULL"),
        )
    if op.get_bind().dialect.name == "postgresql":
        for statement in _statements(POSTGRESQL_UP):
            op.execute(statement)
        # Counting the stored cases takes about a minute per million: not a request's bound.
        op.execute("SET LOCAL statement_timeout = 0")
        op.execute("SELECT adr_case_stat_rebuild()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_DOWN.strip().splitlines():
            op.execute(statement)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_cases_open_deadlines",
            postgresql_include=[
                "respondent_agency_id",
                "intake_agency_id",
                "business_system",
                "channel",
                "reconsideration_due_on",
                "litigation_due_on",
                "outer_limit_due_on",
            ],
            postgresql_where=sa.text("closed_at IS NULL"),
            sqlite_where=sa.text("closed_at IS NULL"),
        )
    op.drop_table("case_stat_deltas")
    with op.batch_alter_table("case_stat_cells", schema=None) as batch_op:
        batch_op.drop_index("ix_case_stat_cells_respondent")
        batch_op.drop_index("ix_case_stat_cells_intake")
        batch_op.drop_index("ix_case_stat_cells_business_system")
    op.drop_table("case_stat_cells")
