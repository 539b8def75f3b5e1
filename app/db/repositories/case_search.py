"""The list's text search (``q``): a case matches when its title, facts or claims contain
the term, case-insensitively, with ``%`` and ``_`` taken literally (ILIKE).

PostgreSQL keeps every pair of adjacent characters of a case's texts (``adr_bigrams``) in
``case_search_pairs``, under a GIN index. A rare term of two or more characters is looked up
there first: the case must hold every pair of the term (``@>``), a pre-filter that the
index answers, and the exact ILIKE confirms (pairs found apart, as in 争议…化解 for 争议化解,
pass the pre-filter and fail the ILIKE). Pairs serve the commonest Chinese search words, two
characters long, which pg_trgm cannot (a two-character LIKE pattern yields no trigram).

A common term goes without the pre-filter: newest first, a page of 50 is found within a
few hundred cases, whereas the index would hand over every case that has the term, to be
fetched and sorted. The planner cannot tell the two apart by itself: it multiplies the
estimates of a term's pairs as if they were independent (养老 and 老金 come together), and
multiplies that again by the ILIKE's, so it took the index for terms in 4% of the cases
(194 ms at a million cases instead of 6 ms). So the search first counts the term among the
newest cases before the page (a probe of about a millisecond); found there at least twice,
the term is common enough for the newest-first scan. A one-character term is the ILIKE
alone (no pair to look up). SQLite has only the ILIKE.
See docs/performance.md ("At a million cases").
"""

from __future__ import annotations

import uuid
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from app.db.models import Case, CaseSearchPairs

# The probe: how many of the newest cases (before the page) contain the term. At least
# COMMON_HITS of PROBE_CASES (0.67%) and the newest-first scan is the faster way to a page
# (measured crossover about 0.6% at a million cases; below it, the index).
PROBE_CASES = 300
COMMON_HITS = 2


def escape_like(term: str) -> str:
    """The term as a LIKE pattern that matches it literally (escape character ``\\``)."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def has_pair(term: str) -> bool:
    """Whether the term holds two adjacent letters or digits, i.e. at least one pair that
    ``adr_bigrams`` keeps (it drops pairs with whitespace or punctuation). A term without
    one would give an empty array, which every case contains: no use as a pre-filter."""
    return any(a.isalnum() and b.isalnum() for a, b in pairwise(term))


async def text_matches(
    session: AsyncSession, term: str, *, before_id: uuid.UUID | None = None
) -> ColumnElement[bool]:
    pattern = f"%{escape_like(term)}%"

    def contains(table: Any) -> ColumnElement[bool]:
        return or_(
            table.c.title.ilike(pattern, escape="\\"),
            table.c.facts.ilike(pattern, escape="\\"),
            table.c.claims.ilike(pattern, escape="\\"),
        )

    matches = contains(Case.__table__)
    if session.get_bind().dialect.name != "postgresql" or not has_pair(term):
        return matches
    newest = select(Case.title, Case.facts, Case.claims).order_by(Case.id.desc())
    if before_id is not None:
        newest = newest.where(Case.id < before_id)
    probe = newest.limit(PROBE_CASES).subquery()
    hits = await session.scalar(select(func.count()).select_from(probe).where(contains(probe)))
    if hits is not None and hits >= COMMON_HITS:
        return matches
    term_pairs = func.adr_bigrams(term, type_=ARRAY(Text))
    # The column is an array on PostgreSQL (JSON on SQLite, which never searches it).
    stored_pairs = type_coerce(CaseSearchPairs.pairs, ARRAY(Text))
    holding_pairs = select(CaseSearchPairs.case_id).where(stored_pairs.contains(term_pairs))
    return and_(Case.id.in_(holding_pairs), matches)
