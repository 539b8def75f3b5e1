"""The request examples of the OpenAPI document: bodies that work as-is on a freshly seeded
service, in the order a tester tries them (docs/testing.md).

- Agencies are named by their stable seeded ids (``app.domain.reference.ids``).
- Identities carry correct check characters (GB 11643, GB 32100).
- Dates are relative to the day the document is built (Asia/Shanghai), so they never age;
  the document is rebuilt when the day changes. The one fixed date is the next policy
  version's ``effective_from``, the day after the measures end (Art. 20).
- Objects a tester creates through the API (a lawyer, a case, ...) appear as the
  placeholders of ``PLACEHOLDERS``; ``x-prerequisites`` names the operations that create
  them.
- A path parameter no operation creates (a calendar year) carries its value as the
  parameter's ``example``, relative to the day too.
- Webhook URLs are IP literals on the intranet: registration checks the addresses a host
  name resolves to (``app.domain.events.ssrf``), and an IP literal needs no name service.

tests/api/test_openapi_examples.py sends every example of the document after its
prerequisites and expects the documented success status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from app.domain.reference.ids import agency_id

Json = dict[str, Any]

# Ids of objects a tester creates through the API: examples carry these placeholders; replace
# each with the id the earlier call returned (the path parameter of the same name).
PLACEHOLDERS: dict[str, UUID] = {
    "lawyer_id": UUID("00000000-0000-4000-8000-00000000a001"),
    "case_id": UUID("00000000-0000-4000-8000-00000000c001"),
    "membership_id": UUID("00000000-0000-4000-8000-00000000d001"),
    "assignment_id": UUID("00000000-0000-4000-8000-00000000e001"),
    "webhook_id": UUID("00000000-0000-4000-8000-00000000f001"),
}

# The agencies a tester needs (docs/testing.md lists them with their ids).
CENTER = str(agency_id("city-reconciliation-center"))
JUDICIAL_BUREAU = str(agency_id("city-justice"))
LAWYERS_AGENCY = str(agency_id("city-natural-resources"))
RESPONDENT = str(agency_id("city-housing-construction"))

LAWYER = str(PLACEHOLDERS["lawyer_id"])
# 王某某's resident ID: region 371502, born 1990-01-01, check character computed (GB 11643).
RESIDENT_ID = "371502199001011234"
# A credit code with its check character (GB 32100), for the example agency.
CREDIT_CODE = "11371500MB2853470K"


@dataclass(frozen=True)
class Example:
    """How a tester tries one operation: the body (built for a day), the operations to call
    before it, the path parameters no earlier operation creates, and, when ``require_roles``
    does not say it, the roles that may call it."""

    body: Callable[[date], Json] | None = None
    prerequisites: tuple[str, ...] = ()
    # Values of path parameters that no earlier operation creates (a year): name -> value.
    path: Callable[[date], dict[str, str | int]] | None = None
    roles: tuple[str, ...] | None = None
    # Examples that illustrate a documented error: name -> (summary, status, body).
    errors: dict[str, tuple[str, int, Callable[[date], Json]]] = field(default_factory=dict)


def _days(today: date, days: int) -> str:
    return (today + timedelta(days=days)).isoformat()


def case_body(today: date) -> Json:
    return {
        "channel": "petition",
        "intake_agency_id": CENTER,
        "respondent_agency_id": RESPONDENT,
        "applicants": [
            {
                "kind": "natural_person",
                "name": "王某某",
                "id_type": "resident_id",
                "id_number": RESIDENT_ID,
                "phone": "13800000000",
                "address": "聊城市东昌府区",
            }
        ],
        "act": {
            "type": "expropriation",
            "made_on": _days(today, -40),
            "known_on": _days(today, -30),
            "document_no": f"聊征补字〔{today.year}〕8号",
            "real_property": True,
        },
        "title": "对房屋征收补偿决定不服",
        "facts": "申请人房屋位于征收范围内，认为补偿标准过低，多次信访。",
        "claims": "请求依法提高补偿标准",
    }


def _with_id_number(body: Json, id_number: str) -> Json:
    body["applicants"][0]["id_number"] = id_number
    return body


def classification_body(_today: date) -> Json:
    conditions = (
        "organ_party",
        "arises_from_administration",
        "legal_rights_obligations",
        "counterparty_disputes",
    )
    return {
        "conditions": {name: {"met": True, "note": "符合"} for name in conditions},
        "business_system": "housing_construction",
        "act_type": "expropriation",
        "priority": "normal",
        "recommended_channel": "reconciliation",
    }


def lawyer_body(_today: date) -> Json:
    return {
        "name": "张明",
        "agency_id": LAWYERS_AGENCY,
        "certificate_no": "13715202210123456",
        "certificate_issued_on": "2022-03-01",
        "specialties": ["natural_resources", "housing_construction"],
        "phone": "13900000000",
    }


def outcome_body(today: date) -> Json:
    return {
        "type": "reconciled",
        "concluded_on": today.isoformat(),
        "summary": "经和解，行政机关重新核定补偿，申请人撤回信访。",
        "agreement": {
            "document_no": f"聊和解字〔{today.year}〕15号",
            "performance_due_on": _days(today, 30),
        },
        "sessions": [{"held_on": today.isoformat(), "location": "和解中心第一调解室"}],
        "hours": [{"lawyer_id": LAWYER, "hours": 4}],
    }


def deadline_notice_body(today: date) -> Json:
    # Yesterday afternoon: never in the future, whatever the hour the example is tried.
    return {"notified_at": f"{_days(today, -1)}T15:00:00+08:00", "how": "in_person"}


def _calendar_year(today: date) -> int:
    # Next year: the State Council's notice comes out late in the year before. A year the
    # seed (2022-2026) does not hold is loaded anew (201); a seeded one is replaced (200).
    return today.year + 1


def calendar_body(today: date) -> Json:
    """New Year's Day and the National Day week, with the make-up working weekends around it
    (the Sunday before, the Saturday after), the way the notices set them."""
    year = _calendar_year(today)
    sunday_before = date(year, 9, 30)
    while sunday_before.weekday() != 6:
        sunday_before -= timedelta(days=1)
    saturday_after = date(year, 10, 8)
    while saturday_after.weekday() != 5:
        saturday_after += timedelta(days=1)
    holidays = [date(year, 1, 1), *(date(year, 10, day) for day in range(1, 8))]
    return {
        "holidays": [day.isoformat() for day in holidays],
        "working_weekends": [sunday_before.isoformat(), saturday_after.isoformat()],
        "source": f"国务院办公厅关于{year}年部分节假日安排的通知",
    }


WEBHOOK_URL = "http://10.0.0.5/hooks/adr"


def activity_body(today: date) -> Json:
    return {
        "kind": "law_lecture",
        "occurred_on": _days(today, -1),
        "lawyer_ids": [LAWYER],
        "title": "为镇街干部讲授行政复议法",
        "participants": 40,
        "location": "东昌府区古楼街道",
        "campaign": "practical_deeds",
    }


# Object-level rules (the lawyer's own agency): an agency officer of the lawyer's agency.
_LAWYER_MANAGERS = ("admin", "supervisor", "agency_officer")
_DISPATCHED = ("approve_membership", "classify_case", "dispatch_case")
_CLOSED = (*_DISPATCHED, "accept_assignment", "record_outcome")

EXAMPLES: dict[str, Example] = {
    "add_policy_version": Example(
        lambda _today: {
            "effective_from": "2027-02-01",
            "effective_to": None,
            "pool_max_per_agency": 2,
            "pool_min_per_agency": 1,
            "deadline_warning_days": 15,
            "duplicate_window_days": 180,
            "collective_threshold": 5,
            "max_open_assignments": 5,
            "offer_response_hours": 48,
            "auto_redispatch": True,
            "basis": "聊城市公职律师参与行政争议化解工作实施办法(修订)",
        }
    ),
    "create_agency": Example(
        lambda _today: {
            "name": "聊城市东昌府区自然资源局",
            "short_name": "东昌府区自然资源局",
            "kind": "administrative_organ",
            "level": "county",
            "region_code": "371502",
            "business_system": "natural_resources",
            "credit_code": CREDIT_CODE,
        }
    ),
    "update_agency": Example(
        lambda _today: {"short_name": "东昌府区自然资源和规划局"},
        prerequisites=("create_agency",),
    ),
    "create_lawyer": Example(lawyer_body, roles=_LAWYER_MANAGERS),
    "update_lawyer": Example(
        lambda _today: {"phone": "13900000001"},
        prerequisites=("create_lawyer",),
        roles=_LAWYER_MANAGERS,
    ),
    "set_certificate_status": Example(
        lambda _today: {"status": "suspended", "reason": "年度考核不合格，暂停执业"},
        prerequisites=("create_lawyer",),
    ),
    "add_unavailability": Example(
        lambda today: {
            "from_date": _days(today, 7),
            "to_date": _days(today, 11),
            "reason": "年休假",
        },
        prerequisites=("create_lawyer",),
        roles=("admin", "center_coordinator", "agency_officer", "lawyer"),
    ),
    "nominate_member": Example(
        lambda today: {"lawyer_id": LAWYER, "year": today.year},
        prerequisites=("create_lawyer",),
    ),
    "approve_membership": Example(
        lambda _today: {"reason": "业务能力突出，同意入库"}, prerequisites=("nominate_member",)
    ),
    "reject_membership": Example(
        lambda _today: {"reason": "年度考核未达要求"}, prerequisites=("nominate_member",)
    ),
    "withdraw_membership": Example(
        lambda _today: {"reason": "调任其他岗位"}, prerequisites=("approve_membership",)
    ),
    "renew_memberships": Example(
        lambda today: {"from_year": today.year, "to_year": today.year + 1},
        prerequisites=("approve_membership",),
    ),
    "create_case": Example(
        case_body,
        errors={
            "wrong_check_character": (
                "A resident ID whose check character is wrong: 422 invalid_check_digit",
                422,
                lambda today: _with_id_number(case_body(today), "371502199001011237"),
            )
        },
    ),
    "correct_case": Example(
        lambda _today: {"title": "对房屋征收补偿决定不服(更正)"},
        prerequisites=("create_case",),
    ),
    "record_deadline_notice": Example(
        deadline_notice_body,
        prerequisites=("create_case",),
        roles=("center_coordinator", "admin"),
    ),
    "classify_case": Example(classification_body, prerequisites=("create_case",)),
    "dispatch_case": Example(
        lambda _today: {"role": "presiding"},
        prerequisites=("approve_membership", "classify_case"),
    ),
    "accept_assignment": Example(prerequisites=_DISPATCHED, roles=("lawyer",)),
    "decline_assignment": Example(
        lambda _today: {"reason": "work_conflict", "note": "同期承担重大执法任务"},
        prerequisites=_DISPATCHED,
        roles=("lawyer",),
    ),
    "decide_work_conflict": Example(
        lambda _today: {"decision": "release", "decided_by": "李局长", "note": "经单位负责人同意"},
        prerequisites=(*_DISPATCHED, "decline_assignment"),
        roles=("agency_officer",),
    ),
    "withdraw_assignment": Example(
        lambda _today: {"reason": "申请人要求更换调解员"}, prerequisites=_DISPATCHED
    ),
    "record_outcome": Example(
        outcome_body,
        prerequisites=(*_DISPATCHED, "accept_assignment"),
        roles=("center_coordinator", "admin", "lawyer"),
    ),
    "record_performance": Example(
        lambda _today: {"status": "fulfilled", "note": "已按协议支付补偿款"},
        prerequisites=_CLOSED,
    ),
    "record_satisfaction": Example(
        lambda _today: {"score": 5, "note": "电话回访，申请人表示满意"}, prerequisites=_CLOSED
    ),
    "nominate_typical_case": Example(
        lambda _today: {
            "reason": "征收补偿争议经和解实质化解，具有示范意义",
            "summary": "某街道房屋征收补偿争议中，公职律师主持和解，行政机关依法完善补偿方案，"
            "申请人撤回信访，协议已履行。",
        },
        prerequisites=_CLOSED,
    ),
    "create_typical_case_selection": Example(
        lambda today: {
            "title": f"{today.year}年度行政争议化解典型案例",
            "year": today.year,
            "nominations_from": _days(today, -30),
            "nominations_to": _days(today, 30),
        }
    ),
    "decide_typical_case": Example(
        lambda _today: {
            "case_id": str(PLACEHOLDERS["case_id"]),
            "decision": "selected",
            "note": "化解过程规范，具有示范意义",
        },
        prerequisites=("nominate_typical_case", "create_typical_case_selection"),
    ),
    "create_evaluation": Example(
        lambda today: {
            "year": today.year,
            "organizer_region_code": "371500",
            "title": f"{today.year}年度公职律师参与行政纠纷化解工作先进评选",
        }
    ),
    "award_honour": Example(
        lambda _today: {"kind": "advanced_individual", "lawyer_id": LAWYER, "note": "化解成效突出"},
        prerequisites=("create_lawyer", "create_evaluation"),
    ),
    "reopen_case": Example(
        lambda _today: {"reason": "行政机关未按协议履行，申请人再次信访"}, prerequisites=_CLOSED
    ),
    # The lawyer records their own lecture; their agency's officer confirms or returns it.
    "record_activity": Example(
        activity_body,
        prerequisites=("create_lawyer",),
        roles=("lawyer", "agency_officer", "center_coordinator", "admin"),
    ),
    "correct_activity": Example(
        lambda _today: {"participants": 45},
        prerequisites=("record_activity",),
        roles=("lawyer", "agency_officer", "admin"),
    ),
    "return_activity": Example(
        lambda _today: {"note": "请补充授课对象"},
        prerequisites=("record_activity",),
        roles=("agency_officer", "admin"),
    ),
    "create_api_key": Example(
        lambda _today: {"name": "和解中心委派系统", "role": "center_coordinator"}
    ),
    "create_webhook": Example(
        lambda _today: {
            "url": WEBHOOK_URL,
            "types": ["case.received", "assignment.accepted"],
            "description": "和解中心调度系统",
        }
    ),
    "update_webhook": Example(
        lambda _today: {
            "types": ["case.received", "assignment.accepted", "assignment.withdrawn"],
            "active": True,
        },
        prerequisites=("create_webhook",),
    ),
    "put_calendar_year": Example(calendar_body, path=lambda today: {"year": _calendar_year(today)}),
}


def apply(schema: Json, today: date) -> None:
    """Put the examples, prerequisites and roles into the operations of ``schema``."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            example = EXAMPLES.get(operation.get("operationId", ""))
            if example is None:
                continue
            if example.prerequisites:
                operation["x-prerequisites"] = list(example.prerequisites)
                steps = " → ".join(f"`{p}`" for p in example.prerequisites)
                note = f"Try it after: {steps} (ids from their answers replace the placeholders)."
                operation["description"] = f"{operation.get('description', '')}\n\n{note}".strip()
            if example.roles is not None:
                operation["x-roles"] = list(example.roles)
            if example.path is not None:
                values = example.path(today)
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "path" and parameter.get("name") in values:
                        parameter["example"] = values[parameter["name"]]
            content = operation.get("requestBody", {}).get("content", {})
            if example.body is None or "application/json" not in content:
                continue
            if not example.errors:
                content["application/json"]["example"] = example.body(today)
                continue
            # Named examples: the working one first, then those that illustrate an error
            # (``x-status``: the documented status they get).
            named: Json = {"works": {"summary": "Works as-is", "value": example.body(today)}}
            for name, (summary, status, body) in example.errors.items():
                named[name] = {"summary": summary, "value": body(today), "x-status": status}
            content["application/json"]["examples"] = named
