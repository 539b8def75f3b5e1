"""Classification suggestion (争议识别建议, SPEC 2.6, measures Art. 5 and 8).

A pure, explainable keyword scorer behind ``GET /api/v1/cases/{id}/classification-suggestion``.
It proposes and never decides: ranked business systems and act types with the keywords that
support them, the Art. 5 conditions that can be judged from data, a priority and the Art. 8
channel to recommend. The vocabulary lives in ``lexicon.json`` beside this module (data, not
code; its ``format`` entry documents the shape).

Matching works on Chinese text without segmentation: texts and keywords are NFKC-normalised,
case-folded and stripped of whitespace, then each class (one business system, one act type, one
priority level, one channel signal) scans the text with its own keywords, taking the longest
keyword at each position and continuing after it, so a keyword inside a longer one of the same
class (征收 in 征收补偿) is not counted twice. Phrases listed as ``neutral`` (跳楼价, 交通拥堵)
are blanked out first, for every class.

Scoring, per candidate class: each distinct keyword adds ``weight × field weight`` (the highest
weight of the fields it occurs in) plus ``repeat_bonus`` of that for each further occurrence, up
to ``max_repeats`` occurrences. The respondent agency's business system and the act type chosen
at intake add a moderate prior that the text can outweigh. Scores are normalised to 0..1 as
``raw / max(sum of positive raw scores, score_saturation)``: they sum to at most 1, and a lone
weak match does not look certain.

Standard library only, so the rules can be tested and reused without the web or database layers.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import Any, Final, TypeAlias

from app.domain.common.enums import (
    ActType,
    AgencyKind,
    Art5Condition,
    Priority,
    ResolutionChannel,
)

__all__ = [
    "DEFAULT_LEXICON_PATH",
    "TEXT_FIELDS",
    "Candidate",
    "ChannelSuggestion",
    "ConditionJudgement",
    "Evidence",
    "KeywordIndex",
    "KeywordSet",
    "Lexicon",
    "LexiconError",
    "LexiconSettings",
    "PrioritySuggestion",
    "Signal",
    "Suggestion",
    "clear_lexicon_cache",
    "load_lexicon",
    "normalise_text",
    "parse_lexicon",
    "suggest",
]

DEFAULT_LEXICON_PATH: Final = Path(__file__).with_name("lexicon.json")

TEXT_FIELDS: Final = ("title", "facts", "claims", "act_description")
"""The case's text fields the suggestion reads, in the order evidence is listed."""

_PRIORITY_LEVELS: Final = (Priority.URGENT.value, Priority.HIGH.value)
_SIGNAL_CHANNELS: Final = (
    ResolutionChannel.MEDIATION.value,
    ResolutionChannel.ADJUDICATION.value,
    ResolutionChannel.RECONSIDERATION.value,
    ResolutionChannel.LITIGATION.value,
)
_CODE_PATTERN: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_MAX_KEYWORD_LENGTH: Final = 50
_BLANK: Final = "\x00"
_SCORE_DIGITS: Final = 4

_TOP_LEVEL_REQUIRED: Final = frozenset(
    {"version", "description", "business_systems", "act_types", "priority"}
)
_TOP_LEVEL_OPTIONAL: Final = frozenset({"format", "settings", "channel_signals", "neutral"})


# --- Errors and normalisation ---------------------------------------------------------------


class LexiconError(ValueError):
    """The lexicon file is missing, is not JSON, or does not have the expected shape."""


