"""Rules of the classification suggestion (SPEC 2.6): matching, evidence, priors, priority,
Art. 5 conditions, the Art. 8 channel, and the lexicon file's validation."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from app.domain.classification.keywords import normalise_text
from app.domain.classification.lexicon import (
    DEFAULT_LEXICON_PATH,
    Lexicon,
    LexiconError,
    clear_lexicon_cache,
    load_lexicon,
    parse_lexicon,
)
from app.domain.classification.results import Evidence, Suggestion
from app.domain.classification.suggest import suggest
from app.states.codes import ActType, Art5Condition, ResolutionChannel

SEED_PATH = Path(__file__).parents[3] / "app" / "db" / "seed_data" / "business_systems.json"
CORPUS_PATH = Path(__file__).parents[3] / "data" / "classification" / "train.jsonl"


def raw_lexicon() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFAULT_LEXICON_PATH.read_text(encoding="utf-8"))
    return data


def run(
    lexicon: Lexicon | None = None,
    *,
    respondent_kind: str | None = "administrative_organ",
    respondent_business_system: str | None = "other",
    applicant_count: int = 1,
    collective_threshold: int = 5,
    act_type_hint: str | None = None,
    **fields: str,
) -> Suggestion:
    return suggest(
        fields,
        respondent_kind=respondent_kind,
        respondent_business_system=respondent_business_system,
        applicant_count=applicant_count,
        collective_threshold=collective_threshold,
        act_type_hint=act_type_hint,
        lexicon=lexicon,
    )


def small_lexicon(**overrides: Any) -> Lexicon:
    data: dict[str, Any] = {
        "version": "test",
        "description": "test lexicon",
        "settings": {"field_weights": {"title": 1, "facts": 1, "claims": 1, "act_description": 1}},
        "business_systems": {
            "natural_resources": {"征地": 3, "宅基地": 5},
            "taxation": {"税务局": 5},
        },
        "act_types": {
            "expropriation": {"征收": 2, "征收补偿": 5, "经济补偿": -1},
            "other": {"其他": 1},
        },
        "priority": {
            "urgent": {"threshold": 3, "keywords": {"跳楼": 3}},
            "high": {"threshold": 2, "keywords": {"上访": 2}},
        },
        "neutral": ["跳楼价"],
    }
    data.update(overrides)
    return parse_lexicon(data)


# --- The lexicon covers the reference data ------------------------------------------------


def test_every_business_system_and_act_type_has_keywords() -> None:
    lexicon = load_lexicon()
    seed_codes = {e["code"] for e in json.loads(SEED_PATH.read_text(encoding="utf-8"))}
    assert seed_codes - set(lexicon.business_systems) == set()
    assert set(ActType.codes()) - set(lexicon.act_types) == set()
    for code in seed_codes:
        assert len(lexicon.business_systems[code]) >= 5, code
    for code in ActType.codes():
        assert len(lexicon.act_types[code]) >= 5, code


def test_lexicon_has_a_version_and_the_priority_words_the_spec_names() -> None:
    lexicon = load_lexicon()
    assert lexicon.version
    urgent = lexicon.priority["urgent"].keywords.weights
    for word in (
        "自杀",
        "跳楼",
        "轻生",
        "服毒",
        "聚集",
        "围堵",
        "群体上访",
        "堵路",
        "极端",
        "纵火",
    ):
        assert urgent[word] >= lexicon.priority["urgent"].threshold, word
    assert lexicon.priority["high"].keywords.weights


# --- Matching and evidence -----------------------------------------------------------------


def test_evidence_lists_the_matched_keywords_with_field_and_weight() -> None:
    result = run(title="宅基地纠纷", facts="镇上征地，我家宅基地也被划进去了", claims="")
    top = result.business_systems[0]
    assert top.code == "natural_resources"
    assert Evidence(field="title", keyword="宅基地", weight=5.0, count=1) in top.evidence
    assert Evidence(field="facts", keyword="宅基地", weight=5.0, count=1) in top.evidence
    assert Evidence(field="facts", keyword="征地", weight=5.0, count=1) in top.evidence
    keywords = {e.keyword for e in top.evidence}
    assert keywords <= set(load_lexicon().business_systems["natural_resources"].weights)


def test_overlapping_keywords_are_not_double_counted() -> None:
    lexicon = small_lexicon()
    result = run(lexicon, facts="要求提高征收补偿")
    (candidate,) = [c for c in result.act_types if c.code == "expropriation"]
    assert [e.keyword for e in candidate.evidence] == ["征收补偿"]
    assert candidate.text_score == 5.0

    separate = run(lexicon, facts="先是征收，后来又谈征收补偿")
    (candidate,) = [c for c in separate.act_types if c.code == "expropriation"]
    assert sorted(e.keyword for e in candidate.evidence) == ["征收", "征收补偿"]
    assert candidate.text_score == 7.0


def test_one_pass_index_matches_the_per_class_scan() -> None:
    lexicon = load_lexicon()
    complaints = [
        json.loads(line) for line in CORPUS_PATH.read_text(encoding="utf-8").splitlines() if line
    ]
    sets = [
        *lexicon.business_systems.values(),
        *lexicon.act_types.values(),
        *(s.keywords for s in lexicon.priority.values()),
        *(s.keywords for s in lexicon.channel_signals.values()),
    ]
    for complaint in complaints:
        text = normalise_text(complaint["title"] + complaint["facts"] + complaint["claims"])
        hits = lexicon.index.hits(text)
        for kset in sets:
            assert kset.matches(hits) == kset.scan(text)


def test_overlap_rule_holds_with_the_shipped_lexicon() -> None:
    result = run(facts="征地补偿")
    (candidate,) = [c for c in result.act_types if c.code == "expropriation"]
    assert [e.keyword for e in candidate.evidence] == ["征地补偿"]


def test_repeats_add_a_bounded_bonus() -> None:
    lexicon = small_lexicon(settings={"repeat_bonus": 0.5, "max_repeats": 2})
    once = run(lexicon, facts="宅基地")
    many = run(lexicon, facts="宅基地宅基地宅基地宅基地")
    assert once.business_systems[0].text_score == 5.0
    assert many.business_systems[0].text_score == 7.5
    assert many.business_systems[0].evidence[0].count == 4


def test_negative_keywords_count_against_a_class() -> None:
    lexicon = small_lexicon()
    result = run(lexicon, facts="征收，还有经济补偿")
    (candidate,) = [c for c in result.act_types if c.code == "expropriation"]
    assert candidate.text_score == 1.0
    only_negative = run(lexicon, facts="经济补偿")
    assert [c.code for c in only_negative.act_types] == []


def test_text_is_normalised_full_width_and_spaces() -> None:
    assert normalise_text("宅 基\n地　ＡＢＣ") == "宅基地abc"
    result = run(facts="我家的宅 基\n地被占了")
    assert result.business_systems[0].code == "natural_resources"


def test_scores_are_normalised_ranked_and_capped() -> None:
    result = run(title="征地补偿款没给够", facts="宅基地被征收，工伤也没认定，社保不给交")
    scores = [c.score for c in result.business_systems]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    assert sum(scores) <= 1.0001
    assert len(result.business_systems) <= load_lexicon().settings.max_candidates
    weak = run(small_lexicon(), facts="其他")
    assert weak.act_types[0].score < 0.5  # one weak hit does not look certain


def test_nothing_found_gives_no_candidates() -> None:
    result = run(facts="今天天气很好")
    assert result.business_systems == ()
    assert result.priority.code == "normal"
    assert result.recommended_channel.code == "reconciliation"


def test_unknown_text_field_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown text fields"):
        suggest(
            {"body": "宅基地"},
            respondent_kind=None,
            respondent_business_system=None,
            applicant_count=1,
            collective_threshold=5,
            act_type_hint=None,
        )


# --- Priors --------------------------------------------------------------------------------


def test_respondent_business_system_is_a_strong_prior_words_alone_do_not_overrule() -> None:
    vague = run(respondent_business_system="market_regulation", facts="对处理结果不服")
    assert vague.business_systems[0].code == "market_regulation"
    assert vague.business_systems[0].prior > 0
    assert vague.business_systems[0].text_score == 0
    assert vague.respondent.applied
    assert vague.respondent.overridden_by is None

    # Words of another system, but no organ of it named as the author of the act: the
    # respondent's system stays first, the text's system is the runner-up.
    words_only = run(
        respondent_business_system="market_regulation",
        title="工伤认定不服",
        facts="我在厂里上班受伤，申请工伤认定，结果不予认定工伤。",
    )
    codes = [c.code for c in words_only.business_systems]
    assert codes[:2] == ["market_regulation", "human_resources_social_security"]
    assert words_only.respondent.applied


def test_the_text_overrides_the_respondent_when_it_names_another_organ_as_the_author() -> None:
    named = run(
        respondent_business_system="market_regulation",
        title="工伤认定不服",
        facts="我在厂里上班受伤，申请工伤认定，人社局作出不予认定工伤的决定。",
    )
    assert named.business_systems[0].code == "human_resources_social_security"
    assert named.respondent.overridden_by == "human_resources_social_security"
    assert not named.respondent.applied
    assert "人社局" in named.respondent.reason
    assert [(e.keyword, e.role) for e in named.respondent.evidence] == [("人社局", "acting_organ")]
    # The author may also come after the act, introduced by 是.
    after = run(
        respondent_business_system="ecology_environment",
        facts="对我公司作出责令停产并罚款决定的是应急管理局，理由是粉尘防爆不到位。",
    )
    assert after.respondent.overridden_by == "emergency_management"


def test_an_institution_named_in_the_text_never_overrides_the_respondent() -> None:
    # A hospital cannot make an administrative act: it is context, however often it is named.
    result = run(
        respondent_business_system="medical_security",
        title="医院说不能报销",
        facts="我在县人民医院住院，医院拒绝出具证明，医院说报销的事不归医院管。",
    )
    assert result.business_systems[0].code == "medical_security"
    assert result.respondent.overridden_by is None
    health = [c for c in result.business_systems if c.code == "health"]
    assert all(e.role == "context" for c in health for e in c.evidence if "医院" in e.keyword)


def test_an_organ_only_mentioned_weighs_less_than_one_named_as_the_author() -> None:
    scene = run(respondent_business_system=None, facts="下班路上出了车祸，交警来了现场。")
    acting = run(respondent_business_system=None, facts="下班路上出了车祸，交警扣了我的车。")

    def police(result: Suggestion) -> tuple[float, set[str]]:
        (candidate,) = [c for c in result.business_systems if c.code == "public_security"]
        return candidate.text_score, {e.role for e in candidate.evidence if e.keyword == "交警"}

    scene_score, scene_roles = police(scene)
    acting_score, acting_roles = police(acting)
    assert scene_roles == {"context"}
    assert acting_roles == {"acting_organ"}
    assert scene_score < acting_score


def test_generic_respondent_gives_no_prior() -> None:
    result = run(respondent_business_system="other", facts="对处理结果不服")
    assert all(c.prior == 0 for c in result.business_systems)


def test_act_type_hint_is_a_prior_the_text_can_outweigh() -> None:
    hinted = run(act_type_hint="administrative_penalty", facts="对这个决定不服")
    assert hinted.act_types[0].code == "administrative_penalty"
    outweighed = run(
        act_type_hint="administrative_penalty",
        facts="我向局里提交了政府信息公开申请，答复说不予公开",
    )
    assert outweighed.act_types[0].code == "information_disclosure"


# --- Priority ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "再不解决我就从楼上跳楼",
        "实在活不下去了，想喝农药",
        "村民们准备下周去堵路",
        "我们要组织群体上访",
        "逼急了就同归于尽",
    ],
)
def test_urgent_words_make_the_case_urgent(text: str) -> None:
    result = run(facts=text)
    assert result.priority.code == "urgent"
    assert result.priority.urgent_evidence
    assert any("自伤" in reason for reason in result.priority.reasons)


def test_neutral_phrases_do_not_trigger_urgency() -> None:
    result = run(facts="商场打出跳楼价甩卖，结果是假货")
    assert result.priority.code == "normal"
    assert small_lexicon().neutral.weights == {"跳楼价": 0.0}
    assert run(small_lexicon(), facts="跳楼价").priority.code == "normal"


def test_collective_case_is_at_least_high() -> None:
    at_threshold = run(facts="工资被拖欠", applicant_count=5, collective_threshold=5)
    assert at_threshold.priority.code == "high"
    assert at_threshold.priority.collective is True
    assert any("集体" in reason for reason in at_threshold.priority.reasons)

    below = run(facts="对罚款不服", applicant_count=4, collective_threshold=5)
    assert below.priority.code == "normal"
    assert below.priority.collective is False

    urgent_and_collective = run(facts="大家要去堵路", applicant_count=30, collective_threshold=5)
    assert urgent_and_collective.priority.code == "urgent"
    assert urgent_and_collective.priority.collective is True


def test_high_words_make_the_case_high() -> None:
    result = run(facts="已经多次上访，记者也来采访过")
    assert result.priority.code == "high"
    assert {e.keyword for e in result.priority.high_evidence} >= {"多次上访", "记者"}


# --- Art. 5 conditions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "met"),
    [
        ("administrative_organ", True),
        ("judicial_bureau", True),
        ("reconciliation_center", False),
        ("peoples_organization", False),
        ("other", False),
        (None, None),
        ("village_committee", None),
    ],
)
def test_organ_party_is_judged_from_the_respondent_kind(kind: str | None, met: bool | None) -> None:
    result = run(respondent_kind=kind, facts="对罚款不服")
    organ_party = result.conditions[0]
    assert organ_party.code == Art5Condition.ORGAN_PARTY
    assert organ_party.met is met
    assert organ_party.note


def test_all_four_conditions_are_listed_and_the_rest_left_to_the_coordinator() -> None:
    result = run(facts="对罚款不服")
    assert [c.code for c in result.conditions] == list(Art5Condition.codes())
    assert all(c.met is None and c.note for c in result.conditions[1:])
    assert "行政处罚" in result.conditions[1].note


def test_not_an_organ_is_flagged_in_the_channel_reason() -> None:
    result = run(respondent_kind="other", facts="对罚款不服")
    assert "不是行政机关" in result.recommended_channel.reason


# --- Art. 8 channel ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("低保被取消了，要求恢复", "reconciliation"),
        ("城管拆了我的棚子，要求赔偿损失", "mediation"),
        ("签了安置协议一直不履行", "mediation"),
        ("罚款太重，希望减轻处罚", "mediation"),
        ("两个村的土地权属争议，地界说不清", "adjudication"),
        ("对罚款不服，我不接受调解，要申请复议", "reconsideration"),
        ("对罚款不服，复议维持了，我不接受调解", "litigation"),
    ],
)
def test_recommended_channel_follows_article_8(text: str, channel: str) -> None:
    result = run(facts=text)
    recommended = result.recommended_channel
    assert recommended.code == channel
    assert recommended.reason
    assert recommended.code not in recommended.alternatives
    order = [c.value for c in ResolutionChannel]
    assert list(recommended.alternatives) == [c for c in order if c != channel]


def test_expropriation_and_agreement_acts_go_to_mediation() -> None:
    result = run(act_type_hint="administrative_agreement", facts="对这件事不满意")
    assert result.act_types[0].code == "administrative_agreement"
    assert result.recommended_channel.code == "mediation"


# --- Loading the lexicon -------------------------------------------------------------------


def test_load_lexicon_is_cached_per_path(tmp_path: Path) -> None:
    assert load_lexicon() is load_lexicon()
    assert load_lexicon() is load_lexicon(DEFAULT_LEXICON_PATH)
    copy_path = tmp_path / "lexicon.json"
    copy_path.write_text(DEFAULT_LEXICON_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    first = load_lexicon(copy_path)
    assert load_lexicon(str(copy_path)) is first
    clear_lexicon_cache()
    assert load_lexicon(copy_path) is not first


def _mutate(path: list[str], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw_lexicon())
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_mutate(["version"], _DELETE), r"top level: missing required keys \['version'\]"),
        (_mutate(["version"], ""), "version: must be a non-empty string"),
        (_mutate(["business_systems"], []), "business_systems: must be a JSON object"),
        (
            _mutate(["business_systems", "taxation", "税务局"], "heavy"),
            r"business_systems\.taxation\['税务局'\]: must be a number",
        ),
        (
            _mutate(["business_systems", "taxation", "税务局"], True),
            "must be a number",
        ),
        (
            _mutate(["act_types", "penalty"], {"罚款": 3}),
            r"act_types: unknown act type codes \['penalty'\]",
        ),
        (
            _mutate(["business_systems", "Tax Office"], {"税": 3}),
            "a code must be snake_case",
        ),
        (_mutate(["priority", "urgent"], _DELETE), r"priority: missing keys \['urgent'\]"),
        (
            _mutate(["priority", "urgent", "threshold"], 0),
            r"priority\.urgent\.threshold: must be positive",
        ),
        (_mutate(["settings", "max_candidates"], 0), "settings.max_candidates"),
        (_mutate(["settings", "colour"], "red"), r"settings: unknown keys \['colour'\]"),
        (_mutate(["act_types", "other"], {"  ": 1}), "empty after normalisation"),
        (_mutate(["act_types", "other"], {"其他": -1}), "needs at least one positive keyword"),
        (_mutate(["neutral"], "跳楼价"), "neutral: must be a list"),
        (_mutate(["extra"], 1), r"top level: unknown keys \['extra'\]"),
        ([], "top level: must be a JSON object"),
    ],
)
def test_bad_lexicon_data_is_refused_with_a_clear_error(data: Any, message: str) -> None:
    with pytest.raises(LexiconError, match=message):
        parse_lexicon(data, source="test.json")


def test_bad_lexicon_file_raises_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(LexiconError, match="cannot read the lexicon file"):
        load_lexicon(missing)

    broken = tmp_path / "broken.json"
    broken.write_text('{"version": "1",\n  "description": }', encoding="utf-8")
    with pytest.raises(LexiconError, match=r"broken\.json: not valid JSON \(line 2"):
        load_lexicon(broken)

    duplicated = tmp_path / "duplicated.json"
    duplicated.write_text(
        '{"version": "1", "version": "2", "description": "", "business_systems": {},'
        ' "act_types": {}, "priority": {}}',
        encoding="utf-8",
    )
    with pytest.raises(LexiconError, match="duplicate key 'version'"):
        load_lexicon(duplicated)

    wrong_shape = tmp_path / "wrong_shape.json"
    data = raw_lexicon()
    data["act_types"]["inaction"] = ["不作为"]
    wrong_shape.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(LexiconError, match=r"wrong_shape\.json: act_types\.inaction: must be"):
        load_lexicon(wrong_shape)


def test_keywords_colliding_after_normalisation_are_refused() -> None:
    data = raw_lexicon()
    data["business_systems"]["taxation"] = {"税务局": 5, "税 务 局": 5}
    with pytest.raises(LexiconError, match="listed twice"):
        parse_lexicon(data)
