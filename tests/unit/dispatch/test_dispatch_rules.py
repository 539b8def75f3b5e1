"""Eligibility and ranking of mediators (SPEC 2.7) as pure functions: every exclusion reason,
several at once, the deterministic ranking, and which exclusions a coordinator may override."""

from __future__ import annotations

import dataclasses
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.domain.dispatch.rules import (
    NEVER_OVERRIDABLE,
    OVERRIDABLE,
    Assessment,
    CaseFacts,
    LawyerFacts,
    assess,
    exclusion_summary,
    exclusions,
    rank_key,
)
from app.states.codes import DispatchRole, ExclusionReason

R = ExclusionReason
PRESIDING = DispatchRole.PRESIDING
PARTICIPATING = DispatchRole.PARTICIPATING
MAX_OPEN = 5

RESPONDENT = uuid.UUID("00000000-0000-7000-8000-00000000aaaa")
OTHER_AGENCY = uuid.UUID("00000000-0000-7000-8000-00000000bbbb")
CASE = CaseFacts(
    business_system="natural_resources",
    respondent_agency_id=RESPONDENT,
    respondent_region_code="371521",
)
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def lawyer(n: int = 1, **overrides: Any) -> LawyerFacts:
    """An eligible lawyer (for presiding and participating) unless ``overrides`` say not."""
    facts = LawyerFacts(
        lawyer_id=uuid.UUID(int=n),
        name=f"律师{n}",
        agency_id=OTHER_AGENCY,
        region_code="371500",
        in_pool=True,
        certificate_active=True,
        specialties=frozenset({"natural_resources", "housing_construction"}),
        open_assignments=0,
        last_offered_at=None,
        refused_this_case=False,
        assigned_to_case=False,
        unavailable_today=False,
    )
    return dataclasses.replace(facts, **overrides)


def excluded(facts: LawyerFacts, role: DispatchRole = PRESIDING) -> tuple[R, ...]:
    return exclusions(facts, CASE, role=role, max_open=MAX_OPEN)


# --- exclusions --------------------------------------------------------------------------


def test_an_eligible_lawyer_has_no_exclusion_in_either_role():
    assert excluded(lawyer(), PRESIDING) == ()
    assert excluded(lawyer(), PARTICIPATING) == ()


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"in_pool": False}, R.NOT_IN_POOL),
        ({"certificate_active": False}, R.CERTIFICATE_INACTIVE),
        ({"specialties": frozenset({"housing_construction"})}, R.SPECIALTY_MISMATCH),
        ({"specialties": frozenset()}, R.SPECIALTY_MISMATCH),
        ({"open_assignments": MAX_OPEN}, R.AT_CAPACITY),
        ({"open_assignments": MAX_OPEN + 3}, R.AT_CAPACITY),
        ({"refused_this_case": True}, R.DECLINED_BEFORE),
        ({"assigned_to_case": True}, R.ALREADY_ASSIGNED),
        ({"unavailable_today": True}, R.UNAVAILABLE),
    ],
    ids=lambda v: v.value if isinstance(v, R) else None,
)
@pytest.mark.parametrize("role", [PRESIDING, PARTICIPATING], ids=lambda r: r.value)
def test_each_reason_excludes_alone_in_either_role(overrides, reason, role):
    assert excluded(lawyer(**overrides), role) == (reason,)


def test_one_below_capacity_is_still_eligible():
    assert excluded(lawyer(open_assignments=MAX_OPEN - 1)) == ()
    assert exclusions(lawyer(open_assignments=2), CASE, role=PRESIDING, max_open=3) == ()
    assert exclusions(lawyer(open_assignments=3), CASE, role=PRESIDING, max_open=3) == (
        R.AT_CAPACITY,
    )


def test_capacity_follows_the_policy_figure():
    busy = lawyer(open_assignments=1)
    assert exclusions(busy, CASE, role=PRESIDING, max_open=1) == (R.AT_CAPACITY,)
    assert exclusions(busy, CASE, role=PRESIDING, max_open=2) == ()


def test_a_lawyer_of_the_respondent_may_participate_but_never_preside():
    own = lawyer(agency_id=RESPONDENT)
    assert excluded(own, PRESIDING) == (R.CONFLICT_OF_INTEREST,)
    assert excluded(own, PARTICIPATING) == ()


def test_a_case_without_business_system_matches_no_specialty():
    unclassified = dataclasses.replace(CASE, business_system=None)
    assert exclusions(lawyer(), unclassified, role=PRESIDING, max_open=MAX_OPEN) == (
        R.SPECIALTY_MISMATCH,
    )