def normalise_text(text: str) -> str:
    """NFKC (full-width to half-width), case-fold, and drop all whitespace.

    Whitespace carries no meaning inside Chinese text, and citizens' letters transcribed by
    hand or OCR often contain stray spaces and line breaks in the middle of words.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not ch.isspace())


# --- Lexicon --------------------------------------------------------------------------------


class KeywordSet:
    """One class's keywords with their weights, compiled for longest-match scanning."""

    __slots__ = ("_by_first", "weights")

    def __init__(self, weights: Mapping[str, float]) -> None:
        self.weights: Mapping[str, float] = dict(weights)
        by_first: dict[str, list[str]] = {}
        for keyword in self.weights:
            by_first.setdefault(keyword[0], []).append(keyword)
        self._by_first: dict[str, tuple[str, ...]] = {
            first: tuple(sorted(words, key=lambda w: (-len(w), w)))
            for first, words in by_first.items()
        }

    def __len__(self) -> int:
        return len(self.weights)

    def scan(self, text: str) -> list[tuple[int, str]]:
        """Non-overlapping matches ``(position, keyword)``, leftmost first, longest at each.

        ``text`` must already be normalised (see :func:`normalise_text`).
        """
        found: list[tuple[int, str]] = []
        position, end = 0, len(text)
        while position < end:
            for keyword in self._by_first.get(text[position], ()):
                if text.startswith(keyword, position):
                    found.append((position, keyword))
                    position += len(keyword)
                    break
            else:
                position += 1
        return found

    def count(self, text: str) -> dict[str, int]:
        """How often each keyword occurs in ``text`` under longest-match scanning."""
        counts: dict[str, int] = {}
        for _, keyword in self.scan(text):
            counts[keyword] = counts.get(keyword, 0) + 1
        return counts

    def count_hits(self, hits: Sequence[tuple[int, tuple[str, ...]]]) -> dict[str, int]:
        """Same as :meth:`count`, from the hits a :class:`KeywordIndex` found in the text.

        Walking the hits in order, the longest of this set's keywords starting at a position
        is taken and positions inside it are skipped: exactly the longest-match scan, without
        rescanning the text for every class.
        """
        counts: dict[str, int] = {}
        weights = self.weights
        cursor = 0
        for position, keywords in hits:
            if position < cursor:
                continue
            for keyword in keywords:
                if keyword in weights:
                    counts[keyword] = counts.get(keyword, 0) + 1
                    cursor = position + len(keyword)
                    break
        return counts


class KeywordIndex:
    """Every keyword of several sets, to find all their occurrences in one pass over a text."""

    __slots__ = ("_by_first",)

    def __init__(self, sets: Iterable[KeywordSet]) -> None:
        by_first: dict[str, set[str]] = {}
        for kset in sets:
            for keyword in kset.weights:
                by_first.setdefault(keyword[0], set()).add(keyword)
        self._by_first: dict[str, tuple[str, ...]] = {
            first: tuple(sorted(words, key=lambda w: (-len(w), w)))
            for first, words in by_first.items()
        }

    def hits(self, text: str) -> list[tuple[int, tuple[str, ...]]]:
        """``(position, keywords starting there, longest first)`` for every position with any."""
        found: list[tuple[int, tuple[str, ...]]] = []
        lookup = self._by_first.get
        for position, char in enumerate(text):
            candidates = lookup(char)
            if candidates:
                here = tuple(k for k in candidates if text.startswith(k, position))
                if here:
                    found.append((position, here))
        return found


@dataclass(frozen=True, slots=True)
class Signal:
    """Keywords whose summed weights (each distinct keyword once) must reach ``threshold``."""

    threshold: float
    keywords: KeywordSet


@dataclass(frozen=True, slots=True)
class LexiconSettings:
    """Tuning numbers of the scorer; see the lexicon's ``format`` notes."""

    field_weights: Mapping[str, float]
    repeat_bonus: float = 0.25
    max_repeats: int = 3
    respondent_prior: float = 4.0
    act_type_hint_prior: float = 4.0
    prior_excluded_codes: frozenset[str] = frozenset({"other"})
    score_saturation: float = 10.0
    max_candidates: int = 5
    mediation_act_types: frozenset[str] = frozenset(
        {ActType.EXPROPRIATION.value, ActType.ADMINISTRATIVE_AGREEMENT.value}
    )


_DEFAULT_FIELD_WEIGHTS: Final[Mapping[str, float]] = {
    "title": 1.5,
    "facts": 1.0,
    "claims": 1.2,
    "act_description": 1.5,
}


