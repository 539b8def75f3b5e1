"""Every enumerated code of the product contract (SPEC.md), with its zh-CN label.

Codes are the snake_case strings the API speaks and the database stores; they are
binding and must never be renamed. Labels are for people (``GET /api/v1/meta/enums``)
and may be improved freely.

Each enum is a :class:`enum.StrEnum`, so a member compares equal to its code and
serialises as the bare code (Pydantic, JSON, SQL text columns), while carrying its
Chinese label in ``label_zh``. Members are declared as ``CODE = "code", "标签"``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

__all__ = [
    "RESOLVED_OUTCOMES",
    "ActType",
    "ActivityKind",
    "ActivityStatus",
    "AgencyKind",
    "AgencyLevel",
    "ApplicantKind",
    "Art5Condition",
    "AssignmentStatus",
    "Campaign",
    "CaseStatus",
    "CertificateStatus",
    "ConflictDecision",
    "DeadlineKind",
    "DeadlineNoticeMethod",
    "DeclineReason",
    "DeliveryStatus",
    "DispatchRole",
    "EvaluationStatus",
    "EventType",
    "ExclusionReason",
    "HonourKind",
    "IdType",
    "IntakeChannel",
    "LabelledEnum",
    "MediationRole",
    "MembershipStatus",
    "OutcomeType",
    "PerformanceStatus",
    "PoolCompliance",
    "Priority",
    "RelatedProcedureKind",
    "ResolutionChannel",
    "Role",
    "SelectionStatus",
    "TypicalDecision",
    "VenueType",
]


class LabelledEnum(StrEnum):
    """A string enum whose members carry a zh-CN label.

    ``value`` (and ``str(member)``) is the code; ``label_zh`` is the label.
    A member declared without a label fails at import time.
    """

    _value_: str
    label_zh: str

    # ``label_zh`` has a default only so that type checkers accept the value lookup
    # ``Role("admin")`` (which never reaches ``__new__``); a member declared
    # without a label is still refused below when its class is created.
    def __new__(cls, code: str, label_zh: str = "") -> Self:
        if not isinstance(code, str) or not code:
            raise TypeError(f"{cls.__name__}: code must be a non-empty str, got {code!r}")
        if not isinstance(label_zh, str) or not label_zh:
            raise TypeError(f"{cls.__name__}.{code}: label_zh must be a non-empty str")
        member = str.__new__(cls, code)
        member._value_ = code
        member.label_zh = label_zh
        return member

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        """The codes in declaration order."""
        return tuple(member.value for member in cls)


# --- 1. Users -------------------------------------------------------------------


class Role(LabelledEnum):
    """Who acts (SPEC 1); also the role an API key carries."""

    ADMIN = "admin", "系统管理员"
    SUPERVISOR = "supervisor", "司法行政机关"
    CENTER_COORDINATOR = "center_coordinator", "和解中心工作人员"
    AGENCY_OFFICER = "agency_officer", "单位法治机构/办公室"
    LAWYER = "lawyer", "公职律师"


# --- 2.1 Agencies ---------------------------------------------------------------


class AgencyKind(LabelledEnum):
    """Kind of agency; only an administrative organ can be a respondent (Art. 5(1)) — and
    the judicial bureau is one (it is sued too), the center and people's organizations
    are not."""

    ADMINISTRATIVE_ORGAN = "administrative_organ", "行政机关"
    JUDICIAL_BUREAU = "judicial_bureau", "司法行政机关"
    RECONCILIATION_CENTER = "reconciliation_center", "行政争议审前和解中心"
    PEOPLES_ORGANIZATION = "peoples_organization", "人民团体"
    OTHER = "other", "其他"

    @property
    def is_administrative_organ(self) -> bool:
        return self in ADMINISTRATIVE_ORGAN_KINDS


# The kinds that are administrative organs: respondents of cases (SPEC 2.1) and the agencies
# the pool compliance report covers (SPEC 2.4).
ADMINISTRATIVE_ORGAN_KINDS = frozenset(
    {AgencyKind.ADMINISTRATIVE_ORGAN, AgencyKind.JUDICIAL_BUREAU}
)


class AgencyLevel(LabelledEnum):
    """Administrative level of an agency."""

    CITY = "city", "市级"
    COUNTY = "county", "县(市、区)级"
    ZONE = "zone", "市属开发区"


# --- 2.3 Public lawyers ---------------------------------------------------------


class CertificateStatus(LabelledEnum):
    """Status of a public lawyer's certificate (公职律师证书)."""

    ACTIVE = "active", "有效"
    SUSPENDED = "suspended", "暂停执业"
    REVOKED = "revoked", "吊销"


# --- 2.4 Mediator pool ----------------------------------------------------------


