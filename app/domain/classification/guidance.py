"""What the classification suggestion says beyond the ranking (SPEC 2.6): the Art. 5 conditions
the data can judge, a priority (collective → high; self-harm, mass incidents, extreme acts →
urgent) and the Art. 8 channel to recommend first."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.classification.lexicon import Lexicon
from app.domain.classification.reading import ReadField, keywords_of, signal_reached
from app.domain.classification.results import (
    Candidate,
    ChannelSuggestion,
    ConditionJudgement,
    Evidence,
    PrioritySuggestion,
)
from app.states.codes import (
    ActType,
    AgencyKind,
    Art5Condition,
    Priority,
    ResolutionChannel,
)

__all__ = ["channel", "conditions", "priority"]


# --- Art. 5 conditions ----------------------------------------------------------------------


def conditions(
    respondent_kind: str | None, act_types: Sequence[Candidate]
) -> tuple[ConditionJudgement, ...]:
    organ_party = _organ_party(respondent_kind)
    if act_types and act_types[0].text_score > 0:
        label = ActType(act_types[0].code).label_zh
        administration_note = (
            f"文本中有“{label}”类行政行为的线索({keywords_of(act_types[0].evidence[:5])}),"
            "是否由行政管理行为引起需人工核实"
        )
    else:
        administration_note = "文本中未发现具体行政行为的线索,需人工判断是否由行政管理行为引起"
    return (
        organ_party,
        ConditionJudgement(
            Art5Condition.ARISES_FROM_ADMINISTRATION.value, None, administration_note
        ),
        ConditionJudgement(
            Art5Condition.LEGAL_RIGHTS_OBLIGATIONS.value,
            None,
            "是否形成行政法上的权利义务关系需人工判断",
        ),
        ConditionJudgement(
            Art5Condition.COUNTERPARTY_DISPUTES.value,
            None,
            "相对人是否对行政行为的合法性、适当性有异议需人工判断",
        ),
    )


def _organ_party(respondent_kind: str | None) -> ConditionJudgement:
    code = Art5Condition.ORGAN_PARTY.value
    if respondent_kind is None:
        return ConditionJudgement(code, None, "未确定被申请单位,无法判断争议一方是否为行政机关")
    try:
        kind = AgencyKind(respondent_kind)
    except ValueError:
        return ConditionJudgement(
            code, None, f"被申请单位类别“{respondent_kind}”未知,需人工判断是否为行政机关"
        )
    if kind.is_administrative_organ:
        return ConditionJudgement(code, True, "被申请单位为行政机关(第五条第(一)项)")
    return ConditionJudgement(
        code,
        False,
        f"被申请单位类别为“{kind.label_zh}”,不是行政机关;"
        "只有行政机关可以作为被申请人(第五条第(一)项)",
    )


# --- Priority -------------------------------------------------------------------------------


def priority(
    lex: Lexicon, texts: Sequence[ReadField], applicant_count: int, collective_threshold: int
) -> PrioritySuggestion:
    urgent, urgent_evidence = signal_reached(lex.priority.get(Priority.URGENT.value), texts)
    high, high_evidence = signal_reached(lex.priority.get(Priority.HIGH.value), texts)
    collective = applicant_count >= collective_threshold
    reasons: list[str] = []
    if urgent:
        reasons.append(
            f"出现自伤、群体性或极端行为的信号词:{keywords_of(urgent_evidence)},应立即处置"
        )
    if collective:
        reasons.append(
            f"申请人{applicant_count}人,达到集体争议标准({collective_threshold}人),至少较急"
        )
    if high:
        reasons.append(f"出现需要优先处理的信号词:{keywords_of(high_evidence)}")
    if urgent:
        code = Priority.URGENT.value
    elif collective or high:
        code = Priority.HIGH.value
    else:
        code = Priority.NORMAL.value
        reasons.append("未发现紧急或较急的信号")
    return PrioritySuggestion(
        code=code,
        collective=collective,
        reasons=tuple(reasons),
        urgent_evidence=urgent_evidence,
        high_evidence=high_evidence,
    )


# --- Art. 8 channel -------------------------------------------------------------------------


def channel(
    lex: Lexicon,
    texts: Sequence[ReadField],
    act_types: Sequence[Candidate],
    organ_party: bool | None,
) -> ChannelSuggestion:
    signals = lex.channel_signals
    refuses, refusal_evidence = signal_reached(signals.get("refuses_mediation"), texts)
    reconsidered, litigation_evidence = signal_reached(signals.get("already_reconsidered"), texts)
    mediation, mediation_evidence = signal_reached(signals.get("compensation_or_terms"), texts)
    adjudication, adjudication_evidence = signal_reached(signals.get("civil_dispute"), texts)
    top_act = act_types[0].code if act_types else None

    code: ResolutionChannel
    evidence: tuple[Evidence, ...]
    if refuses and reconsidered:
        code, evidence = ResolutionChannel.LITIGATION, refusal_evidence + litigation_evidence
        reason = (
            f"申请人明确不愿和解调解({keywords_of(refusal_evidence)}),且已经过复议"
            f"({keywords_of(litigation_evidence)}):尊重其选择,引导依法诉讼"
        )
    elif refuses:
        code, evidence = ResolutionChannel.RECONSIDERATION, refusal_evidence
        reason = (
            f"申请人明确不愿和解调解({keywords_of(refusal_evidence)}):尊重自愿,"
            "引导成本低于诉讼的行政复议"
        )
    elif mediation or top_act in lex.settings.mediation_act_types:
        code, evidence = ResolutionChannel.MEDIATION, mediation_evidence
        if mediation:
            basis = f"争议涉及补偿、赔偿、协议或处罚幅度({keywords_of(mediation_evidence)})"
        else:
            basis = f"争议属于{ActType(top_act or 'other').label_zh}类,核心是补偿或协议履行"
        reason = f"{basis},可以依法调解:由和解中心委派公职律师主持调解"
    elif adjudication:
        code, evidence = ResolutionChannel.ADJUDICATION, adjudication_evidence
        reason = (
            f"争议实质为依法由行政机关裁决的民事纠纷({keywords_of(adjudication_evidence)}):"
            "引导申请行政裁决"
        )
    else:
        code, evidence = ResolutionChannel.RECONCILIATION, ()
        reason = (
            "按第八条优先选择成本最低、有利于修复关系的途径:"
            "由被申请单位与申请人协商和解(行政机关可自行纠正)"
        )
    if organ_party is False:
        reason += ";但被申请单位不是行政机关,应先核实是否属于行政争议"
    reason += ";其他合法途径及复议、诉讼期限应一并告知"
    alternatives = tuple(channel.value for channel in ResolutionChannel if channel is not code)
    return ChannelSuggestion(
        code=code.value, reason=reason, alternatives=alternatives, evidence=evidence
    )
