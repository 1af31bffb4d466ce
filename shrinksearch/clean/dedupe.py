"""Near-duplicate detection over a stream of documents (MinHash + LSH, datasketch).

The same text often reaches the crawl twice: a post syndicated on two blogs, a comment
posted twice, a page under two URLs. ``NearDuplicateIndex.check`` tells, for each document
in turn, which earlier one it nearly repeats. Memory is bounded per document: one
``num_perm``-value signature in the LSH tables and one for verification, never the text.
"""

from __future__ import annotations

import re

import numpy as np
from datasketch import MinHash, MinHashLSH

from shrinksearch.records import Document

_WORD = re.compile(r"\w+")
_SCHEME = "affine32"  # datasketch's default since 2.0; named because shared permutations need it


def _shingles(text: str, size: int) -> list[bytes]:
    """Overlapping word n-grams: robust to small edits, sensitive to word order."""
    words = _WORD.findall(text.casefold())
    return [" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)]


class NearDuplicateIndex:
    """Streams documents; remembers a signature of each so later near-copies are found.

    ``threshold`` is the estimated Jaccard similarity of word 3-gram sets above which two
    texts are near-duplicates. Texts under ``min_words`` words are never judged: two people
    writing "Thank you, great post!" are not duplicates of each other.
    """

    def __init__(self, threshold: float = 0.85, num_perm: int = 64, min_words: int = 12, shingle: int = 3) -> None:
        self.threshold = threshold
        self.min_words = min_words
        self.shingle = shingle
        self._num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        # One shared permutation table instead of one per MinHash object.
        self._permutations = MinHash(num_perm=num_perm, seed=1, scheme=_SCHEME).permutations
        self._signatures: dict[str, np.ndarray] = {}
        self._order: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def _minhash(self, shingles: list[bytes]) -> MinHash:
        minhash = MinHash(num_perm=self._num_perm, seed=1, permutations=self._permutations, scheme=_SCHEME)
        minhash.update_batch(shingles)
        return minhash

    def check(self, doc: Document) -> str | None:
        """Id of the earliest remembered near-duplicate of ``doc.text``, or None.

        A document that is not a duplicate is remembered; one that is, is not (its original
        already stands for it). Seeing the same id again (a re-crawl) returns None.
        """
        if doc.id in self._order or len(_WORD.findall(doc.text)) < self.min_words:
            return None
        minhash = self._minhash(_shingles(doc.text, self.shingle))
        original = self._earliest_match(minhash)
        if original is None:
            self._remember(doc.id, minhash)
        return original

    def _earliest_match(self, minhash: MinHash) -> str | None:
        # LSH candidates are verified against the stored signature (LSH admits false positives).
        confirmed = [
            key
            for key in self._lsh.query(minhash)
            if float(np.mean(self._signatures[key] == minhash.hashvalues)) >= self.threshold
        ]
        return min(confirmed, key=self._order.__getitem__, default=None)

    def _remember(self, doc_id: str, minhash: MinHash) -> None:
        self._lsh.insert(doc_id, minhash)
        self._signatures[doc_id] = minhash.hashvalues.copy()
        self._order[doc_id] = len(self._order)
