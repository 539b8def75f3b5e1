"""What the classification suggestion returns (SPEC 2.6): plain, frozen data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "Candidate",
    "ChannelSuggestion",
    "ConditionJudgement",
    "Evidence",
    "ModelScores",
    "PrioritySuggestion",
    "RespondentEvidence",
    "Suggestion",
]


@dataclass(frozen=True, slots=True)
class Evidence:
    """A keyword found in one text field: its lexicon weight, how often it occurs there, and
    its role: ``act`` (about the act), ``context`` (an organ only mentioned) or ``acting_organ``
    (an organ named as the author of the act)."""

    field: str
    keyword: str
    weight: float
    count: int = 1
    role: str = "act"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A ranked business-system or act-type candidate.

    ``score`` is normalised to 0..1 (see the module notes); ``text_score`` is the raw score
    earned by the text's words, ``prior`` the raw score added from the respondent agency's
    business system or the intake act type, ``model_score`` the statistical model's
    probability (None without a model).
    """

    code: str
    score: float
    text_score: float
    prior: float
    evidence: tuple[Evidence, ...]
    model_score: float | None = None


@dataclass(frozen=True, slots=True)
class RespondentEvidence:
    """What the respondent agency's business system did to the ranking, and why."""

    business_system: str | None
    applied: bool
    overridden_by: str | None
    reason: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class ConditionJudgement:
    """One Art. 5 condition: ``met`` is True/False when the data decide it, None otherwise."""

    code: str
    met: bool | None
    note: str


@dataclass(frozen=True, slots=True)
class PrioritySuggestion:
    """The suggested priority with the reasons and the signal words found."""

    code: str
    collective: bool
    reasons: tuple[str, ...]
    urgent_evidence: tuple[Evidence, ...]
    high_evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class ChannelSuggestion:
    """The Art. 8 channel to recommend first, why, and the other channels in Art. 8's order."""

    code: str
    reason: str
    alternatives: tuple[str, ...]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Everything ``GET /cases/{id}/classification-suggestion`` proposes; nothing is changed."""

    lexicon_version: str
    business_systems: tuple[Candidate, ...]
    act_types: tuple[Candidate, ...]
    conditions: tuple[ConditionJudgement, ...]
    priority: PrioritySuggestion
    recommended_channel: ChannelSuggestion
    respondent: RespondentEvidence
    method: str
    """``lexicon`` or ``lexicon+model`` (the statistical model's file was loaded)."""


@dataclass(frozen=True, slots=True)
class ModelScores:
    """Probabilities from the optional statistical model, per business system and act type."""

    business_systems: Mapping[str, float]
    act_types: Mapping[str, float]
    system_weight: float
    act_weight: float
    """How many raw lexicon points a probability of 1 is worth when the two are combined."""