class MembershipStatus(LabelledEnum):
    """Status of a mediator-pool membership (和解调解员人才库, Art. 10).

    ``rejected`` is the end state of ``POST /pool/memberships/{id}/reject``.
    """

    NOMINATED = "nominated", "已推荐"
    APPROVED = "approved", "已入库"
    REJECTED = "rejected", "未予入库"
    WITHDRAWN = "withdrawn", "已退出"


class PoolCompliance(LabelledEnum):
    """An agency's pool count for a year against the policy bounds."""

    BELOW = "below", "低于下限"
    WITHIN = "within", "符合要求"
    OVER = "over", "超出上限"


# --- 2.5 Cases and intake -------------------------------------------------------


class CaseStatus(LabelledEnum):
    """States of a case (SPEC 2.9)."""

    RECEIVED = "received", "已登记"
    CLASSIFIED = "classified", "已识别"
    AWAITING_ACCEPTANCE = "awaiting_acceptance", "待接受委派"
    IN_MEDIATION = "in_mediation", "和解调解中"
    CLOSED = "closed", "已办结"


class IntakeChannel(LabelledEnum):
    """Where a dispute came from (来源, Art. 7)."""

    PHONE_CONSULTATION = "phone_consultation", "电话咨询"
    LETTER = "letter", "来信来函"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    PETITION = "petition", "信访"
    VISIT = "visit", "来访"
    RECONSIDERATION_REFERRAL = "reconsideration_referral", "复议机关转来"
    COURT_REFERRAL = "court_referral", "法院诉前转来"
    RISK_SCREENING = "risk_screening", "隐患排查"


class ApplicantKind(LabelledEnum):
    """Kind of applicant (公民、法人或者其他组织)."""

    NATURAL_PERSON = "natural_person", "自然人"
    LEGAL_PERSON = "legal_person", "法人"
    OTHER_ORG = "other_org", "其他组织"


class IdType(LabelledEnum):
    """Type of an applicant's identity document."""

    RESIDENT_ID = "resident_id", "居民身份证"
    CREDIT_CODE = "credit_code", "统一社会信用代码"
    PASSPORT = "passport", "护照"
    OTHER = "other", "其他证件"


class ActType(LabelledEnum):
    """Type of the disputed administrative act (被诉行政行为类型)."""

    ADMINISTRATIVE_PENALTY = "administrative_penalty", "行政处罚"
    ADMINISTRATIVE_LICENSE = "administrative_license", "行政许可"
    ADMINISTRATIVE_ENFORCEMENT = "administrative_enforcement", "行政强制"
    EXPROPRIATION = "expropriation", "征收征用"
    ADMINISTRATIVE_CONFIRMATION = "administrative_confirmation", "行政确认"
    ADMINISTRATIVE_PAYMENT = "administrative_payment", "行政给付"
    ADMINISTRATIVE_AGREEMENT = "administrative_agreement", "行政协议"
    INFORMATION_DISCLOSURE = "information_disclosure", "政府信息公开"
    INACTION = "inaction", "不履行法定职责"
    OTHER = "other", "其他"


class RelatedProcedureKind(LabelledEnum):
    """The same dispute pending in another channel."""

    PETITION = "petition", "信访"
    RECONSIDERATION = "reconsideration", "行政复议"
    LITIGATION = "litigation", "行政诉讼"


class DeadlineKind(LabelledEnum):
    """Statutory remedy deadlines derived at intake (法定期限)."""

    RECONSIDERATION = "reconsideration", "行政复议申请期限"
    LITIGATION = "litigation", "行政诉讼起诉期限"
    LITIGATION_OUTER_LIMIT = "litigation_outer_limit", "最长起诉期限"


class DeadlineNoticeMethod(LabelledEnum):
    """How the center told the applicant of the remedy deadlines."""

    IN_PERSON = "in_person", "当面告知"
    PHONE = "phone", "电话告知"
    WRITTEN = "written", "书面告知"
    SMS = "sms", "短信告知"
    OTHER = "other", "其他方式"


# --- 2.6 Classification ---------------------------------------------------------


class Priority(LabelledEnum):
    """Handling priority of a case."""

    NORMAL = "normal", "一般"
    HIGH = "high", "较急"
    URGENT = "urgent", "紧急"


class ResolutionChannel(LabelledEnum):
    """Lawful channels of resolution, in Art. 8's order of preference."""

    RECONCILIATION = "reconciliation", "和解"
    MEDIATION = "mediation", "调解"
    ADJUDICATION = "adjudication", "裁决"
    RECONSIDERATION = "reconsideration", "复议"
    LITIGATION = "litigation", "诉讼"


