"""The enum codes are part of the product contract (SPEC.md): they must not drift."""

from __future__ import annotations

import json
import re
from enum import StrEnum

import pytest

from app.states.catalogue import ENUMS, enum_catalogue
from app.states.codes import (
    RESOLVED_OUTCOMES,
    AgencyKind,
    ApplicantKind,
    LabelledEnum,
    OutcomeType,
    Role,
)

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")

# Codes exactly as SPEC.md spells them, in its order. ``membership_status`` adds
# ``rejected``, the end state of the ``/reject`` action SPEC 3.1 names.
SPEC_CODES: dict[str, list[str]] = {
    "role": ["admin", "supervisor", "center_coordinator", "agency_officer", "lawyer"],
    "agency_kind": [
        "administrative_organ",
        "judicial_bureau",
        "reconciliation_center",
        "peoples_organization",
        "other",
    ],
    "agency_level": ["city", "county", "zone"],
    "certificate_status": ["active", "suspended", "revoked"],
    "membership_status": ["nominated", "approved", "rejected", "withdrawn"],
    "pool_compliance": ["below", "within", "over"],
    "case_status": ["received", "classified", "awaiting_acceptance", "in_mediation", "closed"],
    "intake_channel": [
        "phone_consultation",
        "letter",
        "complaint",
        "report",
        "petition",
        "visit",
        "reconsideration_referral",
        "court_referral",
        "risk_screening",
    ],
    "applicant_kind": ["natural_person", "legal_person", "other_org"],
    "id_type": ["resident_id", "credit_code", "passport", "other"],
    "act_type": [
        "administrative_penalty",
        "administrative_license",
        "administrative_enforcement",
        "expropriation",
        "administrative_confirmation",
        "administrative_payment",
        "administrative_agreement",
        "information_disclosure",
        "inaction",
        "other",
    ],
    "related_procedure_kind": ["petition", "reconsideration", "litigation"],
    "deadline_kind": ["reconsideration", "litigation", "litigation_outer_limit"],
    "deadline_notice_method": ["in_person", "phone", "written", "sms", "other"],
    "priority": ["normal", "high", "urgent"],
    "resolution_channel": [
        "reconciliation",
        "mediation",
        "adjudication",
        "reconsideration",
        "litigation",
    ],
    "art5_condition": [
        "organ_party",
        "arises_from_administration",
        "legal_rights_obligations",
        "counterparty_disputes",
    ],
    "dispatch_role": ["presiding", "participating"],
    "assignment_status": [
        "offered",
        "accepted",
        "declined",
        "expired",
        "conflict_reported",
        "completed",
        "withdrawn",
    ],
    "decline_reason": ["conflict_of_interest", "work_conflict", "other"],
    "conflict_decision": ["release", "keep"],
    "exclusion_reason": [
        "not_in_pool",
        "certificate_inactive",
        "specialty_mismatch",
        "conflict_of_interest",
        "at_capacity",
        "declined_before",
        "already_assigned",
        "unavailable",
    ],
    "outcome_type": [
        "reconciled",
        "mediated",
        "act_corrected",
        "explained",
        "withdrawn",
        "referred_reconsideration",
        "referred_litigation",
        "referred_adjudication",
        "terminated",
        "not_administrative_dispute",
    ],
    "performance_status": ["fulfilled", "breached"],
    # SPEC 2.16 names the event types; webhook.disabled is ours (docs/decisions.md).
    "event_type": [
        "case.received",
        "case.corrected",
        "case.classified",
        "case.deadline_warning",
        "case.closed",
        "case.reopened",
        "assignment.offered",
        "assignment.accepted",
        "assignment.declined",
        "assignment.conflict_reported",
        "assignment.conflict_decided",
        "assignment.expired",
        "outcome.recorded",
        "pool.membership_changed",
        "lawyer.certificate_changed",
        "activity.confirmed",
        "honour.awarded",
        "webhook.disabled",
        "assignment.withdrawn",
    ],
    "delivery_status": ["pending", "delivering", "succeeded", "failed"],
    # SPEC 2.11, in its order
    "activity_kind": [
        "policy_advice",
        "legality_review",
        "phone_consultation",
        "letter_reply",
        "complaint_reception",
        "administrative_mediation",
        "risk_screening",
        "seminar",
        "training",
        "study_visit",
        "case_explanation",
        "law_lecture",
        "outreach",
        "research",
    ],
    "activity_status": ["submitted", "returned", "confirmed", "withdrawn"],
    "venue_type": ["village", "community", "enterprise", "school", "organ", "other"],
    "campaign": ["three_visits", "practical_deeds", "dual_contact", "none"],
    "mediation_role": ["presiding", "participating"],
    # SPEC 2.13
    "selection_status": ["open", "published"],
    "typical_decision": ["selected", "not_selected"],
    # SPEC 2.14
    "evaluation_status": ["open", "closed"],
    "honour_kind": ["advanced_individual", "advanced_unit"],
}

