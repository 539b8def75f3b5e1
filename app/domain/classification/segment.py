"""Word segmentation for the classification suggestion (jieba, dictionary shipped in the package).

The scorer counts a keyword only where the text has a word that starts and ends where the
keyword does: 低保 does not match inside 降低保费, nor 公安 inside 办公安排. Word boundaries come
from jieba's search mode, which lists the words inside a long word as well (交警 and 大队 in
交警大队), so a keyword is not lost because jieba's dictionary knows a longer compound. Words the
general dictionary lacks (人社局) fall apart into single characters, whose edges are all
boundaries, so they still match: the lexicon's words need not be added to the dictionary, and
one segmenter serves every lexicon.

Loading the dictionary takes about a second: it happens once per process, at start-up
(:func:`warm_up`, off the event loop) or at the first suggestion, which already runs in a
worker thread. No network access: the dictionary ships inside the jieba package, and its cache
goes to the temporary directory.
"""

from __future__ import annotations

import logging
import threading
from typing import Final

import jieba
import structlog

__all__ = ["SEGMENTER", "Segmenter"]

log = structlog.get_logger("adr.classification")

# jieba logs its dictionary loading on its own logger; the service logs once itself.
jieba.setLogLevel(logging.WARNING)


class Segmenter:
    """A jieba tokenizer of its own (not jieba's global one), loaded on first use."""

    def __init__(self) -> None:
        self._tokenizer: jieba.Tokenizer | None = None
        self._lock = threading.Lock()

    def load(self) -> jieba.Tokenizer:
        """The initialised tokenizer; the first call loads the dictionary (thread-safe)."""
        tokenizer = self._tokenizer
        if tokenizer is not None:
            return tokenizer
        with self._lock:
            if self._tokenizer is None:
                fresh = jieba.Tokenizer()
                fresh.initialize()
                self._tokenizer = fresh
                log.info("classification_segmenter_loaded")
            return self._tokenizer

    def boundaries(self, text: str) -> frozenset[int]:
        """Positions in ``text`` where a word starts or ends (0 and ``len(text)`` included)."""
        edges = {0, len(text)}
        for _word, start, end in self.load().tokenize(text, mode="search", HMM=False):
            edges.add(start)
            edges.add(end)
        return frozenset(edges)


SEGMENTER: Final = Segmenter()
"""The process's one segmenter."""