class Art5Condition(LabelledEnum):
    """The four conditions of an administrative dispute (Art. 5)."""

    ORGAN_PARTY = "organ_party", "争议一方为行政机关"
    ARISES_FROM_ADMINISTRATION = "arises_from_administration", "因行政管理行为引起"
    LEGAL_RIGHTS_OBLIGATIONS = "legal_rights_obligations", "涉及行政法上的权利义务"
    COUNTERPARTY_DISPUTES = "counterparty_disputes", "相对人对行政行为合法性、适当性有异议"


# --- 2.7 Dispatch ---------------------------------------------------------------


class DispatchRole(LabelledEnum):
    """A mediator's role on a case (Art. 10)."""

    PRESIDING = "presiding", "主持"
    PARTICIPATING = "participating", "参加"


class AssignmentStatus(LabelledEnum):
    """Life cycle of a dispatch offer (委派)."""

    OFFERED = "offered", "已委派待答复"
    ACCEPTED = "accepted", "已接受"
    DECLINED = "declined", "已谢绝"
    EXPIRED = "expired", "逾期未答复"
    CONFLICT_REPORTED = "conflict_reported", "工作冲突待单位处理"
    COMPLETED = "completed", "已完成"
    WITHDRAWN = "withdrawn", "已撤回"


class DeclineReason(LabelledEnum):
    """Why a lawyer declines an offer."""

    CONFLICT_OF_INTEREST = "conflict_of_interest", "回避"
    WORK_CONFLICT = "work_conflict", "工作冲突(报请单位负责人处理)"
    OTHER = "other", "其他"


class ConflictDecision(LabelledEnum):
    """The agency head's ruling on a reported work conflict (Art. 9)."""

    RELEASE = "release", "同意不参加"
    KEEP = "keep", "继续参加"


class ExclusionReason(LabelledEnum):
    """Why a lawyer is not eligible for a dispatch."""

    NOT_IN_POOL = "not_in_pool", "非本年度人才库成员"
    CERTIFICATE_INACTIVE = "certificate_inactive", "公职律师证书非有效状态"
    SPECIALTY_MISMATCH = "specialty_mismatch", "专业领域与案件业务系统不符"
    CONFLICT_OF_INTEREST = "conflict_of_interest", "应当回避(来自被申请单位)"
    AT_CAPACITY = "at_capacity", "在办委派已达上限"
    DECLINED_BEFORE = "declined_before", "曾谢绝或逾期未答复本案委派"
    ALREADY_ASSIGNED = "already_assigned", "已受委派本案"
    UNAVAILABLE = "unavailable", "当日不在岗"


# --- 2.8 Outcome ----------------------------------------------------------------


class OutcomeType(LabelledEnum):
    """How a case ended; the first five count as resolved (化解成功)."""

    RECONCILED = "reconciled", "和解"
    MEDIATED = "mediated", "调解"
    ACT_CORRECTED = "act_corrected", "行政机关自行纠正"
    EXPLAINED = "explained", "释法明理息诉"
    WITHDRAWN = "withdrawn", "申请人撤回"
    REFERRED_RECONSIDERATION = "referred_reconsideration", "引导复议"
    REFERRED_LITIGATION = "referred_litigation", "引导诉讼"
    REFERRED_ADJUDICATION = "referred_adjudication", "引导裁决"
    TERMINATED = "terminated", "终止"
    NOT_ADMINISTRATIVE_DISPUTE = "not_administrative_dispute", "不属于行政争议"


class PerformanceStatus(LabelledEnum):
    """Performance of a reconciliation or mediation agreement (履行情况)."""

    FULFILLED = "fulfilled", "已履行"
    BREACHED = "breached", "未履行"


# --- 2.16 Events and webhooks ---------------------------------------------------


class EventType(LabelledEnum):
    """What an event in the feed and in webhook deliveries says happened (SPEC 2.16)."""

    CASE_RECEIVED = "case.received", "案件已登记"
    CASE_CORRECTED = "case.corrected", "案件信息已更正"
    CASE_CLASSIFIED = "case.classified", "案件已识别"
    CASE_DEADLINE_WARNING = "case.deadline_warning", "案件进入法定期限预警"
    CASE_CLOSED = "case.closed", "案件已办结"
    CASE_REOPENED = "case.reopened", "案件已重新启动"
    ASSIGNMENT_OFFERED = "assignment.offered", "已委派"
    ASSIGNMENT_ACCEPTED = "assignment.accepted", "委派已接受"
    ASSIGNMENT_DECLINED = "assignment.declined", "委派已谢绝"
    ASSIGNMENT_CONFLICT_REPORTED = "assignment.conflict_reported", "报告工作冲突"
    ASSIGNMENT_CONFLICT_DECIDED = "assignment.conflict_decided", "工作冲突已处理"
    ASSIGNMENT_EXPIRED = "assignment.expired", "委派逾期未答复"
    OUTCOME_RECORDED = "outcome.recorded", "化解结果已记录"
    POOL_MEMBERSHIP_CHANGED = "pool.membership_changed", "人才库成员变更"
    LAWYER_CERTIFICATE_CHANGED = "lawyer.certificate_changed", "公职律师证书状态变更"
    ACTIVITY_CONFIRMED = "activity.confirmed", "履职活动已确认"
    HONOUR_AWARDED = "honour.awarded", "表彰已授予"
    WEBHOOK_DISABLED = "webhook.disabled", "推送地址因持续失败已停用"
    # Beyond SPEC 2.16's list: a coordinator withdrew a live offer (SPEC 2.7, issue 11).
    ASSIGNMENT_WITHDRAWN = "assignment.withdrawn", "委派已撤回"


