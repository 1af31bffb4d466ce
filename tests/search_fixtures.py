"""Helpers for the search tests: hand-built documents indexed into the real node.

``small_network()`` is a handful of posts and comments written to exercise "who" ranking
(a person-level AND across documents, anonymous commenters kept apart) and the thread
view; ``TINY_THEMES`` a small taxonomy for them, which also tags them (as the pipeline's
enrich step tags every document before it is indexed: search finds a theme's wordings
through those tags). The full sample network is indexed
by ``indexed_samples`` in ``sample_index.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from elasticsearch import Elasticsearch

from shrinksearch.enrich import Taxonomy, tag_document
from shrinksearch.enrich.taxonomy import Theme as TaxonomyTheme
from shrinksearch.es import IndexManager, index_documents
from shrinksearch.records import Document, comment_doc_id, post_doc_id
from shrinksearch.settings import get_settings

CRAWLED = datetime(2024, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    patterns: tuple[str, ...] = field(default=())


TINY_THEMES = (
    Theme("transference", "Transference", ("transference", "transferential"),
          ("therapeutic relationship", "feelings about the therapist"), ("therapeutic-relationship",)),
    Theme("therapeutic-relationship", "The therapeutic relationship", ("rapport", "alliance"), ("therapeutic alliance",)),
    Theme("therapist-absence", "Therapist absence and vacations", ("vacation", "holiday", "away"),
          ("time off", "rescheduled sessions", "cancelled sessions")),
    Theme("medication", "Medication", ("lithium", "antidepressant", "ssri"), ("side effects",)),
)


def tiny_taxonomy() -> Taxonomy:
    """``TINY_THEMES`` as the enricher's taxonomy."""
    themes = [TaxonomyTheme(id=t.id, label=t.label, description=t.label, group="tests", terms=list(t.terms),
                            phrases=list(t.phrases), related=list(t.related)) for t in TINY_THEMES]
    return Taxonomy(version="tiny-1", themes=themes)


def post(blog: str, slug: str, author: str, title: str, text: str, year: int = 2008, **extra) -> Document:
    url = f"http://blogs.test/{blog}/{year}/{slug}.html"
    return Document(
        id=post_doc_id(url), kind="post", blog=blog, blog_url=f"http://blogs.test/{blog}/",
        platform="blogger", url=url, title=title, author=author, author_key=author.lower(),
        author_role="blogger", post_id=post_doc_id(url), published=datetime(year, 3, 1, tzinfo=timezone.utc),
        crawled=CRAWLED, text=text, **extra,
    )


def comment(on: Document, cid: str, author: str, text: str, parent: str | None = None,
            position: int = 0, role: str = "commenter", **extra) -> Document:
    key = "anonymous" if author == "Anonymous" else author.lower()
    return Document(
        id=comment_doc_id(on.url, cid), kind="comment", blog=on.blog, blog_url=on.blog_url,
        platform=on.platform, url=f"{on.url}#c{cid}", title=on.title, author=author, author_key=key,
        author_role=role, post_id=on.id, parent_id=comment_doc_id(on.url, parent) if parent else None,
        position=position, published=datetime(on.published.year, 3, 2 + position, tzinfo=timezone.utc),  # type: ignore[union-attr]
        crawled=CRAWLED, text=text, **extra,
    )


def index_into(client: Elasticsearch, alias: str, docs: list[Document]) -> None:
    """Create the index behind ``alias`` the project's way and bulk-index ``docs``."""
    IndexManager(client, alias, get_settings().index_config_dir).init()
    report = index_documents(client, alias, docs, refresh=True)
    assert not report.failures, report.failures


def drop_alias(client: Elasticsearch, alias: str) -> None:
    """Delete the indices behind a test alias (by name: wildcard deletes are refused)."""
    indices = list(client.indices.get(index=f"{alias}-v*", allow_no_indices=True, ignore_unavailable=True))
    if indices:
        client.indices.delete(index=",".join(indices))


def small_network() -> dict[str, Document]:
    """Named documents: who wrote what is the point of each."""
    seed = post("shrink-notes", "transference-vacation", "Dinah", "Transference and the Vacation Question",
                "An anonymous commenter said her therapist asks whether she feels abandoned during vacations "
                "or rescheduled sessions. That is the analysis of the transference.")
    leave = post("shrink-notes", "you-may-leave-now", "Dinah", "You May Leave Now",
                 "Ending sessions on time is part of the frame.")
    meds = post("med-check", "lithium-levels", "Roy", "Lithium levels",
                "Lithium needs blood levels; side effects include tremor.", year=2010)
    split = post("couch-side", "transference-basics", "Clink", "Transference basics",
                 "Transference is the patient's feelings about earlier figures replayed with the therapist.", year=2009)
    rose = post("couch-side", "long-treatments", "Rose", "Long treatments",
                "In long treatments the transference is always in the room.", year=2009)
    docs = {
        "seed": seed, "leave": leave, "meds": meds, "split": split, "rose_post": rose,
        "rose_vac": comment(meds, "6", "Rose", "I take my vacation every August, whatever my patients say.", position=1),
        "anon_leave": comment(leave, "1", "Anonymous",
                              "My therapist keeps asking if I feel abandoned when she goes on vacation, "
                              "and turns everything back to the therapeutic relationship."),
        "anon_other": comment(meds, "2", "Anonymous", "Lithium gave me a tremor, nothing about holidays."),
        "clink_vac": comment(seed, "3", "Clink", "My own holiday always stirs up my patients.", position=1),
        "roy_reply": comment(seed, "4", "Roy", "I agree about the lithium.", parent="3", position=2),
        "dinah_reply": comment(seed, "5", "Dinah", "Thanks, Roy.", parent="4", position=3, role="blogger"),
        "xss": post("couch-side", "xss", "<img src=x onerror=alert(1)>",
                    "<script>window.__pwned=1</script> vacation tips",
                    "vacation <img src=x onerror=\"window.__pwned=1\"> and <script>window.__pwned=1</script>",
                    year=2011),
    }
    taxonomy = tiny_taxonomy()
    return {name: tag_document(doc, taxonomy) for name, doc in docs.items()}
