"""Corpus files shared by the benchmarks, built once and reused while nothing they depend on
changed: ``raw-<N>`` (the generator's output) and ``cleaned-<N>`` / ``enriched-<N>`` (the
pipeline's stages run on it). Names carry a fingerprint of the generator, the pipeline
version and the taxonomy version, so a change to any of them builds new files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from shrinksearch.enrich import PIPELINE_VERSION, Taxonomy, load_taxonomy
from shrinksearch.pipeline import stages

from .common import BENCH_DIR, CORPUS_DIR, console, settings, timed
from .corpus import SEED, write_raw_corpus


def taxonomy() -> Taxonomy:
    return load_taxonomy(settings().index_config_dir / "themes.yaml")


def fingerprint() -> str:
    generator = (BENCH_DIR / "corpus.py").read_bytes()
    stamp = b"|".join([generator, PIPELINE_VERSION.encode(), str(taxonomy().version).encode(), str(SEED).encode()])
    return hashlib.sha1(stamp).hexdigest()[:10]


def corpus_path(stage: str, size: int) -> Path:
    """``bench/results/corpus/<stage>-<size>-<fingerprint>.jsonl`` (stage: raw, cleaned, enriched, rejects)."""
    return CORPUS_DIR / f"{stage}-{size}-{fingerprint()}.jsonl"


def raw_corpus(size: int) -> Path:
    path = corpus_path("raw", size)
    if not path.exists():
        with timed() as watch:
            write_raw_corpus(path.with_suffix(".tmp"), size).replace(path)
        console.print(f"[dim]generated {size:,} raw records in {watch.seconds:.1f}s: {path.name}[/dim]")
    return path


def enriched_corpus(size: int) -> Path:
    """The documents as the index step gets them (cleaned and tagged, no embeddings)."""
    enriched = corpus_path("enriched", size)
    if enriched.exists():
        return enriched
    raw, cleaned, rejects = raw_corpus(size), corpus_path("cleaned", size), corpus_path("rejects", size)
    with timed() as watch:
        stages.clean_file([raw], cleaned, rejects)
        stages.enrich_file(cleaned, enriched, rejects, taxonomy())
    console.print(f"[dim]cleaned and enriched {size:,} documents in {watch.seconds:.1f}s: {enriched.name}[/dim]")
    return enriched
