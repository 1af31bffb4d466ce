"""enrich: documents/s of cleaning and tagging (per core), and of MiniLM embeddings (CPU).

Cleaning + tagging are the flow's stage functions (``stages.clean_file`` then
``stages.enrich_file``) on a generated raw corpus, in one process: one core. Their
baseline is the stages' floor measured on the same files: reading, validating and writing
every record with no work in between (``parse_raw_record`` → ``model_dump`` → line, and
``Document`` in → ``Document`` out), so the ratio says how much of a stage is the real
work. Two processes on two halves at once show how it scales over the machine's cores.

Embeddings: ``enrich.embed_texts`` (what ``enrich_file(embed=True)`` calls) on the
documents' embedding texts, against ``SentenceTransformer.encode`` of the same texts with
the same batch size called directly. Rates are per wall second; CPU seconds are shown too
(torch uses every core).
"""

from __future__ import annotations

import itertools
import multiprocessing
import tempfile
import time
from pathlib import Path
from typing import Any

from shrinksearch.pipeline import stages
from shrinksearch.pipeline.jsonl import atomic_writer, iter_lines, write_line
from shrinksearch.records import Document, parse_raw_record

from .common import console, ratio, show, write_results
from .prepared import raw_corpus, taxonomy

DOCUMENTS = 10_000
EMBED_DOCUMENTS = 1_000


def _timed(step: Any) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its threads) of ``step()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    return time.perf_counter() - wall, time.process_time() - cpu


def floor_raw(source: Path, out: Path) -> None:
    """The clean stage's I/O floor: every raw record parsed, validated and written back."""
    with atomic_writer(out) as fh:
        for _, line in iter_lines(source):
            write_line(fh, parse_raw_record(line).model_dump(mode="json"))


def floor_documents(source: Path, out: Path) -> None:
    """The enrich stage's I/O floor: every document read, validated and written back."""
    with atomic_writer(out) as fh:
        for _, line in iter_lines(source):
            write_line(fh, Document.model_validate_json(line).model_dump(mode="json"))


def clean_and_tag(raw: Path, workdir: Path) -> dict[str, float]:
    cleaned, enriched, rejects = workdir / "cleaned.jsonl", workdir / "enriched.jsonl", workdir / "rejects.jsonl"
    clean = _timed(lambda: stages.clean_file([raw], cleaned, rejects))
    tag = _timed(lambda: stages.enrich_file(cleaned, enriched, rejects, taxonomy()))
    floor_clean = _timed(lambda: floor_raw(raw, workdir / "floor-raw.jsonl"))
    floor_tag = _timed(lambda: floor_documents(cleaned, workdir / "floor-docs.jsonl"))
    return {"clean_wall": clean[0], "clean_cpu": clean[1], "tag_wall": tag[0], "tag_cpu": tag[1],
            "floor_clean_wall": floor_clean[0], "floor_tag_wall": floor_tag[0]}


def _half(args: tuple[Path, Path]) -> float:
    raw, workdir = args
    workdir.mkdir(parents=True, exist_ok=True)
    taxonomy()  # loaded before timing, as a worker would have it
    started = time.perf_counter()
    stages.clean_file([raw], workdir / "cleaned.jsonl", workdir / "rejects.jsonl")
    stages.enrich_file(workdir / "cleaned.jsonl", workdir / "enriched.jsonl", workdir / "rejects.jsonl", taxonomy())
    return time.perf_counter() - started


