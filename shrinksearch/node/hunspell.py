"""Build index_config/hunspell/en_US/prefixed.dic: en_US's prefixed words as stems of their own.

en_US.dic stores "depressed" as press + de- + -ed and "disappointed" as appoint + dis- + -ed.
A hunspell stemmer then strips the prefix, so "depressed" stems to "press" — wrong for a
search about psychiatry. This file lists every prefixed base (depress, disappoint,
reschedule, discuss, ...) as an entry with the suffix flags the base allowed with that
prefix. Elasticsearch loads every .dic in the locale folder, and with `longest_only: true`
the longer, prefixed stem wins. Regenerate after changing the vendored dictionary:

    python -m shrinksearch.node.hunspell
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shrinksearch.settings import get_settings


@dataclass(frozen=True)
class Affixes:
    """What en_US.aff defines: prefix flag -> added text; suffix flags that combine with prefixes."""

    prefixes: dict[str, list[str]]
    combining_suffixes: set[str]


def read_affixes(aff: Path) -> Affixes:
    """The prefix rules and cross-product suffix flags of an .aff file."""
    prefixes: dict[str, list[str]] = {}
    combining: set[str] = set()
    for line in aff.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == "SFX" and parts[2] == "Y":
            combining.add(parts[1])
        elif len(parts) >= 5 and parts[0] == "PFX":
            prefixes.setdefault(parts[1], []).append(_prefix_text(parts))
    return Affixes(prefixes, combining)


def prefixed_entries(dic: Path, affixes: Affixes) -> list[str]:
    """Sorted unique 'word/FLAGS' lines for every prefixed base of the dictionary's words."""
    entries: set[str] = set()
    for line in dic.read_text(encoding="utf-8").splitlines()[1:]:
        word, _, flags = line.partition("/")
        # Proper nouns never match lowercased tokens; 1-2 letter bases are fragments ("c", "ed").
        if not word.islower() or len(word) < 3:
            continue
        suffix_flags = "".join(sorted(set(flags) & affixes.combining_suffixes))
        for flag in set(flags) & affixes.prefixes.keys():
            for prefix in affixes.prefixes[flag]:
                entries.add(f"{prefix}{word}/{suffix_flags}" if suffix_flags else f"{prefix}{word}")
    return sorted(entries)


def render(entries: list[str]) -> str:
    """A .dic file: the entry count, then one entry per line."""
    return f"{len(entries)}\n" + "".join(f"{entry}\n" for entry in entries)


def _prefix_text(parts: list[str]) -> str:
    strip, add, condition = parts[2], parts[3], parts[4]
    # en_US's prefixes strip nothing and apply to any word; other rules would need more code.
    if strip != "0" or condition != ".":
        raise ValueError(f"unsupported prefix rule: {' '.join(parts)}")
    return add


def main() -> None:
    folder = get_settings().index_config_dir / "hunspell" / "en_US"
    entries = prefixed_entries(folder / "en_US.dic", read_affixes(folder / "en_US.aff"))
    (folder / "prefixed.dic").write_text(render(entries), encoding="utf-8")
    print(f"wrote {len(entries)} entries to {folder / 'prefixed.dic'}")


if __name__ == "__main__":
    main()