def test_every_reason_at_once_in_the_specs_order():
    everything = lawyer(
        in_pool=False,
        certificate_active=False,
        specialties=frozenset({"taxation"}),
        agency_id=RESPONDENT,
        open_assignments=MAX_OPEN,
        refused_this_case=True,
        assigned_to_case=True,
        unavailable_today=True,
    )
    assert excluded(everything, PRESIDING) == (
        R.NOT_IN_POOL,
        R.CERTIFICATE_INACTIVE,
        R.SPECIALTY_MISMATCH,
        R.CONFLICT_OF_INTEREST,
        R.AT_CAPACITY,
        R.DECLINED_BEFORE,
        R.ALREADY_ASSIGNED,
        R.UNAVAILABLE,
    )
    # Participating: everything but the 回避 rule.
    assert R.CONFLICT_OF_INTEREST not in excluded(everything, PARTICIPATING)
    assert len(excluded(everything, PARTICIPATING)) == 7


@pytest.mark.parametrize(
    ("overrides", "reasons"),
    [
        ({"in_pool": False, "certificate_active": False}, (R.NOT_IN_POOL, R.CERTIFICATE_INACTIVE)),
        (
            {"specialties": frozenset({"taxation"}), "open_assignments": 9},
            (R.SPECIALTY_MISMATCH, R.AT_CAPACITY),
        ),
        (
            {"agency_id": RESPONDENT, "unavailable_today": True},
            (R.CONFLICT_OF_INTEREST, R.UNAVAILABLE),
        ),
        (
            {"refused_this_case": True, "in_pool": False},
            (R.NOT_IN_POOL, R.DECLINED_BEFORE),
        ),
    ],
)
def test_several_reasons_are_all_named(overrides, reasons):
    assert excluded(lawyer(**overrides)) == reasons


# --- overridable -------------------------------------------------------------------------


def test_the_overridable_sets_are_as_the_spec_names_them():
    assert frozenset({R.SPECIALTY_MISMATCH, R.AT_CAPACITY}) == OVERRIDABLE
    assert frozenset({R.NOT_IN_POOL, R.CERTIFICATE_INACTIVE, R.CONFLICT_OF_INTEREST}) == (
        NEVER_OVERRIDABLE
    )
    assert not OVERRIDABLE & NEVER_OVERRIDABLE


@pytest.mark.parametrize(
    ("reasons", "overridable"),
    [
        ((), False),  # nothing to override: an eligible lawyer needs no override
        ((R.SPECIALTY_MISMATCH,), True),
        ((R.AT_CAPACITY,), True),
        ((R.SPECIALTY_MISMATCH, R.AT_CAPACITY), True),
        ((R.NOT_IN_POOL,), False),
        ((R.CERTIFICATE_INACTIVE,), False),
        ((R.CONFLICT_OF_INTEREST,), False),
        ((R.DECLINED_BEFORE,), False),
        ((R.ALREADY_ASSIGNED,), False),
        ((R.UNAVAILABLE,), False),
        ((R.SPECIALTY_MISMATCH, R.NOT_IN_POOL), False),
        ((R.AT_CAPACITY, R.CONFLICT_OF_INTEREST), False),
        ((R.AT_CAPACITY, R.UNAVAILABLE), False),
    ],
)
def test_overridable_only_when_every_reason_is(reasons, overridable):
    assessment = Assessment(lawyer(), reasons)
    assert assessment.overridable() is overridable
    assert assessment.eligible is (reasons == ())


# --- ranking -----------------------------------------------------------------------------


def ranked(lawyers: list[LawyerFacts]) -> list[int]:
    eligible, _ = assess(lawyers, CASE, role=PRESIDING, max_open=MAX_OPEN)
    return [a.lawyer.lawyer_id.int for a in eligible]


def test_fewer_open_assignments_rank_first_whatever_else():
    busy_but_never_offered_same_county = lawyer(1, open_assignments=2, region_code="371521")
    idle_recent_other_county = lawyer(2, open_assignments=0, last_offered_at=T0)
    one = lawyer(3, open_assignments=1, last_offered_at=T0 + timedelta(days=3))
    assert ranked([busy_but_never_offered_same_county, idle_recent_other_county, one]) == [
        2,
        3,
        1,
    ]


def test_never_offered_before_older_offer_before_recent_offer():
    recent = lawyer(1, last_offered_at=T0 + timedelta(days=10))
    older = lawyer(2, last_offered_at=T0)
    never = lawyer(3)
    oldest = lawyer(4, last_offered_at=T0 - timedelta(days=400))
    assert ranked([recent, older, never, oldest]) == [3, 4, 2, 1]