class DeliveryStatus(LabelledEnum):
    """Life cycle of one webhook delivery (one event to one endpoint)."""

    PENDING = "pending", "待推送"
    DELIVERING = "delivering", "推送中"
    SUCCEEDED = "succeeded", "推送成功"
    FAILED = "failed", "推送失败"


class ActivityKind(LabelledEnum):
    """What a public lawyer did outside a dispatched case (SPEC 2.11): Art. 7 inside their
    agency, Art. 13 learning, Art. 14 law promotion, Art. 17 research."""

    POLICY_ADVICE = "policy_advice", "制度建设意见建议"
    LEGALITY_REVIEW = "legality_review", "辅助法制审核"
    PHONE_CONSULTATION = "phone_consultation", "电话咨询答复"
    LETTER_REPLY = "letter_reply", "来信来函答复"
    COMPLAINT_RECEPTION = "complaint_reception", "接待投诉举报或信访"
    ADMINISTRATIVE_MEDIATION = "administrative_mediation", "主持或参与行政调解"
    RISK_SCREENING = "risk_screening", "行政纠纷隐患排查"
    SEMINAR = "seminar", "研讨会、论坛"
    TRAINING = "training", "专业培训"
    STUDY_VISIT = "study_visit", "参观见学"
    CASE_EXPLANATION = "case_explanation", "释案说法"
    LAW_LECTURE = "law_lecture", "专题法课"
    OUTREACH = "outreach", "送法进乡村社区企业学校"
    RESEARCH = "research", "法律学术研究、发表文章"


class ActivityStatus(LabelledEnum):
    """Life cycle of a recorded activity; only ``confirmed`` ones count (SPEC 2.11)."""

    SUBMITTED = "submitted", "待确认"
    RETURNED = "returned", "已退回"
    CONFIRMED = "confirmed", "已确认"
    WITHDRAWN = "withdrawn", "已撤回"


class VenueType(LabelledEnum):
    """Where law was taken to (送法进…, Art. 14)."""

    VILLAGE = "village", "乡村"
    COMMUNITY = "community", "社区"
    ENTERPRISE = "enterprise", "企业"
    SCHOOL = "school", "学校"
    ORGAN = "organ", "机关"
    OTHER = "other", "其他"


class Campaign(LabelledEnum):
    """The campaign an activity was part of (Art. 14)."""

    THREE_VISITS = "three_visits", "三遍访"
    PRACTICAL_DEEDS = "practical_deeds", "我为群众办实事"
    DUAL_CONTACT = "dual_contact", "双联共建"
    NONE = "none", "无"


class MediationRole(LabelledEnum):
    """A lawyer's part in an administrative mediation (Art. 7)."""

    PRESIDING = "presiding", "主持"
    PARTICIPATING = "participating", "参与"


class SelectionStatus(LabelledEnum):
    """A typical-case selection (典型案例评选, SPEC 2.13): open for decisions, then published
    and frozen."""

    OPEN = "open", "评选中"
    PUBLISHED = "published", "已发布"


class TypicalDecision(LabelledEnum):
    """The supervisor's decision on a nominated case."""

    SELECTED = "selected", "入选"
    NOT_SELECTED = "not_selected", "未入选"


class EvaluationStatus(LabelledEnum):
    """An annual evaluation round (评选表彰, SPEC 2.14): open for honours, then closed."""

    OPEN = "open", "评选中"
    CLOSED = "closed", "已结束"


class HonourKind(LabelledEnum):
    """What an evaluation awards (Art. 19)."""

    ADVANCED_INDIVIDUAL = "advanced_individual", "先进个人"
    ADVANCED_UNIT = "advanced_unit", "先进单位"


RESOLVED_OUTCOMES: frozenset[OutcomeType] = frozenset(
    {
        OutcomeType.RECONCILED,
        OutcomeType.MEDIATED,
        OutcomeType.ACT_CORRECTED,
        OutcomeType.EXPLAINED,
        OutcomeType.WITHDRAWN,
    }
)
"""Outcomes that count as resolved (化解成功, SPEC 2.8)."""
