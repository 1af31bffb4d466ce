"""Enrichment: psychiatric theme tags (with scores and evidence) and optional embeddings.

The taxonomy is data (``index_config/themes.yaml``); ``load_taxonomy`` validates it,
``tag_document`` tags one clean ``Document`` with it, ``expand_concept`` maps a user's word
to themes for query understanding. Everything but loading the file and the model is pure.
"""

from __future__ import annotations

from shrinksearch.enrich.embeddings import EMBEDDING_DIMS, embed_documents, embed_texts
from shrinksearch.enrich.tagging import MIN_SCORE, PIPELINE_VERSION, tag_document, tag_text
from shrinksearch.enrich.taxonomy import Taxonomy, Theme, expand_concept, load_taxonomy, parse_taxonomy

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
