"""Pseudonymised commenters (SHRINKSEARCH_PSEUDONYMIZE_COMMENTERS=true), through the real
pipeline flow on a real crawl of the sample network and the real node: no commenter's name
in any author field, facet, text or evidence line; the replies that address them carry the
same pseudonym; their addresses are gone; bloggers keep their names; "who" still groups
each commenter's documents as one person."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator

import pytest

from flows.pipeline import crawl_and_index
from search_fixtures import drop_alias
from shrinksearch.clean import author_key
from shrinksearch.enrich import load_taxonomy
from shrinksearch.privacy.keys import PrivacyKeys
from shrinksearch.samples import load_network, running_server
from shrinksearch.search.service import SearchService
from shrinksearch.settings import get_settings, privacy_path

SLUG = "shrink-notes"
ADDRESSES = "Write to me at sare.bear@example.org, or see https://sarebear.example.net/about."


@pytest.fixture(scope="module")
def pseudonymised(prefect_api, es_client, tmp_path_factory) -> Iterator[dict]:  # noqa: ANN001
    """shrink-notes, with a comment giving an e-mail and a URL, crawled and indexed by the
    pipeline flow with pseudonyms on (its own alias and data directory)."""
    alias = f"sstest-pseudo-{uuid.uuid4().hex[:8]}"
    network = load_network()
    network.add_comment(SLUG, network.blog(SLUG).posts[0].id, {
        "id": "990001", "author": "Sarebear", "published": "2030-01-01T10:00:00Z",
        "body": f"<p>{ADDRESSES}</p>", "author_url": "https://sarebear.example.net/"})
    with pytest.MonkeyPatch.context() as env, running_server(network=network) as base:
        env.setenv("SHRINKSEARCH_PSEUDONYMIZE_COMMENTERS", "true")
        env.setenv("SHRINKSEARCH_INDEX_ALIAS", alias)
        env.setenv("SHRINKSEARCH_DATA_DIR", str(tmp_path_factory.mktemp("pseudonyms") / "data"))
        get_settings.cache_clear()
        try:
            result = crawl_and_index(url=f"{base}/{SLUG}/", platform="blogger", fast=True, incremental=False)
            es_client.indices.refresh(index=alias)
            hits = es_client.search(index=alias, size=1000, query={"match_all": {}})["hits"]["hits"]
            keys = PrivacyKeys.load(privacy_path(get_settings()))
            yield {"result": result, "docs": [h["_source"] for h in hits], "blog": network.blog(SLUG), "alias": alias,
                   "keys": keys}
        finally:
            drop_alias(es_client, alias)
            get_settings.cache_clear()


def commenter_names(blog) -> set[str]:  # noqa: ANN001
    bloggers = {author_key(a.name) for a in blog.authors}
    return {c.author for p in blog.posts for c, _ in p.walk()
            if c.author and author_key(c.author) not in bloggers | {"anonymous"}}


def named(name: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text, re.IGNORECASE) is not None


def test_no_commenter_name_remains_and_mentions_carry_the_same_pseudonym(pseudonymised, es_client):
    docs, blog = pseudonymised["docs"], pseudonymised["blog"]
    names = commenter_names(blog)
    assert len(names) >= 5 and len(docs) == pseudonymised["result"]["indexed"]
    for doc in docs:
        shown = json.dumps([doc["author"], doc["text"], doc.get("quoted_text", ""), doc.get("html", ""),
                            [t["evidence"] for t in doc.get("theme_tags", [])]])
        assert not [n for n in names if named(n, shown)], doc["url"]
        if doc["author_role"] == "commenter" and doc["author"] not in {"Anonymous", *(a.name for a in blog.authors)}:
            assert doc["author"].startswith("Commenter ") and "author_url" not in doc
    facets = SearchService(es_client, pseudonymised["alias"]).facets()["author"]
    assert not [f for f in facets if f["label"] in names or f["value"] in {author_key(n) for n in names}]
    # a reply that addressed a commenter by name now addresses their pseudonym
    keys = pseudonymised["keys"]
    mentioned = {c.id for p in blog.posts for c, _ in p.walk() if named("moviedoc", c.body)}
    pseudonym = keys.pseudonym(author_key("moviedoc"))
    by_url = {d["url"].rsplit("#c", 1)[-1]: d for d in docs if d["kind"] == "comment"}
    assert mentioned and all(pseudonym in by_url[i]["text"] for i in mentioned if author_key(by_url[i]["author"]) != author_key(pseudonym))


def test_addresses_in_a_commenters_text_are_replaced_and_bloggers_keep_their_names(pseudonymised):
    docs, blog = pseudonymised["docs"], pseudonymised["blog"]
    added = next(d for d in docs if d["url"].endswith("#c990001"))
    assert "example" not in added["text"] + added["html"]
    assert re.fullmatch(r"Write to me at \[email [0-9a-f]{10}\], or see \[link [0-9a-f]{10}\]\.", added["text"])
    bloggers = {a.name for a in blog.authors}
    assert {d["author"] for d in docs if d["kind"] == "post"} <= bloggers
    assert {d["author"] for d in docs if d["author_role"] == "blogger"} <= bloggers


def test_who_still_groups_a_pseudonymised_commenters_documents(pseudonymised, es_client):
    docs = pseudonymised["docs"]
    keys = {d["author_key"] for d in docs}
    moviedoc = author_key(pseudonymised["keys"].pseudonym("moviedoc"))
    spellings = {c.author for p in pseudonymised["blog"].posts for c, _ in p.walk() if author_key(c.author) == "moviedoc"}
    assert len(spellings) == 2 and moviedoc in keys  # "moviedoc" and "MovieDoc": one pseudonym
    assert sum(d["author_key"] == moviedoc for d in docs) == sum(
        1 for p in pseudonymised["blog"].posts for c, _ in p.walk() if author_key(c.author) == "moviedoc")
    who = SearchService(es_client, pseudonymised["alias"], load_taxonomy()).who("who discusses medication side effects")
    commenters = [p for p in who.people if p.name.startswith("Commenter ")]
    assert commenters and max(len(p.evidence) for p in commenters) >= 2
    for person in commenters:
        assert {author_key(h.author) for h in person.evidence} == {person.key}
