"""One article as every extractor reads it, built once (Duckling's `Document`).

The text, its lower-cased twin (same length, so offsets agree), and its boundaries:
sentences, clauses and paragraphs, found on demand and kept, so numbers, dates,
figures and places share one pass over each instead of threading `lowered` and caches
through every call.
"""

from __future__ import annotations

import bisect
import re

from extract.lexicon import lowered_like
from extract.sentences import Sentence, SentenceFinder

# A word (letters and digits, with inner hyphens), or one mark.
TOKEN = re.compile(r"[\w][\w\-]*|[,;:.!?()\[\]\"“”'‘’/…–—]|\S", re.UNICODE)
# Clauses of one sentence part at these marks (a list's commas do not part it).
_CLAUSE_END = re.compile(r"[;:]|,\s+(?=(?:trong đó|cụ thể|riêng|còn|nhưng|song|tuy nhiên|đồng thời)\b)")


class Document:
    """`text` (NFC, as stored) and what extractors share about it."""

    __slots__ = ("_clause_ends", "_token_starts", "_tokens", "lowered", "sentences", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.lowered = lowered_like(text)
        self.sentences = SentenceFinder(text)
        self._tokens: list[tuple[int, int]] | None = None
        self._token_starts: list[int] | None = None
        self._clause_ends: dict[int, list[int]] = {}

    @classmethod
    def of(cls, text: str | Document) -> Document:
        return text if isinstance(text, Document) else cls(text)

    def sentence_at(self, position: int) -> Sentence:
        return self.sentences.at(position)

    def paragraph_at(self, position: int) -> tuple[int, int]:
        """The paragraph (a line of the stored text) that holds `position`: start, end."""
        start = self.text.rfind("\n", 0, position) + 1
        end = self.text.find("\n", position)
        return start, len(self.text) if end < 0 else end

    def paragraph_lead(self, position: int) -> Sentence:
        """The first sentence of the paragraph that holds `position`."""
        return self.sentences.at(self.paragraph_at(position)[0])

    def clause_at(self, position: int) -> tuple[int, int]:
        """The clause of its sentence that holds `position`: parts split at ";", ":" and a
        comma that opens a new report ("…, trong đó …")."""
        sentence = self.sentences.at(position)
        ends = self._clause_ends.get(sentence.start)
        if ends is None:
            ends = [m.start() for m in _CLAUSE_END.finditer(self.lowered, sentence.start, sentence.end)]
            self._clause_ends[sentence.start] = ends
        index = bisect.bisect_left(ends, position)
        start = ends[index - 1] + 1 if index else sentence.start
        return start, ends[index] if index < len(ends) else sentence.end

    @property
    def tokens(self) -> list[tuple[int, int]]:
        """Every token's (start, end), in order; made on first use."""
        if self._tokens is None:
            self._tokens = [m.span() for m in TOKEN.finditer(self.text)]
            self._token_starts = [start for start, _ in self._tokens]
        return self._tokens

    def tokens_before(self, position: int, count: int) -> list[tuple[int, int]]:
        """Up to `count` tokens that end at or before `position`, in text order."""
        tokens = self.tokens
        assert self._token_starts is not None
        index = bisect.bisect_left(self._token_starts, position)
        while index and tokens[index - 1][1] > position:
            index -= 1
        return tokens[max(0, index - count) : index]