def two_processes(raw: Path, workdir: Path, documents: int) -> float:
    """Wall seconds for two processes cleaning and tagging one half each, at once (the slower)."""
    halves = []
    with raw.open(encoding="utf-8") as fh:
        lines = list(fh)
    for number, part in enumerate((lines[: documents // 2], lines[documents // 2 :])):
        path = workdir / f"half-{number}.jsonl"
        path.write_text("".join(part), encoding="utf-8")
        halves.append((path, workdir / f"half-{number}"))
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        return max(pool.map(_half, halves))  # each timed inside its process: no start-up


def embedding_texts(enriched: Path, count: int) -> list[str]:
    from shrinksearch.enrich.embeddings import MAX_CHARS, embedding_text

    lines = itertools.islice(iter_lines(enriched), count)
    return [embedding_text(Document.model_validate_json(line))[:MAX_CHARS] for _, line in lines]


def embeddings(texts: list[str]) -> dict[str, float]:
    from shrinksearch.enrich.embeddings import BATCH_SIZE, _model, embed_texts

    model = _model()
    model.encode(texts[:64], batch_size=BATCH_SIZE)  # warm-up: first calls allocate

    def direct() -> None:
        model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)

    runs: dict[str, list[tuple[float, float]]] = {"direct": [], "project": []}
    for order in (("direct", "project"), ("project", "direct")):  # alternated; the faster of two kept
        for name in order:
            runs[name].append(_timed(direct if name == "direct" else lambda: embed_texts(texts)))
    best = {name: min(times) for name, times in runs.items()}
    return {"direct_wall": best["direct"][0], "direct_cpu": best["direct"][1],
            "project_wall": best["project"][0], "project_cpu": best["project"][1]}


def run(size: int | None = None) -> dict[str, Any]:
    documents = size or DOCUMENTS
    raw = raw_corpus(documents)
    taxonomy()
    with tempfile.TemporaryDirectory(prefix="bench-enrich-") as tmp:
        workdir = Path(tmp)
        one = clean_and_tag(raw, workdir)
        console.print(f"[dim]one process: clean {one['clean_wall']:.1f}s, tag {one['tag_wall']:.1f}s[/dim]")
        both = two_processes(raw, workdir, documents)
        texts = embedding_texts(workdir / "enriched.jsonl", EMBED_DOCUMENTS)
    vectors = embeddings(texts)
    rates = {
        "clean": documents / one["clean_wall"],
        "tag": documents / one["tag_wall"],
        "clean_tag": documents / (one["clean_wall"] + one["tag_wall"]),
        "clean_tag_per_cpu_s": documents / (one["clean_cpu"] + one["tag_cpu"]),
        "floor_clean": documents / one["floor_clean_wall"],
        "floor_tag": documents / one["floor_tag_wall"],
        "floor_clean_tag": documents / (one["floor_clean_wall"] + one["floor_tag_wall"]),
        "two_processes": documents / both,
        "embed": len(texts) / vectors["project_wall"],
        "embed_per_cpu_s": len(texts) / vectors["project_cpu"],
        "embed_direct": len(texts) / vectors["direct_wall"],
    }
    rates = {k: round(v, 1) for k, v in rates.items()}
    rows = [
        ("clean (clean_file)", rates["floor_clean"], rates["clean"], ratio(rates["clean"], rates["floor_clean"])),
        ("tag (enrich_file)", rates["floor_tag"], rates["tag"], ratio(rates["tag"], rates["floor_tag"])),
        ("clean + tag, 1 process = per core", rates["floor_clean_tag"], rates["clean_tag"], ratio(rates["clean_tag"], rates["floor_clean_tag"])),
        ("clean + tag, 2 processes", rates["clean_tag"], rates["two_processes"], ratio(rates["two_processes"], rates["clean_tag"])),
        (f"embeddings ({len(texts):,} docs, MiniLM, CPU)", rates["embed_direct"], rates["embed"], ratio(rates["embed"], rates["embed_direct"])),
    ]
    show(f"enrich: documents/s on {documents:,} documents (baseline: I/O floor; 1 process; model.encode)",
         ["step", "baseline/s", "project/s", "ratio"], rows)
    payload = {"documents": documents, "embedded": len(texts), "rates_per_s": rates, "seconds": {**one, **vectors, "two_processes_wall": both}}
    write_results("enrich", payload)
    return payload
