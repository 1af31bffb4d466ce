"""Language of a text: an ISO 639-1 code, or None when there is too little to tell.

Long enough texts go to langdetect, seeded so that a re-run gives the same answer. Short
ones (a "Thanks!" comment) are below what a character-n-gram detector can judge, so they
are called English only when they contain English function words, otherwise None. The same
function-word share also overrules langdetect on mid-length English it mislabels.
"""

from __future__ import annotations

import re

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

# langdetect samples randomly; a fixed seed makes detection repeatable.
DetectorFactory.seed = 0

MIN_LETTERS = 40  # below this, langdetect is unreliable
_SAMPLE_CHARS = 3000  # enough for a stable answer; bounds the cost on long posts
_ENGLISH_SHARE = 0.25  # share of function words that only English text reaches
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_ENGLISH_FUNCTION_WORDS = frozenset(
    "the and but or if of to for with from at by about into than this that these those is are was were "
    "be been being am have has had do does did not don't doesn't can't i i'm i've you your my me we our "
    "they their he she his her it it's what which who when why how would could should will just".split()
)


def _english_share(words: list[str]) -> float:
    if not words:
        return 0.0
    return sum(word in _ENGLISH_FUNCTION_WORDS for word in words) / len(words)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language ("en", "fr", ...), or None if undecidable."""
    words = [word.lower().replace("’", "'") for word in _WORD.findall(text[:_SAMPLE_CHARS])]
    letters = sum(len(word) for word in words)
    if letters < MIN_LETTERS:
        return "en" if _english_share(words) > 0 else None
    if _english_share(words) >= _ENGLISH_SHARE:
        return "en"
    try:
        best = detect_langs(text[:_SAMPLE_CHARS])[0]
    except LangDetectException:
        return None
    return str(best.lang)
