"""Pure registry and pool rules: who may see and change lawyers, regions, pool years and
compliance flags."""

import uuid

import pytest

from app.domain.auth.actor import Actor
from app.domain.pool.rules import compliance_status, nomination_years
from app.domain.registry import access
from app.domain.registry.rules import LIAOCHENG_REGION_CODES, region_fits_level
from app.states.codes import PoolCompliance, Role

AGENCY = uuid.uuid4()
OTHER_AGENCY = uuid.uuid4()
LAWYER = uuid.uuid4()
OTHER_LAWYER = uuid.uuid4()

ADMIN = Actor(sub="a", role=Role.ADMIN)
SUPERVISOR = Actor(sub="s", role=Role.SUPERVISOR)
COORDINATOR = Actor(sub="c", role=Role.CENTER_COORDINATOR)
OWN_OFFICER = Actor(sub="o", role=Role.AGENCY_OFFICER, agency_id=AGENCY)
OTHER_OFFICER = Actor(sub="p", role=Role.AGENCY_OFFICER, agency_id=OTHER_AGENCY)
SELF = Actor(sub="l", role=Role.LAWYER, lawyer_id=LAWYER)
OTHER = Actor(sub="m", role=Role.LAWYER, lawyer_id=OTHER_LAWYER)

#                     read   manage  leave
EXPECTED = [
    (ADMIN, True, True, True),
    (SUPERVISOR, True, True, False),
    (COORDINATOR, True, False, True),
    (OWN_OFFICER, True, True, True),
    (OTHER_OFFICER, False, False, False),
    (SELF, True, False, True),
    (OTHER, False, False, False),
]


@pytest.mark.parametrize(("actor", "read", "manage", "leave"), EXPECTED)
def test_lawyer_access_matrix(actor, read, manage, leave):
    assert access.can_read_lawyer(actor, lawyer_id=LAWYER, agency_id=AGENCY) is read
    assert access.can_manage_lawyer(actor, agency_id=AGENCY) is manage
    assert access.can_record_leave(actor, lawyer_id=LAWYER, agency_id=AGENCY) is leave


def test_an_officer_without_an_agency_sees_no_lawyer():
    stray = Actor(sub="x", role=Role.AGENCY_OFFICER)
    assert not access.can_read_lawyer(stray, lawyer_id=LAWYER, agency_id=AGENCY)
    assert not access.can_manage_lawyer(stray, agency_id=AGENCY)


@pytest.mark.parametrize(
    ("actor", "scope"),
    [
        (ADMIN, (None, None)),
        (SUPERVISOR, (None, None)),
        (COORDINATOR, (None, None)),
        (OWN_OFFICER, (AGENCY, None)),
        (SELF, (None, LAWYER)),
    ],
)
def test_lawyer_list_scope(actor, scope):
    assert access.lawyer_scope(actor) == scope


def test_the_region_list_is_liaocheng_with_chiping_under_its_new_code():
    assert set(LIAOCHENG_REGION_CODES) == {
        "371500", "371502", "371503", "371521", "371522",
        "371524", "371525", "371526", "371581",
    }  # fmt: skip
    assert LIAOCHENG_REGION_CODES["371503"] == "茌平区"
    assert "371523" not in LIAOCHENG_REGION_CODES


@pytest.mark.parametrize(
    ("region", "level", "fits"),
    [
        ("371500", "city", True),
        ("371500", "zone", True),
        ("371500", "county", False),
        ("371502", "county", True),
        ("371581", "county", True),
        ("371502", "city", False),
        ("371526", "zone", False),
    ],
)
def test_region_fits_level(region, level, fits):
    assert region_fits_level(region, level) is fits


def test_nominations_open_for_this_and_next_year():
    assert nomination_years(2026) == (2026, 2027)


@pytest.mark.parametrize(
    ("approved", "expected"),
    [
        (0, PoolCompliance.BELOW),
        (1, PoolCompliance.WITHIN),
        (2, PoolCompliance.WITHIN),
        (3, PoolCompliance.OVER),
    ],
)
def test_compliance_status_against_min_1_max_2(approved, expected):
    assert compliance_status(approved, minimum=1, maximum=2) is expected
