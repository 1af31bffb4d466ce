"""Near-duplicate detection over a stream of documents (MinHash + LSH, datasketch).

The same text often reaches the crawl twice: a post syndicated on two blogs, a comment
posted twice, a page under two URLs. ``NearDuplicateIndex.check`` tells, for each document
in turn, which earlier one it nearly repeats. Memory is bounded per document and small,
about 0.5 kB, never the text: its ``num_perm``-value signature in a block of a numpy array,
its LSH band keys in numpy hash tables, its id. (datasketch's ``MinHashLSH`` keeps Python
bytes, sets and dict entries per band: about 2.2 kB per document, +180 MB at 100k.)
"""

from __future__ import annotations

import re

import numpy as np
from datasketch import MinHash
from datasketch.lsh import _optimal_param

from shrinksearch.records import Document

_WORD = re.compile(r"\w+")
_SCHEME = "affine32"  # datasketch's default since 2.0; named because shared permutations need it
_BLOCK = 4096  # signatures per numpy block (no big copy as the index grows)
_MASK64 = (1 << 64) - 1


def _shingles(text: str, size: int) -> list[bytes]:
    """Overlapping word n-grams: robust to small edits, sensitive to word order."""
    words = _WORD.findall(text.casefold())
    return [" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)]


class _Buckets:
    """A hash table from 64-bit keys to row numbers (several rows per key allowed), open
    addressing in two numpy arrays: about 32 bytes an entry instead of a Python dict's ~100."""

    def __init__(self, capacity: int = 1024) -> None:
        self._keys = np.zeros(capacity, dtype=np.uint64)
        self._rows = np.full(capacity, -1, dtype=np.int32)
        self._used = 0

    def add(self, key: int, row: int) -> None:
        if 4 * (self._used + 1) > 3 * len(self._rows):  # linear probing stays short up to 3/4 full
            self._grow()
        self._place(key, row)
        self._used += 1

    def get(self, key: int) -> list[int]:
        mask, slot, found = len(self._rows) - 1, key & (len(self._rows) - 1), []
        while (row := int(self._rows[slot])) >= 0:
            if int(self._keys[slot]) == key:
                found.append(row)
            slot = (slot + 1) & mask
        return found

    def _place(self, key: int, row: int) -> None:
        mask = len(self._rows) - 1
        slot = key & mask
        while self._rows[slot] >= 0:
            slot = (slot + 1) & mask
        self._keys[slot], self._rows[slot] = key, row

    def _grow(self) -> None:
        keys, rows = self._keys, self._rows
        self._keys = np.zeros(2 * len(keys), dtype=np.uint64)
        self._rows = np.full(2 * len(rows), -1, dtype=np.int32)
        for slot in np.flatnonzero(rows >= 0):
            self._place(int(keys[slot]), int(rows[slot]))


class NearDuplicateIndex:
    """Streams documents; remembers a signature of each so later near-copies are found.

    ``threshold`` is the estimated Jaccard similarity of word 3-gram sets above which two
    texts are near-duplicates. Texts under ``min_words`` words are never judged: two people
    writing "Thank you, great post!" are not duplicates of each other. Candidates come from
    LSH banding with datasketch's optimal bands for ``threshold`` and are confirmed against
    the stored signature (LSH admits false positives).
    """

    def __init__(self, threshold: float = 0.85, num_perm: int = 64, min_words: int = 12, shingle: int = 3) -> None:
        self.threshold = threshold
        self.min_words = min_words
        self.shingle = shingle
        self._num_perm = num_perm
        bands, rows = _optimal_param(threshold, num_perm, 0.5, 0.5)
        self._bands = [(i * rows, (i + 1) * rows) for i in range(bands)]
        self._buckets = [_Buckets() for _ in self._bands]
        # One shared permutation table instead of one per MinHash object.
        self._permutations = MinHash(num_perm=num_perm, seed=1, scheme=_SCHEME).permutations
        self._blocks: list[np.ndarray] = []
        self._ids: list[str] = []  # row -> document id; rows are in the order documents came
        self._id_rows = _Buckets()  # hash(id) -> row, to know an id seen before

    def __len__(self) -> int:
        return len(self._ids)

    def _minhash(self, shingles: list[bytes]) -> MinHash:
        minhash = MinHash(num_perm=self._num_perm, seed=1, permutations=self._permutations, scheme=_SCHEME)
        minhash.update_batch(shingles)
        return minhash

    def check(self, doc: Document) -> str | None:
        """Id of the earliest remembered near-duplicate of ``doc.text``, or None.

        A document that is not a duplicate is remembered; one that is, is not (its original
        already stands for it). Seeing the same id again (a re-crawl) returns None.
        """
        if self._seen(doc.id) or len(_WORD.findall(doc.text)) < self.min_words:
            return None
        signature = self._minhash(_shingles(doc.text, self.shingle)).hashvalues
        keys = [hash(signature[start:end].tobytes()) & _MASK64 for start, end in self._bands]
        original = self._earliest_match(signature, keys)
        if original is None:
            self._remember(doc.id, signature, keys)
        return original

    def _seen(self, doc_id: str) -> bool:
        return any(self._ids[row] == doc_id for row in self._id_rows.get(hash(doc_id) & _MASK64))

    def _signature(self, row: int) -> np.ndarray:
        return self._blocks[row // _BLOCK][row % _BLOCK]

    def _earliest_match(self, signature: np.ndarray, keys: list[int]) -> str | None:
        candidates = {row for key, buckets in zip(keys, self._buckets) for row in buckets.get(key)}
        confirmed = [row for row in candidates if float(np.mean(self._signature(row) == signature)) >= self.threshold]
        return self._ids[min(confirmed)] if confirmed else None

    def _remember(self, doc_id: str, signature: np.ndarray, keys: list[int]) -> None:
        row = len(self._ids)
        if row % _BLOCK == 0:
            self._blocks.append(np.empty((_BLOCK, self._num_perm), dtype=signature.dtype))
        self._blocks[-1][row % _BLOCK] = signature
        self._ids.append(doc_id)
        self._id_rows.add(hash(doc_id) & _MASK64, row)
        for key, buckets in zip(keys, self._buckets):
            buckets.add(key, row)