def test_last_offer_seconds_apart_still_order():
    a = lawyer(1, last_offered_at=T0 + timedelta(seconds=1))
    b = lawyer(2, last_offered_at=T0)
    assert ranked([a, b]) == [2, 1]


def test_same_county_as_the_respondent_breaks_a_tie():
    other = lawyer(1)
    same = lawyer(2, region_code="371521")
    assert ranked([other, same]) == [2, 1]
    other_offered = lawyer(3, last_offered_at=T0)
    same_offered = lawyer(4, last_offered_at=T0, region_code="371521")
    assert ranked([other_offered, same_offered]) == [4, 3]


def test_same_county_does_not_beat_a_longer_wait():
    same_recent = lawyer(1, region_code="371521", last_offered_at=T0 + timedelta(days=1))
    other_older = lawyer(2, last_offered_at=T0)
    assert ranked([same_recent, other_older]) == [2, 1]


def test_the_lawyer_id_breaks_the_last_tie():
    ids = [uuid.UUID(int=n) for n in (7, 3, 9, 1)]
    tied = [lawyer(n.int) for n in ids]
    assert ranked(tied) == sorted(n.int for n in ids)


def test_ranking_is_deterministic_whatever_the_input_order():
    lawyers = [
        lawyer(1, open_assignments=1),
        lawyer(2, last_offered_at=T0),
        lawyer(3, last_offered_at=T0 - timedelta(days=1)),
        lawyer(4, region_code="371521"),
        lawyer(5),
        lawyer(6),
        lawyer(7, last_offered_at=T0, region_code="371521"),
        lawyer(8, open_assignments=4),
    ]
    expected = [4, 5, 6, 3, 7, 2, 1, 8]
    rng = random.Random(20260201)
    for _ in range(20):
        shuffled = lawyers[:]
        rng.shuffle(shuffled)
        assert ranked(shuffled) == expected


def test_rank_key_carries_the_figures_in_order():
    facts = lawyer(5, open_assignments=2, last_offered_at=T0, region_code="371521")
    assert rank_key(facts, CASE) == (2, 1, T0.timestamp(), 0, str(uuid.UUID(int=5)))
    assert rank_key(lawyer(6), CASE) == (0, 0, 0.0, 1, str(uuid.UUID(int=6)))


def test_assess_splits_eligible_and_excluded_with_reasons():
    lawyers = [
        lawyer(1),
        lawyer(2, in_pool=False),
        lawyer(3, agency_id=RESPONDENT),
        lawyer(4, open_assignments=MAX_OPEN, specialties=frozenset({"taxation"})),
        lawyer(5, last_offered_at=T0),
    ]
    eligible, out = assess(lawyers, CASE, role=PRESIDING, max_open=MAX_OPEN)
    assert [a.lawyer.lawyer_id.int for a in eligible] == [1, 5]
    assert all(a.eligible and a.exclusions == () for a in eligible)
    assert {a.lawyer.lawyer_id.int: a.exclusions for a in out} == {
        2: (R.NOT_IN_POOL,),
        3: (R.CONFLICT_OF_INTEREST,),
        4: (R.SPECIALTY_MISMATCH, R.AT_CAPACITY),
    }
    assert [a.lawyer.lawyer_id.int for a in out] == [2, 3, 4]  # stable: by lawyer id
    assert {a.lawyer.lawyer_id.int: a.overridable() for a in out} == {2: False, 3: False, 4: True}
    assert exclusion_summary(out) == {
        "not_in_pool": 1,
        "conflict_of_interest": 1,
        "specialty_mismatch": 1,
        "at_capacity": 1,
    }

    eligible, out = assess(lawyers, CASE, role=PARTICIPATING, max_open=MAX_OPEN)
    assert [a.lawyer.lawyer_id.int for a in eligible] == [1, 3, 5]


def test_nobody_to_assess():
    assert assess([], CASE, role=PRESIDING, max_open=MAX_OPEN) == ([], [])
    assert exclusion_summary([]) == {}


def test_the_summary_counts_a_lawyer_under_each_of_their_reasons():
    _, out = assess(
        [
            lawyer(1, in_pool=False, certificate_active=False),
            lawyer(2, in_pool=False),
            lawyer(3, unavailable_today=True),
        ],
        CASE,
        role=PRESIDING,
        max_open=MAX_OPEN,
    )
    assert exclusion_summary(out) == {"not_in_pool": 2, "certificate_inactive": 1, "unavailable": 1}