# Labels SPEC.md itself gives; the enums reuse them verbatim.
SPEC_LABELS: dict[str, dict[str, str]] = {
    "role": {
        "admin": "系统管理员",
        "supervisor": "司法行政机关",
        "center_coordinator": "和解中心工作人员",
        "agency_officer": "单位法治机构/办公室",
        "lawyer": "公职律师",
    },
    "intake_channel": {
        "phone_consultation": "电话咨询",
        "letter": "来信来函",
        "complaint": "投诉",
        "report": "举报",
        "petition": "信访",
        "visit": "来访",
        "reconsideration_referral": "复议机关转来",
        "court_referral": "法院诉前转来",
        "risk_screening": "隐患排查",
    },
    "resolution_channel": {
        "reconciliation": "和解",
        "mediation": "调解",
        "adjudication": "裁决",
        "reconsideration": "复议",
        "litigation": "诉讼",
    },
    "dispatch_role": {"presiding": "主持", "participating": "参加"},
    "activity_kind": {
        "policy_advice": "制度建设意见建议",
        "legality_review": "辅助法制审核",
        "phone_consultation": "电话咨询答复",
        "letter_reply": "来信来函答复",
        "complaint_reception": "接待投诉举报或信访",
        "administrative_mediation": "主持或参与行政调解",
        "risk_screening": "行政纠纷隐患排查",
        "seminar": "研讨会、论坛",
        "training": "专业培训",
        "study_visit": "参观见学",
        "case_explanation": "释案说法",
        "law_lecture": "专题法课",
        "outreach": "送法进乡村社区企业学校",
        "research": "法律学术研究、发表文章",
    },
    "venue_type": {
        "village": "乡村",
        "community": "社区",
        "enterprise": "企业",
        "school": "学校",
        "organ": "机关",
    },
    "campaign": {
        "three_visits": "三遍访",
        "practical_deeds": "我为群众办实事",
        "dual_contact": "双联共建",
    },
    "outcome_type": {
        "reconciled": "和解",
        "mediated": "调解",
        "act_corrected": "行政机关自行纠正",
        "explained": "释法明理息诉",
        "withdrawn": "申请人撤回",
        "referred_reconsideration": "引导复议",
        "referred_litigation": "引导诉讼",
        "referred_adjudication": "引导裁决",
        "terminated": "终止",
    },
    "act_type": {
        "administrative_penalty": "行政处罚",
        "administrative_license": "行政许可",
        "administrative_enforcement": "行政强制",
        "expropriation": "征收征用",
        "administrative_confirmation": "行政确认",
        "administrative_payment": "行政给付",
        "administrative_agreement": "行政协议",
        "information_disclosure": "政府信息公开",
        "inaction": "不履行法定职责",
    },
}

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_registry_has_exactly_the_spec_enums() -> None:
    assert set(ENUMS) == set(SPEC_CODES)


@pytest.mark.parametrize("name", sorted(SPEC_CODES))
def test_codes_match_spec_in_order(name: str) -> None:
    assert [m.value for m in ENUMS[name]] == SPEC_CODES[name]
    assert ENUMS[name].codes() == tuple(SPEC_CODES[name])


@pytest.mark.parametrize("name", sorted(SPEC_CODES))
def test_codes_are_snake_case_and_unique(name: str) -> None:
    codes = [m.value for m in ENUMS[name]]
    assert len(codes) == len(set(codes))
    # Event types are dotted as SPEC 2.16 spells them: snake_case on each side of the dot.
    parts = [part for code in codes for part in code.split(".")] if name == "event_type" else codes
    assert all(SNAKE_CASE.fullmatch(part) for part in parts), codes


@pytest.mark.parametrize("name", sorted(SPEC_CODES))
def test_every_member_has_a_chinese_label(name: str) -> None:
    for member in ENUMS[name]:
        assert isinstance(member.label_zh, str)
        assert CJK.search(member.label_zh), (name, member.value, member.label_zh)
        assert member.label_zh == member.label_zh.strip()


@pytest.mark.parametrize("name", sorted(SPEC_LABELS))
def test_labels_given_by_spec_are_reused(name: str) -> None:
    labels = {m.value: m.label_zh for m in ENUMS[name]}
    for code, label in SPEC_LABELS[name].items():
        assert labels[code] == label


def test_registry_names_are_snake_case() -> None:
    assert all(SNAKE_CASE.fullmatch(name) for name in ENUMS)


def test_members_are_strings_equal_to_their_codes() -> None:
    for enum_cls in ENUMS.values():
        assert issubclass(enum_cls, StrEnum)
        assert issubclass(enum_cls, LabelledEnum)
        for member in enum_cls:
            assert isinstance(member, str)
            assert member == member.value
            assert str(member) == member.value
            assert f"{member}" == member.value
            assert enum_cls(member.value) is member
    # Typed as ``str``: mypy's strict equality refuses enum-literal == str-literal.
    admin: str = "admin"
    natural_person: str = "natural_person"
    assert admin == Role.ADMIN
    assert natural_person == ApplicantKind.NATURAL_PERSON
    assert ApplicantKind.NATURAL_PERSON.label_zh == "自然人"
    assert AgencyKind("administrative_organ") is AgencyKind.ADMINISTRATIVE_ORGAN
    assert json.dumps({"role": Role.LAWYER}) == '{"role": "lawyer"}'


def test_unknown_code_is_refused() -> None:
    with pytest.raises(ValueError):
        Role("root")


def test_member_without_label_is_refused() -> None:
    with pytest.raises(TypeError):

        class Broken(LabelledEnum):
            ONLY_CODE = "only_code"


def test_resolved_outcomes_are_the_first_five() -> None:
    assert list(OutcomeType)[:5] == sorted(RESOLVED_OUTCOMES, key=list(OutcomeType).index)
    assert OutcomeType.NOT_ADMINISTRATIVE_DISPUTE not in RESOLVED_OUTCOMES


def test_enum_catalogue_shape() -> None:
    catalogue = enum_catalogue()
    assert list(catalogue) == list(ENUMS)
    for name, entries in catalogue.items():
        assert [entry["code"] for entry in entries] == SPEC_CODES[name]
        for entry, member in zip(entries, ENUMS[name], strict=True):
            assert set(entry) == {"code", "label_zh"}
            assert type(entry["code"]) is str
            assert entry["label_zh"] == member.label_zh
    json.dumps(catalogue, ensure_ascii=False)
