"""The catalogue of every code the API speaks: ``GET /meta/enums`` and the OpenAPI guide
read it, and a unit test holds it to SPEC.md's lists."""

from __future__ import annotations

from app.states.codes import (
    ActivityKind,
    ActivityStatus,
    ActType,
    AgencyKind,
    AgencyLevel,
    ApplicantKind,
    Art5Condition,
    AssignmentStatus,
    Campaign,
    CaseStatus,
    CertificateStatus,
    ConflictDecision,
    DeadlineKind,
    DeadlineNoticeMethod,
    DeclineReason,
    DeliveryStatus,
    DispatchRole,
    EvaluationStatus,
    EventType,
    ExclusionReason,
    HonourKind,
    IdType,
    IntakeChannel,
    LabelledEnum,
    MediationRole,
    MembershipStatus,
    OutcomeType,
    PerformanceStatus,
    PoolCompliance,
    Priority,
    RelatedProcedureKind,
    ResolutionChannel,
    Role,
    SelectionStatus,
    TypicalDecision,
    VenueType,
)

__all__ = ["ENUMS", "enum_catalogue"]


ENUMS: dict[str, type[LabelledEnum]] = {
    "role": Role,
    "agency_kind": AgencyKind,
    "agency_level": AgencyLevel,
    "certificate_status": CertificateStatus,
    "membership_status": MembershipStatus,
    "pool_compliance": PoolCompliance,
    "case_status": CaseStatus,
    "intake_channel": IntakeChannel,
    "applicant_kind": ApplicantKind,
    "id_type": IdType,
    "act_type": ActType,
    "related_procedure_kind": RelatedProcedureKind,
    "deadline_kind": DeadlineKind,
    "deadline_notice_method": DeadlineNoticeMethod,
    "priority": Priority,
    "resolution_channel": ResolutionChannel,
    "art5_condition": Art5Condition,
    "dispatch_role": DispatchRole,
    "assignment_status": AssignmentStatus,
    "decline_reason": DeclineReason,
    "conflict_decision": ConflictDecision,
    "exclusion_reason": ExclusionReason,
    "outcome_type": OutcomeType,
    "performance_status": PerformanceStatus,
    "event_type": EventType,
    "delivery_status": DeliveryStatus,
    "activity_kind": ActivityKind,
    "activity_status": ActivityStatus,
    "venue_type": VenueType,
    "campaign": Campaign,
    "mediation_role": MediationRole,
    "selection_status": SelectionStatus,
    "typical_decision": TypicalDecision,
    "evaluation_status": EvaluationStatus,
    "honour_kind": HonourKind,
}
"""Every enum, keyed by its stable snake_case name (used by ``GET /meta/enums``)."""


def enum_catalogue() -> dict[str, list[dict[str, str]]]:
    """Every enum as ``{name: [{"code", "label_zh"}, ...]}``, members in declaration order."""
    return {
        name: [{"code": member.value, "label_zh": member.label_zh} for member in enum_cls]
        for name, enum_cls in ENUMS.items()
    }
