"""Every table, imported here so that ``Base.metadata`` is complete for Alembic."""

from app.db.models.activities import Activity, ActivityLawyer
from app.db.models.assignments import Assignment
from app.db.models.audit import AuditRecord, FailedAuthenticationTally
from app.db.models.calendar import CalendarYear
from app.db.models.cases import (
    Case,
    CaseApplicant,
    CaseClassification,
    CaseCounter,
    CaseEvent,
    CaseOutcome,
    CaseSearchPairs,
    IdempotencyKey,
)
from app.db.models.evaluation import Evaluation, Honour
from app.db.models.events import Event, WebhookDelivery, WebhookEndpoint, WebhookFanout
from app.db.models.policy import PolicyVersion
from app.db.models.pool import PoolMembership
from app.db.models.reference import Agency, BusinessSystem
from app.db.models.registry import (
    Lawyer,
    LawyerOpenChange,
    LawyerSpecialty,
    LawyerUnavailability,
)
from app.db.models.security import ApiKey
from app.db.models.statistics import CaseStatCell, CaseStatDelta
from app.db.models.typical import TypicalCaseDecision, TypicalCaseSelection

__all__ = [
    "Activity",
    "ActivityLawyer",
    "Agency",
    "ApiKey",
    "Assignment",
    "AuditRecord",
    "BusinessSystem",
    "CalendarYear",
    "Case",
    "CaseApplicant",
    "CaseClassification",
    "CaseCounter",
    "CaseEvent",
    "CaseOutcome",
    "CaseSearchPairs",
    "CaseStatCell",
    "CaseStatDelta",
    "Evaluation",
    "Event",
    "FailedAuthenticationTally",
    "Honour",
    "IdempotencyKey",
    "Lawyer",
    "LawyerOpenChange",
    "LawyerSpecialty",
    "LawyerUnavailability",
    "PolicyVersion",
    "PoolMembership",
    "TypicalCaseDecision",
    "TypicalCaseSelection",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookFanout",
]
