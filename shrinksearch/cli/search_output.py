"""Terminal and JSON output of `shrinksearch search` and `shrinksearch who`.

Snippets arrive as Elasticsearch highlight fragments (HTML-escaped text, ``<em>`` marks);
for the terminal they become rich ``Text`` with the marks in bold — built piece by piece,
so crawled text is never read as rich markup. ``--json`` keeps them as the API sends them
(and does without rich: it is imported by the functions that draw).
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Any

from shrinksearch.search.results import Hit, SearchResult, WhoResult

if TYPE_CHECKING:
    from rich.console import Console, Group
    from rich.text import Text

_MARK = re.compile(r"(<em>|</em>)")
_SPACES = re.compile(r"\s+")  # a snippet spanning paragraphs reads as one line


def snippet_text(fragment: str) -> Text:
    """A highlight fragment as rich Text: marks in bold, entities decoded, nothing interpreted."""
    from rich.text import Text

    out = Text()
    marked = False
    for part in _MARK.split(fragment):
        if part in ("<em>", "</em>"):
            marked = part == "<em>"
            continue
        out.append(_SPACES.sub(" ", html.unescape(part)), style="bold yellow" if marked else None)
    return out


def hit_json(hit: Hit) -> dict[str, Any]:
    """The fields scripts need of a hit (snippets: HTML-escaped, <em> marks the matches)."""
    return {
        "id": hit.id,
        "kind": hit.kind,
        "url": hit.url,
        "post_url": hit.post_url,
        "post_id": hit.post_id,
        "title": hit.title,
        "author": hit.author,
        "author_key": hit.author_key,
        "author_role": hit.author_role,
        "blog": hit.blog,
        "published": hit.published,
        "score": hit.score,
        "snippets": hit.snippets,
        "themes": hit.themes,
        **({"concepts": hit.concepts} if hit.concepts else {}),
        **({"quoted_in": hit.quoted_in} if hit.quoted_in else {}),
    }


def search_json(result: SearchResult) -> str:
    body = {"query": result.query, "expansions": result.expansions, "mode": result.mode, "total": result.total,
            "offset": result.offset, "hits": [hit_json(h) for h in result.hits]}
    return json.dumps(body, indent=2, ensure_ascii=False)


def who_json(result: WhoResult) -> str:
    people = [
        {**{k: v for k, v in vars(p).items() if k != "evidence"}, "evidence": [hit_json(h) for h in p.evidence]}
        for p in result.people
    ]
    body = {"query": result.query, "expansions": result.expansions, "note": result.note, "people": people}
    return json.dumps(body, indent=2, ensure_ascii=False)


def hit_panel(hit: Hit, rank: int | None = None) -> Group:
    from rich.console import Group
    from rich.text import Text

    head = Text()
    if rank is not None:
        head.append(f"{rank:>2}. ", style="dim")
    head.append(f"[{hit.kind}] ", style="cyan")
    head.append(hit.title or "(untitled)", style="bold")
    meta = Text(f"    {hit.author} ({hit.author_role}) · {hit.blog} · {(hit.published or '')[:10]}", style="dim")
    if hit.score is not None:
        meta.append(f" · score {hit.score:.2f}", style="dim")
    lines = [head, meta, Text(f"    {hit.url}", style="blue")]
    for ref in hit.quoted_in:
        lines.append(Text(f"    quoted in “{ref['title']}” by {ref['author']}", style="italic"))
    lines += [Text("    ") + snippet_text(s) for s in hit.snippets[:2]]
    return Group(*lines)


def print_search(console: Console, result: SearchResult) -> None:
    from rich.text import Text

    concepts = " · ".join(result.query["concepts"])
    console.print(Text(f"{result.total} posts and comments about {concepts}", style="bold"))
    for e in result.expansions:  # which themes each concept was expanded to, and why (or why not)
        for sense in e.get("senses", []):
            used = "→ theme" if sense["used"] else "✗ not expanded to"
            console.print(Text(f"  {e['concept']} {used} {sense['reason']}", style="dim"))
    for rank, hit in enumerate(result.hits, start=result.offset + 1):
        console.print(hit_panel(hit, rank))


def print_who(console: Console, result: WhoResult) -> None:
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    concepts = result.query["concepts"]
    if not result.people:
        console.print(f"Nobody writes about any of: {', '.join(concepts)}.")
        return
    console.print(Text(f"People who discuss {' and '.join(concepts)}", style="bold"))
    for rank, person in enumerate(result.people, start=1):
        title = Text(f"{rank}. {person.name}", style="bold")
        if person.anonymous and person.evidence:
            title.append(f" (on “{person.evidence[0].title}”)")
        title.append(f"  {person.role} · {', '.join(person.blogs)} · score {person.score:.2f}", style="dim")
        evidence = [hit_panel(h) for h in person.evidence]
        console.print(Panel(Group(*evidence), title=title, title_align="left"))
    console.print(Text(result.note, style="dim"))
