"""The keyword lexicon of the classification suggestion (SPEC 2.6): a data file, validated.

``lexicon.json`` beside this module holds the vocabulary (its ``format`` entry documents the
shape): keywords per business system and per act type with weights, the organ words (names of
agencies and institutions, which say who is involved rather than what the dispute is about),
the act verbs that make a named organ the author of the act, the priority and channel signals,
and the neutral phrases. This module reads and checks the file and compiles it for matching; the
scoring lives in :mod:`app.domain.classification.suggest`.

Keywords and texts are NFKC-normalised, case-folded and stripped of whitespace before matching.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import Any, Final

from app.domain.classification.keywords import KeywordIndex, KeywordSet, normalise_text
from app.states.codes import ActType, Priority

__all__ = [
    "CHANNEL_SIGNALS",
    "DEFAULT_LEXICON_PATH",
    "TEXT_FIELDS",
    "Lexicon",
    "LexiconError",
    "LexiconSettings",
    "Signal",
    "clear_lexicon_cache",
    "load_lexicon",
    "parse_lexicon",
]

DEFAULT_LEXICON_PATH: Final = Path(__file__).with_name("lexicon.json")

TEXT_FIELDS: Final = ("title", "facts", "claims", "act_description")
"""The case's text fields the suggestion reads, in the order evidence is listed."""

CHANNEL_SIGNALS: Final = (
    "compensation_or_terms",
    "civil_dispute",
    "refuses_mediation",
    "already_reconsidered",
)
"""What the Art. 8 channel signals detect: the dispute is about compensation, an agreement or
the size of a penalty (mediation suits it); it is a civil dispute the law lets an organ rule on
(adjudication); the applicant refuses mediation; the applicant has already been through
reconsideration or to court."""

_PRIORITY_LEVELS: Final = (Priority.URGENT.value, Priority.HIGH.value)
_CODE_PATTERN: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_MAX_KEYWORD_LENGTH: Final = 50
BLANK: Final = "\x00"
"""Stands in for the characters of a neutral phrase, so that nothing matches inside it."""

_TOP_LEVEL_REQUIRED: Final = frozenset(
    {"version", "description", "business_systems", "act_types", "priority"}
)
_TOP_LEVEL_OPTIONAL: Final = frozenset(
    {"format", "settings", "channel_signals", "neutral", "organs", "act_verbs"}
)


class LexiconError(ValueError):
    """The lexicon file is missing, is not JSON, or does not have the expected shape."""


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
    context_weight: float = 0.5
    """Multiplier for an organ word that is only mentioned (the scene, a hospital, the police
    who came): it tells who was around, not what the act was."""
    acting_organ_weight: float = 1.5
    """Multiplier for an organ word the text names as the author of an act (罚款, 作出, 查封
    within the same clause after it)."""
    override_ratio: float = 1.0
    """Another business system overrides the respondent's only when the text names one of its
    organs as the author of the act and its text score is at least this multiple of the
    respondent system's..."""
    contested_override_ratio: float = 1.5
    """...or this multiple, when the text names an organ of the respondent's system as an
    author too."""


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
    organ_keywords: Mapping[str, frozenset[str]]
    """Per business system, its keywords that name an organ, which may act (see ``organs``)."""
    institution_keywords: Mapping[str, frozenset[str]]
    """Per business system, its keywords that name an institution, which never acts."""
    act_verbs: KeywordSet
    """Words that make an organ named before them in the same clause the author of the act,
    together with every organ keyword at weight 0, so that a longest-match scan does not take
    审批 inside 审批局 for a verb."""
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
            top.get("channel_signals", {}), "channel_signals", CHANNEL_SIGNALS, required=False
        )
        neutral = self.neutral(top.get("neutral", []))
        settings = self.settings(top.get("settings", {}))
        is_organ, is_institution = self.organs(top.get("organs", {}))
        institution_keywords = {
            code: frozenset(k for k in kset.weights if is_institution(k))
            for code, kset in business_systems.items()
        }
        organ_keywords = {
            code: frozenset(
                k for k in kset.weights if is_organ(k) and k not in institution_keywords[code]
            )
            for code, kset in business_systems.items()
        }
        verbs = self.phrases(top.get("act_verbs", []), "act_verbs")
        names = {k for keywords in organ_keywords.values() for k in keywords}
        act_verbs = KeywordSet(
            {**{k: 0.0 for k in names}, **{k: 1.0 for k in verbs.weights if k not in names}}
        )
        index = KeywordIndex(
            [
                *business_systems.values(),
                *act_types.values(),
                *(signal.keywords for signal in priority.values()),
                *(signal.keywords for signal in channel_signals.values()),
                act_verbs,
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
            organ_keywords=organ_keywords,
            institution_keywords=institution_keywords,
            act_verbs=act_verbs,
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
        if BLANK in keyword:
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
        return self.phrases(value, "neutral")

    def phrases(self, value: Any, where: str) -> KeywordSet:
        if not isinstance(value, list):
            raise self.fail(where, "must be a list of phrases")
        weights: dict[str, float] = {}
        for index, phrase in enumerate(value):
            weights[self.keyword(phrase, f"{where}[{index}]")] = 0.0
        return KeywordSet(weights)

    def organs(self, value: Any) -> tuple[Callable[[str], bool], Callable[[str], bool]]:
        """``{"suffixes": [...], "words": [...], "institutions": [...]}``: a business-system
        keyword names an organ when it ends with one of the suffixes (局, 派出所) or is one of
        the words (交警); an institution (医院, 学校) when it ends with one of those."""
        entries = self.mapping(value, "organs")
        unknown = sorted(entries.keys() - {"suffixes", "words", "institutions"})
        if unknown:
            raise self.fail("organs", f"unknown keys {unknown}")
        suffixes = tuple(self.phrases(entries.get("suffixes", []), "organs.suffixes").weights)
        words = frozenset(self.phrases(entries.get("words", []), "organs.words").weights)
        institutions = tuple(
            self.phrases(entries.get("institutions", []), "organs.institutions").weights
        )
        return (
            lambda keyword: keyword in words or keyword.endswith(suffixes),
            lambda keyword: keyword.endswith(institutions),
        )

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
            "context_weight",
            "acting_organ_weight",
            "override_ratio",
            "contested_override_ratio",
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
            context_weight=number_or("context_weight", defaults.context_weight, positive=True),
            acting_organ_weight=number_or(
                "acting_organ_weight", defaults.acting_organ_weight, positive=True
            ),
            override_ratio=number_or("override_ratio", defaults.override_ratio, positive=True),
            contested_override_ratio=number_or(
                "contested_override_ratio", defaults.contested_override_ratio, positive=True
            ),
        )

    def positive(self, value: Any, where: str) -> float:
        number = self.number(value, where)
        if number <= 0:
            raise self.fail(where, "must be positive")
        return number
