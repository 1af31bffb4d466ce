"""Evidence spans: the words around a match, quoted verbatim from the original text.

A span is the sentence that holds the match when the sentence is short enough to read at a
glance; otherwise (long sentences, or text without punctuation such as the tokenized seed
post) a window of about ``WINDOW`` characters on each side, cut at spaces. Spans never cross
a line break, so a post's title and body never run together.
"""

from __future__ import annotations

import re
from bisect import bisect_right

MAX_SENTENCE = 240  # characters; longer sentences are cut to a window
WINDOW = 60  # characters kept on each side of the match in a window

# A full stop after a common abbreviation ("Dr. Kat") does not end a sentence.
_SENTENCE_END = re.compile(
    r"(?<!\bdr)(?<!\bmr)(?<!\bms)(?<!\bmrs)(?<!\bst)(?<!\bvs)(?<!\be\.g)(?<!\bi\.e)"
    r"[.!?…]+[\"'”’)\]]*(?=\s)|\n",
    re.IGNORECASE,
)


class Spans:
    """Sentence boundaries of one text, computed once, for quoting many matches."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = [0] + [end.end() for end in _SENTENCE_END.finditer(text)]

    def _sentence(self, start: int) -> tuple[int, int]:
        index = bisect_right(self._starts, start) - 1
        left = self._starts[index]
        right = self._starts[index + 1] if index + 1 < len(self._starts) else len(self.text)
        return left, right

    def around(self, start: int, end: int) -> str:
        """The verbatim span quoting the match at ``text[start:end]``."""
        left, right = self.bounds(start, end)
        return self.text[left:right].strip()

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """Character range of the span quoting ``text[start:end]``."""
        left, _ = self._sentence(start)
        _, right = self._sentence(max(start, end - 1))  # a match may run into the next sentence
        if right - left > MAX_SENTENCE:
            left, right = self._window(left, right, start, end)
        return left, right

    def _window(self, left: int, right: int, start: int, end: int) -> tuple[int, int]:
        lo = max(left, start - WINDOW)
        hi = min(right, end + WINDOW)
        # Cut at spaces so no word is quoted in half.
        if lo > left:
            space = self.text.find(" ", lo, start)
            lo = space + 1 if space != -1 else lo
        if hi < right:
            space = self.text.rfind(" ", end, hi)
            hi = space if space != -1 else hi
        return lo, hi
