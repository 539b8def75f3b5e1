"""Reading a case's text for the classification suggestion: normalised, neutral phrases blanked
out, keyword hits kept on word boundaries only, and clauses marked so that an organ named before
an act verb in the same clause can be told apart from an organ only mentioned."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.domain.classification.keywords import Hits, KeywordSet, normalise_text
from app.domain.classification.lexicon import BLANK, TEXT_FIELDS, Lexicon, Signal
from app.domain.classification.results import Evidence
from app.domain.classification.segment import SEGMENTER

__all__ = ["ReadField", "find", "keywords_of", "read_fields", "signal_reached"]

_CLAUSE_ENDS = frozenset("。，,；;！!？?：:\n、（）()")
_INTRODUCES_AUTHOR = frozenset("是由")
_ACTING_FIELDS = frozenset({"title", "claims", "act_description"})
"""Fields about the dispute itself: an organ named there is the one the applicant disputes."""


@dataclass(frozen=True, slots=True)
class ReadField:
    """One text field, read: its keyword hits on word boundaries, and where acts are named."""

    name: str
    hits: Hits
    clause_of: Sequence[int]
    """The clause number of every character (clauses end at 。，；！？ and the like)."""
    text: str
    act_verbs: Mapping[int, tuple[int, int]]
    """Per clause, the positions of its first and last act verb."""

    def names_as_author(self, position: int, keyword: str) -> bool:
        """Whether the organ ``keyword`` at ``position`` is named as the author of an act: in
        the title, claims or act description; before an act verb in its clause (市场监管局查封,
        被交警扣了); or after one, introduced by 是 or 由 (作出决定的是应急管理局)."""
        if self.name in _ACTING_FIELDS:
            return True
        verbs = self.act_verbs.get(self.clause_of[position])
        if verbs is None:
            return False
        first, last = verbs
        if last >= position + len(keyword):
            return True
        return first < position and self.text[position - 1 : position] in _INTRODUCES_AUTHOR


def read_fields(text_fields: Mapping[str, str], lex: Lexicon) -> list[ReadField]:
    """Each non-empty field, in field order, read: normalised, neutral phrases blanked out,
    keyword hits kept only where segmentation finds a word starting and ending with them."""
    fields: list[ReadField] = []
    for name in TEXT_FIELDS:
        text = normalise_text(text_fields.get(name) or "")
        if not text:
            continue
        edges = SEGMENTER.boundaries(text)
        if len(lex.neutral):
            chars = list(text)
            for position, phrase in lex.neutral.scan(text):
                chars[position : position + len(phrase)] = BLANK * len(phrase)
            text = "".join(chars)
        hits = [
            (position, words)
            for position, keywords in lex.index.hits(text)
            if position in edges
            and (words := tuple(k for k in keywords if position + len(k) in edges))
        ]
        clause_of: list[int] = []
        clause = 0
        for char in text:
            clause_of.append(clause)
            if char in _CLAUSE_ENDS:
                clause += 1
        act_verbs: dict[int, tuple[int, int]] = {}
        for position, word in lex.act_verbs.matches(hits):
            if not lex.act_verbs.weights[word]:
                continue  # an organ's name, not a verb inside it
            clause = clause_of[position]
            first, _last = act_verbs.get(clause, (position, position))
            act_verbs[clause] = (first, position)
        fields.append(ReadField(name, hits, clause_of, text, act_verbs))
    return fields


def find(kset: KeywordSet, fields: Sequence[ReadField]) -> dict[str, dict[str, int]]:
    """``{keyword: {field: count}}`` for one signal, fields in :data:`TEXT_FIELDS` order."""
    found: dict[str, dict[str, int]] = {}
    for text in fields:
        for _, keyword in kset.matches(text.hits):
            per_field = found.setdefault(keyword, {})
            per_field[text.name] = per_field.get(text.name, 0) + 1
    return found


def signal_reached(
    signal: Signal | None, fields: Sequence[ReadField]
) -> tuple[bool, tuple[Evidence, ...]]:
    """Whether a signal's threshold is reached (each distinct keyword counted once)."""
    if signal is None:
        return False, ()
    found = find(signal.keywords, fields)
    total = sum(signal.keywords.weights[keyword] for keyword in found)
    order = {name: index for index, name in enumerate(TEXT_FIELDS)}
    evidence = sorted(
        (
            Evidence(name, keyword, signal.keywords.weights[keyword], count)
            for keyword, per_field in found.items()
            for name, count in per_field.items()
        ),
        key=lambda e: (-e.weight, order[e.field], e.keyword),
    )
    return total >= signal.threshold, tuple(evidence)


def keywords_of(evidence: Iterable[Evidence]) -> str:
    seen: dict[str, None] = {}
    for item in evidence:
        seen.setdefault(item.keyword, None)
    return "、".join(seen)
