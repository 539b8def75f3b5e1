"""Classification suggestion (争议识别建议, SPEC 2.6, measures Art. 5 and 8): the scorer.

An explainable scorer behind ``GET /api/v1/cases/{id}/classification-suggestion``. It proposes
and never decides: ranked business systems and act types with the words that support them, the
Art. 5 conditions that can be judged from data, a priority and the Art. 8 channel to recommend.
The vocabulary is data (:mod:`app.domain.classification.lexicon`); an optional statistical model
(:mod:`app.domain.classification.model`) adds its probabilities when its file is present.

Reading: each text field is NFKC-normalised, case-folded and stripped of whitespace; neutral
phrases (跳楼价, 交通拥堵) are blanked out; keyword hits count only on word boundaries found by
segmentation (:mod:`app.domain.classification.segment`); each class takes the longest of its
keywords at a position and continues after it, so 征收 inside 征收补偿 is not counted twice.

Scoring, per class: each distinct keyword adds ``weight × field weight × role`` plus
``repeat_bonus`` of that for each further occurrence, up to ``max_repeats``. The role matters for
words naming an organ or institution (交警, 医院, 人社局): only mentioned, they are context and
weigh ``context_weight``; named as the author of the act, ``acting_organ_weight``.

The respondent is evidence: when the respondent agency is known, its business system is ranked
first unless the text names another system's organ as the author of the act, none of the
respondent's, and that system's text outscores the respondent's; the suggestion then says so and
why (:class:`RespondentEvidence`). The act type chosen at intake adds a moderate prior. Scores are
normalised to 0..1 as ``raw / max(sum of positive raw scores, score_saturation)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.domain.classification import guidance
from app.domain.classification.keywords import KeywordSet
from app.domain.classification.lexicon import TEXT_FIELDS, Lexicon, LexiconSettings, load_lexicon
from app.domain.classification.reading import ReadField, keywords_of, read_fields
from app.domain.classification.results import (
    Candidate,
    Evidence,
    ModelScores,
    RespondentEvidence,
    Suggestion,
)

__all__ = ["suggest"]

_SCORE_DIGITS = 4


# --- Suggesting -----------------------------------------------------------------------------


def suggest(
    text_fields: Mapping[str, str],
    *,
    respondent_kind: str | None,
    respondent_business_system: str | None,
    applicant_count: int,
    collective_threshold: int,
    act_type_hint: str | None,
    lexicon: Lexicon | None = None,
    model_scores: ModelScores | None = None,
) -> Suggestion:
    """Propose a classification for a case from its text and the data known about it.

    ``text_fields`` maps field names from :data:`TEXT_FIELDS` (title, facts, claims,
    act_description) to text; missing fields count as empty. ``respondent_kind`` is the
    respondent agency's :class:`AgencyKind` code, ``respondent_business_system`` its
    business-system code, ``act_type_hint`` the act type recorded at intake (None when not
    given). ``collective_threshold`` is the policy's ``collective_threshold``.
    ``model_scores`` are the optional statistical model's probabilities for these texts.
    """
    lex = lexicon if lexicon is not None else load_lexicon()
    unknown = sorted(set(text_fields) - set(TEXT_FIELDS))
    if unknown:
        raise ValueError(f"unknown text fields {unknown}; expected some of {list(TEXT_FIELDS)}")
    if applicant_count < 0:
        raise ValueError("applicant_count must not be negative")
    if collective_threshold < 1:
        raise ValueError("collective_threshold must be at least 1")

    texts = read_fields(text_fields, lex)
    business_systems, respondent = _rank_business_systems(
        lex, texts, respondent_business_system, model_scores
    )
    act_types = _rank(
        [_score_class(code, kset, texts, lex) for code, kset in lex.act_types.items()],
        lex.settings,
        prior_code=act_type_hint,
        prior=lex.settings.act_type_hint_prior,
        model=model_scores.act_types if model_scores else None,
        model_weight=model_scores.act_weight if model_scores else 0.0,
    )
    conditions = guidance.conditions(respondent_kind, act_types)
    priority = guidance.priority(lex, texts, applicant_count, collective_threshold)
    organ_party = conditions[0].met
    channel = guidance.channel(lex, texts, act_types, organ_party)
    return Suggestion(
        lexicon_version=lex.version,
        business_systems=business_systems,
        act_types=act_types,
        conditions=conditions,
        priority=priority,
        recommended_channel=channel,
        respondent=respondent,
        method="lexicon+model" if model_scores is not None else "lexicon",
    )


@dataclass(frozen=True, slots=True)
class _Scored:
    code: str
    text_score: float
    evidence: tuple[Evidence, ...]

    @property
    def names_author(self) -> bool:
        return any(item.role == "acting_organ" for item in self.evidence)


def _score_class(
    code: str,
    kset: KeywordSet,
    fields: Sequence[ReadField],
    lex: Lexicon,
    *,
    organs: frozenset[str] = frozenset(),
    institutions: frozenset[str] = frozenset(),
) -> _Scored:
    """One class's text score and evidence; ``organs`` are its keywords that name an organ,
    ``institutions`` those that name a body that cannot act (both weigh less as context)."""
    settings = lex.settings
    counts: dict[str, dict[str, int]] = {}
    acting: set[str] = set()
    for text in fields:
        for position, keyword in kset.matches(text.hits):
            per_field = counts.setdefault(keyword, {})
            per_field[text.name] = per_field.get(text.name, 0) + 1
            if keyword in organs and text.names_as_author(position, keyword):
                acting.add(keyword)
    total = 0.0
    evidence: list[Evidence] = []
    for keyword, per_field in counts.items():
        if keyword in acting:
            role = "acting_organ"
        elif keyword in organs or keyword in institutions:
            role = "context"
        else:
            role = "act"
        factor = {
            "acting_organ": settings.acting_organ_weight,
            "context": settings.context_weight,
        }.get(role, 1.0)
        field_weight = max(settings.field_weights.get(name, 1.0) for name in per_field)
        occurrences = min(sum(per_field.values()), settings.max_repeats)
        repeat = 1.0 + settings.repeat_bonus * (occurrences - 1)
        total += kset.weights[keyword] * field_weight * repeat * factor
        evidence.extend(
            Evidence(name, keyword, kset.weights[keyword], count, role)
            for name, count in per_field.items()
        )
    order = {name: index for index, name in enumerate(TEXT_FIELDS)}
    evidence.sort(key=lambda e: (-e.weight, order[e.field], e.keyword))
    return _Scored(code, total, tuple(evidence))


def _rank(
    scored: Iterable[_Scored],
    settings: LexiconSettings,
    *,
    prior_code: str | None,
    prior: float,
    model: Mapping[str, float] | None,
    model_weight: float,
    minimum_prior: Mapping[str, float] | None = None,
) -> tuple[Candidate, ...]:
    rows: list[tuple[float, str, float, float, tuple[Evidence, ...], float | None]] = []
    for item in scored:
        code_prior = (
            prior
            if prior_code == item.code and item.code not in settings.prior_excluded_codes
            else 0.0
        )
        if minimum_prior and item.code in minimum_prior:
            code_prior = max(code_prior, minimum_prior[item.code])
        probability = model.get(item.code, 0.0) if model is not None else None
        raw = item.text_score + code_prior + model_weight * (probability or 0.0)
        if raw > 0:
            rows.append((raw, item.code, item.text_score, code_prior, item.evidence, probability))
    if not rows:
        return ()
    scale = max(sum(row[0] for row in rows), settings.score_saturation)
    rows.sort(key=lambda row: (-row[0], row[1]))
    return tuple(
        Candidate(
            code=code,
            score=round(raw / scale, _SCORE_DIGITS),
            text_score=round(text_score, _SCORE_DIGITS),
            prior=round(code_prior, _SCORE_DIGITS),
            evidence=evidence,
            model_score=None if probability is None else round(probability, _SCORE_DIGITS),
        )
        for raw, code, text_score, code_prior, evidence, probability in rows[
            : settings.max_candidates
        ]
    )


def _rank_business_systems(
    lex: Lexicon,
    fields: Sequence[ReadField],
    respondent_code: str | None,
    model_scores: ModelScores | None,
) -> tuple[tuple[Candidate, ...], RespondentEvidence]:
    """Rank the business systems, the respondent's first unless the text overrides it."""
    settings = lex.settings
    scored = {
        code: _score_class(
            code,
            kset,
            fields,
            lex,
            organs=lex.organ_keywords.get(code, frozenset()),
            institutions=lex.institution_keywords.get(code, frozenset()),
        )
        for code, kset in lex.business_systems.items()
    }
    model = model_scores.business_systems if model_scores else None
    weight = model_scores.system_weight if model_scores else 0.0

    def text_total(code: str) -> float:
        return scored[code].text_score + weight * (model.get(code, 0.0) if model else 0.0)

    def ranked(minimum: Mapping[str, float] | None) -> tuple[Candidate, ...]:
        return _rank(
            scored.values(),
            settings,
            prior_code=None,
            prior=0.0,
            model=model,
            model_weight=weight,
            minimum_prior=minimum,
        )

    if respondent_code is None or respondent_code not in scored:
        reason = "被申请单位未确定或其业务系统不在词库中:仅依据文本排序"
        return ranked(None), RespondentEvidence(respondent_code, False, None, reason, ())
    if respondent_code in settings.prior_excluded_codes:
        reason = f"被申请单位的业务系统为“{respondent_code}”,不作为先验:仅依据文本排序"
        return ranked(None), RespondentEvidence(respondent_code, False, None, reason, ())

    own = scored[respondent_code]
    own_authors = tuple(e for e in own.evidence if e.role == "acting_organ")
    # Strong, explained evidence only: the text names another system's organ as the author of
    # the act, and that system's words outweigh the respondent system's (by more when the text
    # names the respondent's organs as authors too).
    ratio = settings.contested_override_ratio if own_authors else settings.override_ratio
    own_total = text_total(respondent_code)
    challengers = sorted(
        (
            item
            for code, item in scored.items()
            if code != respondent_code
            and item.names_author
            and text_total(code) > 0
            and text_total(code) >= ratio * own_total
        ),
        key=lambda item: (-text_total(item.code), item.code),
    )
    if challengers:
        winner = challengers[0]
        authors = tuple(e for e in winner.evidence if e.role == "acting_organ")
        named_too = (
            f"虽也提到被申请单位所属系统的{keywords_of(own_authors)},但"
            if own_authors
            else "而未指明被申请单位所属系统的机关作出该行为,"
        )
        reason = (
            f"文本指明作出行为的是{keywords_of(authors)}(属“{winner.code}”),{named_too}"
            f"“{winner.code}”的文本得分{text_total(winner.code):.1f}达到被申请单位所属"
            f"“{respondent_code}”的{own_total:.1f}的{ratio:g}倍:改按文本排序,"
            "请核实被申请单位是否列对"
        )
        return ranked(None), RespondentEvidence(
            respondent_code, False, winner.code, reason, authors
        )
    best_other = max((text_total(code) for code in scored if code != respondent_code), default=0.0)
    # Ranked first: at least the configured prior, and enough to stay above any other system.
    needed = max(settings.respondent_prior, best_other - own_total + 1.0)
    if own_authors:
        why = f"文本也指明被申请单位所属系统的机关作出行为({keywords_of(own_authors)})"
    else:
        why = "文本中没有其他机关作出该行为的明确表述"
    reason = f"被申请单位的业务系统“{respondent_code}”作为强先验排在首位:{why}"
    return ranked({respondent_code: needed}), RespondentEvidence(
        respondent_code,
        True,
        None,
        reason,
        own_authors,
    )