@dataclass(frozen=True, slots=True)
class Lexicon:
    """A validated, compiled keyword lexicon."""

    version: str
    description: str
    settings: LexiconSettings
    business_systems: Mapping[str, KeywordSet]
    act_types: Mapping[str, KeywordSet]
    priority: Mapping[str, Signal]
    channel_signals: Mapping[str, Signal]
    neutral: KeywordSet
    index: KeywordIndex
    """All keywords except the neutral phrases (which are blanked out before matching)."""


def load_lexicon(path: str | PathLike[str] | None = None) -> Lexicon:
    """Load, validate and compile a lexicon file (default: ``lexicon.json`` beside this module).

    The result is cached per resolved path; call :func:`clear_lexicon_cache` after editing the
    file in a running process. A bad file raises :class:`LexiconError` naming the file and the
    offending entry.
    """
    resolved = DEFAULT_LEXICON_PATH if path is None else Path(path)
    return _load_cached(resolved.resolve())


def clear_lexicon_cache() -> None:
    """Forget every loaded lexicon, so that the next :func:`load_lexicon` reads the file again."""
    _load_cached.cache_clear()


@lru_cache(maxsize=8)
def _load_cached(path: Path) -> Lexicon:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"{path}: cannot read the lexicon file: {exc}") from exc
    try:
        data = json.loads(raw, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise LexiconError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from exc
    except _DuplicateKeyError as exc:
        raise LexiconError(f"{path}: duplicate key {exc.key!r} in a JSON object") from exc
    return parse_lexicon(data, source=str(path))


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def parse_lexicon(data: Any, *, source: str = "<lexicon>") -> Lexicon:
    """Validate and compile lexicon data already parsed from JSON."""
    parser = _Parser(source)
    return parser.lexicon(data)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> LexiconError:
        return LexiconError(f"{self.source}: {where}: {problem}")

    def lexicon(self, data: Any) -> Lexicon:
        top = self.mapping(data, "top level")
        missing = sorted(_TOP_LEVEL_REQUIRED - top.keys())
        if missing:
            raise self.fail("top level", f"missing required keys {missing}")
        unknown = sorted(top.keys() - _TOP_LEVEL_REQUIRED - _TOP_LEVEL_OPTIONAL)
        if unknown:
            raise self.fail("top level", f"unknown keys {unknown}")

        version = top["version"]
        if not isinstance(version, str) or not version.strip():
            raise self.fail("version", "must be a non-empty string")
        description = top["description"]
        if not isinstance(description, str):
            raise self.fail("description", "must be a string")
        if "format" in top:
            self.format_notes(top["format"])

        business_systems = self.classes(top["business_systems"], "business_systems")
        for code in business_systems:
            if not _CODE_PATTERN.match(code):
                raise self.fail(f"business_systems.{code}", "a code must be snake_case")
        act_types = self.classes(top["act_types"], "act_types")
        unknown_acts = sorted(set(act_types) - set(ActType.codes()))
        if unknown_acts:
            raise self.fail("act_types", f"unknown act type codes {unknown_acts}")

        priority = self.signals(top["priority"], "priority", _PRIORITY_LEVELS, required=True)
        channel_signals = self.signals(
            top.get("channel_signals", {}), "channel_signals", _SIGNAL_CHANNELS, required=False
        )
        neutral = self.neutral(top.get("neutral", []))
        settings = self.settings(top.get("settings", {}))
        index = KeywordIndex(
            [
                *business_systems.values(),
                *act_types.values(),
                *(signal.keywords for signal in priority.values()),
                *(signal.keywords for signal in channel_signals.values()),
            ]
        )
        return Lexicon(
            version=version.strip(),
            description=description,
            settings=settings,
            business_systems=business_systems,
            act_types=act_types,
            priority=priority,
            channel_signals=channel_signals,
            neutral=neutral,
            index=index,
        )

    # -- pieces --------------------------------------------------------------------------

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"must be a JSON object, got {type(value).__name__}")
        return value

    def number(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"must be a number, got {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise self.fail(where, "must be a finite number")
        return number

    def format_notes(self, value: Any) -> None:
        if isinstance(value, str):
            return
        if isinstance(value, list) and all(isinstance(line, str) for line in value):
            return
        raise self.fail("format", "must be a string or a list of strings")

    def keyword(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self.fail(where, f"a keyword must be a string, got {value!r}")
        keyword = normalise_text(value)
        if not keyword:
            raise self.fail(where, f"keyword {value!r} is empty after normalisation")
        if _BLANK in keyword:
            raise self.fail(where, f"keyword {value!r} contains a NUL character")
        if len(keyword) > _MAX_KEYWORD_LENGTH:
            raise self.fail(where, f"keyword {value!r} is longer than {_MAX_KEYWORD_LENGTH}")
        return keyword

    def keywords(self, value: Any, where: str) -> KeywordSet:
        entries = self.mapping(value, where)
        weights: dict[str, float] = {}
        for raw_keyword, raw_weight in entries.items():
            keyword = self.keyword(raw_keyword, where)
            if keyword in weights:
                raise self.fail(where, f"keyword {raw_keyword!r} is listed twice")
            weights[keyword] = self.number(raw_weight, f"{where}[{raw_keyword!r}]")
        return KeywordSet(weights)

    def classes(self, value: Any, where: str) -> dict[str, KeywordSet]:
        entries = self.mapping(value, where)
        if not entries:
            raise self.fail(where, "must list at least one class")
        result: dict[str, KeywordSet] = {}
        for code, keywords in entries.items():
            kset = self.keywords(keywords, f"{where}.{code}")
            if not any(weight > 0 for weight in kset.weights.values()):
                raise self.fail(f"{where}.{code}", "needs at least one positive keyword")
            result[code] = kset
        return result

    def signals(
        self, value: Any, where: str, allowed: Sequence[str], *, required: bool
    ) -> dict[str, Signal]:
        entries = self.mapping(value, where)
        unknown = sorted(set(entries) - set(allowed))
        if unknown:
            raise self.fail(where, f"unknown keys {unknown}; allowed {list(allowed)}")
        if required:
            missing = [key for key in allowed if key not in entries]
            if missing:
                raise self.fail(where, f"missing keys {missing}")
        result: dict[str, Signal] = {}
        for key, body in entries.items():
            spot = f"{where}.{key}"
            section = self.mapping(body, spot)
            extra = sorted(section.keys() - {"threshold", "keywords"})
            if extra or "threshold" not in section or "keywords" not in section:
                raise self.fail(spot, "must be {'threshold': number, 'keywords': {...}}")
            threshold = self.number(section["threshold"], f"{spot}.threshold")
            if threshold <= 0:
                raise self.fail(f"{spot}.threshold", "must be positive")
            result[key] = Signal(threshold, self.keywords(section["keywords"], f"{spot}.keywords"))
        return result

    def neutral(self, value: Any) -> KeywordSet:
        if not isinstance(value, list):
            raise self.fail("neutral", "must be a list of phrases")
        weights: dict[str, float] = {}
        for index, phrase in enumerate(value):
            weights[self.keyword(phrase, f"neutral[{index}]")] = 0.0
        return KeywordSet(weights)

    def settings(self, value: Any) -> LexiconSettings:
        entries = self.mapping(value, "settings")
        known = {
            "field_weights",
            "repeat_bonus",
            "max_repeats",
            "respondent_prior",
            "act_type_hint_prior",
            "prior_excluded_codes",
            "score_saturation",
            "max_candidates",
            "mediation_act_types",
        }
        unknown = sorted(entries.keys() - known)
        if unknown:
            raise self.fail("settings", f"unknown keys {unknown}")
        defaults = LexiconSettings(field_weights=_DEFAULT_FIELD_WEIGHTS)

        field_weights = dict(_DEFAULT_FIELD_WEIGHTS)
        if "field_weights" in entries:
            raw_fields = self.mapping(entries["field_weights"], "settings.field_weights")
            for name, weight in raw_fields.items():
                if name not in TEXT_FIELDS:
                    raise self.fail("settings.field_weights", f"unknown field {name!r}")
                field_weights[name] = self.positive(weight, f"settings.field_weights.{name}")

        def number_or(key: str, default: float, *, positive: bool) -> float:
            if key not in entries:
                return default
            if positive:
                return self.positive(entries[key], f"settings.{key}")
            number = self.number(entries[key], f"settings.{key}")
            if number < 0:
                raise self.fail(f"settings.{key}", "must not be negative")
            return number

        def count_or(key: str, default: int) -> int:
            if key not in entries:
                return default
            raw = entries[key]
            if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
                raise self.fail(f"settings.{key}", "must be an integer of at least 1")
            return raw

        def codes_or(key: str, default: frozenset[str]) -> frozenset[str]:
            if key not in entries:
                return default
            raw = entries[key]
            if not isinstance(raw, list) or not all(isinstance(code, str) for code in raw):
                raise self.fail(f"settings.{key}", "must be a list of codes")
            return frozenset(raw)

        mediation_act_types = codes_or("mediation_act_types", defaults.mediation_act_types)
        unknown_acts = sorted(mediation_act_types - set(ActType.codes()))
        if unknown_acts:
            raise self.fail(
                "settings.mediation_act_types", f"unknown act type codes {unknown_acts}"
            )
        return LexiconSettings(
            field_weights=field_weights,
            repeat_bonus=number_or("repeat_bonus", defaults.repeat_bonus, positive=False),
            max_repeats=count_or("max_repeats", defaults.max_repeats),
            respondent_prior=number_or(
                "respondent_prior", defaults.respondent_prior, positive=False
            ),
            act_type_hint_prior=number_or(
                "act_type_hint_prior", defaults.act_type_hint_prior, positive=False
            ),
            prior_excluded_codes=codes_or("prior_excluded_codes", defaults.prior_excluded_codes),
            score_saturation=number_or(
                "score_saturation", defaults.score_saturation, positive=True
            ),
            max_candidates=count_or("max_candidates", defaults.max_candidates),
            mediation_act_types=mediation_act_types,
        )

    def positive(self, value: Any, where: str) -> float:
        number = self.number(value, where)
        if number <= 0:
            raise self.fail(where, "must be positive")
        return number


# --- Result types ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evidence:
    """A keyword found in one text field: its lexicon weight and how often it occurs there."""

    field: str
    keyword: str
    weight: float
    count: int = 1


@dataclass(frozen=True, slots=True)
class Candidate:
    """A ranked business-system or act-type candidate.

    ``score`` is normalised to 0..1 (see the module notes); ``text_score`` is the raw score
    earned by the text and ``prior`` the raw score added from the respondent agency's business
    system or the intake act type.
    """

    code: str
    score: float
    text_score: float
    prior: float
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
) -> Suggestion:
    """Propose a classification for a case from its text and the data known about it.

    ``text_fields`` maps field names from :data:`TEXT_FIELDS` (title, facts, claims,
    act_description) to text; missing fields count as empty. ``respondent_kind`` is the
    respondent agency's :class:`AgencyKind` code, ``respondent_business_system`` its
    business-system code, ``act_type_hint`` the act type recorded at intake (None when not
    given). ``collective_threshold`` is the policy's ``collective_threshold``.
    """
    lex = lexicon if lexicon is not None else load_lexicon()
    unknown = sorted(set(text_fields) - set(TEXT_FIELDS))
    if unknown:
        raise ValueError(f"unknown text fields {unknown}; expected some of {list(TEXT_FIELDS)}")
    if applicant_count < 0:
        raise ValueError("applicant_count must not be negative")
    if collective_threshold < 1:
        raise ValueError("collective_threshold must be at least 1")

    texts = _prepare(text_fields, lex)
    business_systems = _rank(
        lex.business_systems,
        texts,
        lex.settings,
        prior_code=respondent_business_system,
        prior=lex.settings.respondent_prior,
    )
    act_types = _rank(
        lex.act_types,
        texts,
        lex.settings,
        prior_code=act_type_hint,
        prior=lex.settings.act_type_hint_prior,
    )
    conditions = _conditions(respondent_kind, act_types)
    priority = _priority(lex, texts, applicant_count, collective_threshold)
    organ_party = conditions[0].met
    channel = _channel(lex, texts, act_types, organ_party)
    return Suggestion(
        lexicon_version=lex.version,
        business_systems=business_systems,
        act_types=act_types,
        conditions=conditions,
        priority=priority,
        recommended_channel=channel,
    )


_Hits: TypeAlias = Sequence[tuple[int, tuple[str, ...]]]


def _prepare(text_fields: Mapping[str, str], lex: Lexicon) -> dict[str, _Hits]:
    """Keyword hits per non-empty field, in field order, after normalising the text and
    blanking out neutral phrases."""
    texts: dict[str, _Hits] = {}
    for name in TEXT_FIELDS:
        text = normalise_text(text_fields.get(name) or "")
        if not text:
            continue
        if len(lex.neutral):
            chars = list(text)
            for position, phrase in lex.neutral.scan(text):
                chars[position : position + len(phrase)] = _BLANK * len(phrase)
            text = "".join(chars)
        texts[name] = lex.index.hits(text)
    return texts


def _find(kset: KeywordSet, texts: Mapping[str, _Hits]) -> dict[str, dict[str, int]]:
    """``{keyword: {field: count}}`` for one class, fields in :data:`TEXT_FIELDS` order."""
    found: dict[str, dict[str, int]] = {}
    for name, hits in texts.items():
        for keyword, count in kset.count_hits(hits).items():
            found.setdefault(keyword, {})[name] = count
    return found


def _evidence(kset: KeywordSet, found: Mapping[str, Mapping[str, int]]) -> tuple[Evidence, ...]:
    items = [
        Evidence(field=name, keyword=keyword, weight=kset.weights[keyword], count=count)
        for keyword, fields in found.items()
        for name, count in fields.items()
    ]
    order = {name: index for index, name in enumerate(TEXT_FIELDS)}
    items.sort(key=lambda e: (-e.weight, order[e.field], e.keyword))
    return tuple(items)


def _text_score(
    kset: KeywordSet, found: Mapping[str, Mapping[str, int]], settings: LexiconSettings
) -> float:
    total = 0.0
    for keyword, fields in found.items():
        field_weight = max(settings.field_weights.get(name, 1.0) for name in fields)
        occurrences = min(sum(fields.values()), settings.max_repeats)
        repeat = 1.0 + settings.repeat_bonus * (occurrences - 1)
        total += kset.weights[keyword] * field_weight * repeat
    return total


def _rank(
    classes: Mapping[str, KeywordSet],
    texts: Mapping[str, _Hits],
    settings: LexiconSettings,
    *,
    prior_code: str | None,
    prior: float,
) -> tuple[Candidate, ...]:
    scored: list[tuple[float, str, float, float, tuple[Evidence, ...]]] = []
    for code, kset in classes.items():
        found = _find(kset, texts)
        text_score = _text_score(kset, found, settings)
        code_prior = (
            prior if prior_code == code and code not in settings.prior_excluded_codes else 0.0
        )
        raw = text_score + code_prior
        if raw > 0:
            scored.append((raw, code, text_score, code_prior, _evidence(kset, found)))
    if not scored:
        return ()
    scale = max(sum(item[0] for item in scored), settings.score_saturation)
    scored.sort(key=lambda item: (-item[0], item[1]))
    return tuple(
        Candidate(
            code=code,
            score=round(raw / scale, _SCORE_DIGITS),
            text_score=round(text_score, _SCORE_DIGITS),
            prior=code_prior,
            evidence=evidence,
        )
        for raw, code, text_score, code_prior, evidence in scored[: settings.max_candidates]
    )


def _signal(signal: Signal | None, texts: Mapping[str, _Hits]) -> tuple[bool, tuple[Evidence, ...]]:
    """Whether a signal's threshold is reached (each distinct keyword counted once)."""
    if signal is None:
        return False, ()
    found = _find(signal.keywords, texts)
    total = sum(signal.keywords.weights[keyword] for keyword in found)
    return total >= signal.threshold, _evidence(signal.keywords, found)


def _keywords(evidence: Iterable[Evidence]) -> str:
    seen: dict[str, None] = {}
    for item in evidence:
        seen.setdefault(item.keyword, None)
    return "、".join(seen)


# --- Art. 5 conditions ----------------------------------------------------------------------


def _conditions(
    respondent_kind: str | None, act_types: Sequence[Candidate]
) -> tuple[ConditionJudgement, ...]:
    organ_party = _organ_party(respondent_kind)
    if act_types and act_types[0].text_score > 0:
        label = ActType(act_types[0].code).label_zh
        administration_note = (
            f"文本中有“{label}”类行政行为的线索({_keywords(act_types[0].evidence[:5])}),"
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


def _priority(
    lex: Lexicon, texts: Mapping[str, _Hits], applicant_count: int, collective_threshold: int
) -> PrioritySuggestion:
    urgent, urgent_evidence = _signal(lex.priority.get(Priority.URGENT.value), texts)
    high, high_evidence = _signal(lex.priority.get(Priority.HIGH.value), texts)
    collective = applicant_count >= collective_threshold
    reasons: list[str] = []
    if urgent:
        reasons.append(
            f"出现自伤、群体性或极端行为的信号词:{_keywords(urgent_evidence)},应立即处置"
        )
    if collective:
        reasons.append(
            f"申请人{applicant_count}人,达到集体争议标准({collective_threshold}人),至少较急"
        )
    if high:
        reasons.append(f"出现需要优先处理的信号词:{_keywords(high_evidence)}")
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


def _channel(
    lex: Lexicon,
    texts: Mapping[str, _Hits],
    act_types: Sequence[Candidate],
    organ_party: bool | None,
) -> ChannelSuggestion:
    signals = lex.channel_signals
    refuses, refusal_evidence = _signal(signals.get(ResolutionChannel.RECONSIDERATION), texts)
    reconsidered, litigation_evidence = _signal(signals.get(ResolutionChannel.LITIGATION), texts)
    mediation, mediation_evidence = _signal(signals.get(ResolutionChannel.MEDIATION), texts)
    adjudication, adjudication_evidence = _signal(
        signals.get(ResolutionChannel.ADJUDICATION), texts
    )
    top_act = act_types[0].code if act_types else None

    code: ResolutionChannel
    evidence: tuple[Evidence, ...]
    if refuses and reconsidered:
        code, evidence = ResolutionChannel.LITIGATION, refusal_evidence + litigation_evidence
        reason = (
            f"申请人明确不愿和解调解({_keywords(refusal_evidence)}),且已经过复议"
            f"({_keywords(litigation_evidence)}):尊重其选择,引导依法诉讼"
        )
    elif refuses:
        code, evidence = ResolutionChannel.RECONSIDERATION, refusal_evidence
        reason = (
            f"申请人明确不愿和解调解({_keywords(refusal_evidence)}):尊重自愿,"
            "引导成本低于诉讼的行政复议"
        )
    elif mediation or top_act in lex.settings.mediation_act_types:
        code, evidence = ResolutionChannel.MEDIATION, mediation_evidence
        if mediation:
            basis = f"争议涉及补偿、赔偿、协议或处罚幅度({_keywords(mediation_evidence)})"
        else:
            basis = f"争议属于{ActType(top_act or 'other').label_zh}类,核心是补偿或协议履行"
        reason = f"{basis},可以依法调解:由和解中心委派公职律师主持调解"
    elif adjudication:
        code, evidence = ResolutionChannel.ADJUDICATION, adjudication_evidence
        reason = (
            f"争议实质为依法由行政机关裁决的民事纠纷({_keywords(adjudication_evidence)}):"
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
