"""Run benchmarks: ``python -m bench <name> [--size N]`` or ``python bench/run.py <name>``.

Names: corpus, index, crawl, enrich, search, memory, extraction, cli, export, forget, scale, or all
(memory first: its 100k pipeline run leaves the enriched corpus the index, search, cli, export
and forget benchmarks reuse). Each prints a table
and writes ``bench/results/<name>.json``; see BENCHMARKS.md for the figures of a full run.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"  # noqa: A001

BENCHMARKS = ("memory", "index", "search", "enrich", "crawl", "extraction", "cli", "export", "forget", "scale")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=("corpus", *BENCHMARKS, "all"))
    parser.add_argument("--size", type=int, default=None,
                        help="documents (corpus, index, enrich, search, memory) or posts per blog (crawl, scale); default: each benchmark's own")
    parser.add_argument("--out", type=Path, default=None, help="corpus: where to write the raw JSON Lines")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.name == "corpus":
        from bench.corpus import write_raw_corpus

        size = args.size or 10_000
        out = write_raw_corpus(args.out or Path(f"corpus-{size}.jsonl"), size)
        print(f"wrote {size:,} raw records to {out}")
        return 0
    names = BENCHMARKS if args.name == "all" else (args.name,)
    started = time.monotonic()
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        module.run(args.size)
    print(f"done in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
