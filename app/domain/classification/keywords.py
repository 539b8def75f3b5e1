"""Keyword matching primitives of the classification suggestion: normalisation, a class's
keywords compiled for longest-match scanning, and one index that finds every keyword of every
class in a single pass over a text."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeAlias

__all__ = ["Hits", "KeywordIndex", "KeywordSet", "normalise_text"]

Hits: TypeAlias = Sequence[tuple[int, tuple[str, ...]]]
"""``(position, keywords starting there, longest first)`` found in one text."""


def normalise_text(text: str) -> str:
    """NFKC (full-width to half-width), case-fold, and drop all whitespace.

    Whitespace carries no meaning inside Chinese text, and citizens' letters transcribed by
    hand or OCR often contain stray spaces and line breaks in the middle of words.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not ch.isspace())


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

    def matches(self, hits: Hits) -> list[tuple[int, str]]:
        """This set's matches ``(position, keyword)`` among the hits a :class:`KeywordIndex`
        found in a text: walking the hits in order, the longest of this set's keywords at a
        position is taken and positions inside it are skipped, exactly as :meth:`scan` would,
        without rescanning the text for every class."""
        found: list[tuple[int, str]] = []
        weights = self.weights
        cursor = 0
        for position, keywords in hits:
            if position < cursor:
                continue
            for keyword in keywords:
                if keyword in weights:
                    found.append((position, keyword))
                    cursor = position + len(keyword)
                    break
        return found


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
