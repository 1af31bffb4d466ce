"""Enrichment: psychiatric theme tags (with scores and evidence) and optional embeddings.

The taxonomy is data (``index_config/themes.yaml``); ``load_taxonomy`` validates it,
``tag_document`` tags one clean ``Document`` with it, ``expand_concept`` maps a user's word
to themes for query understanding. Everything but loading the file and the model is pure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shrinksearch.lazy import lazy_exports

if TYPE_CHECKING:
    from shrinksearch.enrich.embeddings import EMBEDDING_DIMS, embed_documents, embed_texts
    from shrinksearch.enrich.tagging import MIN_SCORE, PIPELINE_VERSION, tag_document, tag_text
    from shrinksearch.enrich.taxonomy import Taxonomy, Theme, expand_concept, load_taxonomy, parse_taxonomy

# Imported on first use (shrinksearch/lazy.py): search loads the taxonomy without the record
# models and the tagger behind embeddings and tagging.
__getattr__ = lazy_exports(__name__, {
    "EMBEDDING_DIMS": "embeddings", "embed_documents": "embeddings", "embed_texts": "embeddings",
    "MIN_SCORE": "tagging", "PIPELINE_VERSION": "tagging", "tag_document": "tagging", "tag_text": "tagging",
    "Taxonomy": "taxonomy", "Theme": "taxonomy", "expand_concept": "taxonomy", "load_taxonomy": "taxonomy",
    "parse_taxonomy": "taxonomy",
})

__all__ = [
    "EMBEDDING_DIMS",
    "MIN_SCORE",
    "PIPELINE_VERSION",
    "Taxonomy",
    "Theme",
    "embed_documents",
    "embed_texts",
    "expand_concept",
    "load_taxonomy",
    "parse_taxonomy",
    "tag_document",
    "tag_text",
]
