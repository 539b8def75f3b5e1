"""Who may take cases in and who sees which (SPEC 4.2), through the HTTP API."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.db.models import Assignment
from app.states.codes import Role
from tests.support.factories import CASES, case_body, create_case, create_lawyer, list_all
from tests.support.problems import assert_problem

# --- intake by role -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CENTER_COORDINATOR])
async def test_admin_and_coordinator_take_cases_in_for_any_agency(
    client, auth, intake, respondent, role
):
    case = await create_case(client, auth(role), case_body(intake, respondent))
    assert case["intake_agency_id"] == intake
    assert case["status"] == "received"


async def test_an_officer_takes_cases_in_for_its_own_agency(client, officer_of, intake, respondent):
    officer = officer_of(intake)
    named = await create_case(client, officer, case_body(intake, respondent))
    assert named["intake_agency_id"] == intake
    # Without intake_agency_id the officer's own agency is the intake agency.
    defaulted = await create_case(client, officer, case_body(None, respondent))
    assert defaulted["intake_agency_id"] == intake


async def test_an_officer_cannot_take_cases_in_for_another_agency(
    client, officer_of, intake, respondent, bystander
):
    response = await client.post(
        CASES, json=case_body(bystander, respondent), headers=officer_of(intake)
    )
    assert_problem(response, 403, "not_own_agency")


async def test_an_officer_may_take_in_a_case_against_its_own_agency(client, officer_of, intake):
    case = await create_case(client, officer_of(intake), case_body(intake, intake))
    assert case["respondent_agency_id"] == intake


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.LAWYER])
async def test_supervisor_and_lawyer_cannot_take_cases_in(client, auth, intake, respondent, role):
    response = await client.post(CASES, json=case_body(intake, respondent), headers=auth(role))
    assert_problem(response, 403, "role_not_allowed")


async def test_intake_needs_credentials(client, intake, respondent):
    response = await client.post(CASES, json=case_body(intake, respondent))
    assert_problem(response, 401)


async def test_a_refused_intake_creates_nothing(client, auth, coordinator, intake, respondent):
    body = case_body(intake, respondent, title="监督人员不应受理的案件")
    await client.post(CASES, json=body, headers=auth(Role.SUPERVISOR))
    found = await list_all(client, coordinator, q="监督人员不应受理")
    assert found == []


# --- reading -------------------------------------------------------------------------------


@pytest.fixture
async def case(client, coordinator, intake, respondent):
    return await create_case(client, coordinator, case_body(intake, respondent))


@pytest.fixture
async def lawyer(client, admin, respondent):
    return await create_lawyer(client, admin, respondent)


async def assign(session, case_id: str, lawyer_id: str, status: str = "offered") -> None:
    now = datetime.now(UTC)
    session.add(
        Assignment(
            case_id=uuid.UUID(case_id),
            lawyer_id=uuid.UUID(lawyer_id),
            role="presiding",
            status=status,
            offered_at=now,
            respond_by=now + timedelta(days=3),
            offered_by="center-li",
        )
    )
    await session.commit()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR, Role.CENTER_COORDINATOR])
async def test_the_center_and_the_bureau_read_every_case(client, auth, case, role):
    response = await client.get(f"{CASES}/{case['id']}", headers=auth(role))
    assert response.status_code == 200, response.text
    assert response.json()["id"] == case["id"]
    events = await client.get(f"{CASES}/{case['id']}/events", headers=auth(role))
    assert events.status_code == 200


@pytest.mark.parametrize("which", ["intake", "respondent"])
async def test_officers_of_the_intake_agency_and_the_respondent_read_the_case(
    client, officer_of, case, intake, respondent, which
):
    officer = officer_of(intake if which == "intake" else respondent)
    response = await client.get(f"{CASES}/{case['id']}", headers=officer)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{case["id"]}.1"'
    events = await client.get(f"{CASES}/{case['id']}/events", headers=officer)
    assert events.status_code == 200


async def test_another_agencys_officer_gets_404(client, officer_of, case, bystander):
    officer = officer_of(bystander)
    assert_problem(await client.get(f"{CASES}/{case['id']}", headers=officer), 404, "not_found")
    assert_problem(await client.get(f"{CASES}/{case['id']}/events", headers=officer), 404)


async def test_a_missing_case_and_a_hidden_case_answer_alike(client, officer_of, case, bystander):
    officer = officer_of(bystander)
    hidden = await client.get(f"{CASES}/{case['id']}", headers=officer)
    missing = await client.get(f"{CASES}/{uuid.uuid4()}", headers=officer)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["code"] == missing.json()["code"]
    assert hidden.json()["detail"] == missing.json()["detail"]


async def test_a_lawyer_without_an_assignment_gets_404(client, auth, case, lawyer):
    headers = auth(Role.LAWYER, lawyer_id=uuid.UUID(lawyer["id"]))
    assert_problem(await client.get(f"{CASES}/{case['id']}", headers=headers), 404)
    assert_problem(await client.get(f"{CASES}/{case['id']}/events", headers=headers), 404)
    assert await list_all(client, headers) == []


async def test_a_lawyer_reads_the_cases_they_hold_an_assignment_on(
    client, auth, session, coordinator, intake, respondent, case, lawyer
):
    other = await create_case(client, coordinator, case_body(intake, respondent))
    await assign(session, case["id"], lawyer["id"])
    headers = auth(Role.LAWYER, lawyer_id=uuid.UUID(lawyer["id"]))
    response = await client.get(f"{CASES}/{case['id']}", headers=headers)
    assert response.status_code == 200, response.text
    assert_problem(await client.get(f"{CASES}/{other['id']}", headers=headers), 404)
    assert [c["id"] for c in await list_all(client, headers)] == [case["id"]]


async def test_a_declined_assignment_gives_no_access(client, auth, session, case, lawyer):
    await assign(session, case["id"], lawyer["id"], status="declined")
    headers = auth(Role.LAWYER, lawyer_id=uuid.UUID(lawyer["id"]))
    assert_problem(await client.get(f"{CASES}/{case['id']}", headers=headers), 404)
    assert await list_all(client, headers) == []


async def test_the_list_is_scoped_like_reading(
    client, coordinator, officer_of, organs, intake, respondent, bystander
):
    fourth = str(organs[3]["id"])
    mine_as_intake = await create_case(client, coordinator, case_body(intake, fourth))
    mine_as_respondent = await create_case(client, coordinator, case_body(fourth, intake))
    both = await create_case(client, coordinator, case_body(intake, intake))
    not_mine = await create_case(client, coordinator, case_body(respondent, bystander))
    everything = {c["id"] for c in (mine_as_intake, mine_as_respondent, both, not_mine)}

    seen = {c["id"] for c in await list_all(client, officer_of(intake))}
    assert seen & everything == {mine_as_intake["id"], mine_as_respondent["id"], both["id"]}
    seen = {c["id"] for c in await list_all(client, officer_of(bystander))}
    assert seen & everything == {not_mine["id"]}
    seen = {c["id"] for c in await list_all(client, coordinator)}
    assert everything <= seen
    # The officer's own scope still applies when it filters by another respondent.
    filtered = await list_all(client, officer_of(intake), respondent_agency_id=bystander)
    assert filtered == []


async def test_a_token_without_credentials_cannot_list(client):
    assert_problem(await client.get(CASES), 401)
