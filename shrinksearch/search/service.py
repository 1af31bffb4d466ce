"""The search library the CLI, the HTTP API and the evaluation all use.

``SearchService(client, alias, themes)`` answers full-text searches, "who discusses …"
questions (people, with evidence), thread views, facet counts and theme timelines over the
index behind ``alias``. Each method parses the user text once (``query.parse_query``),
expands concepts from the taxonomy, builds bodies (``builder``) and shapes the answer
(``results``, ``people``). Elasticsearch failures become the project's one-line errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError

from shrinksearch.enrich.taxonomy import THEMES_FILE, load_taxonomy
from shrinksearch.es.client import make_client, translate_errors
from shrinksearch.exceptions import IndexNotReady, QueryError
from shrinksearch.search import builder, context, hybrid, people_query
from shrinksearch.search.builder import Filters, Page
from shrinksearch.search.expand import Expander, Expansion, ThemeLike
from shrinksearch.search import people
from shrinksearch.search.quotes import extract_quotes, quote_body
from shrinksearch.search.query import MAX_CONCEPTS, ParsedQuery, parse_query
from shrinksearch.settings import Settings, get_settings
from shrinksearch.search.results import (
    Hit,
    SearchResult,
    Thread,
    ThreadNode,
    WhoResult,
    facets_from_es,
    hit_from_es,
)

MAX_THREAD_COMMENTS = 1000
SEARCH_MODES = ("lexical", "hybrid")
TIMELINE_INTERVALS = ("month", "quarter", "year")


class SearchService:
    """Search over one alias; cheap to build, safe to share between requests.

    ``taxonomy`` is a loaded ``Taxonomy`` (or just its themes); without one, concepts are
    matched by their own words only.
    """

    def __init__(self, client: Elasticsearch, alias: str, taxonomy: Any = ()) -> None:
        self.client = client
        self.alias = alias
        themes: Iterable[ThemeLike] = getattr(taxonomy, "themes", taxonomy)
        self.expander = Expander(themes)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> SearchService:
        """The service the CLI and web app use: client, alias and taxonomy from settings."""
        settings = settings or get_settings()
        return cls(make_client(settings), settings.index_alias, load_themes(settings))

    # --- documents -----------------------------------------------------------------

    def search(
        self, text: str, filters: Filters | None = None, page: Page | None = None, mode: str = "lexical"
    ) -> SearchResult:
        """Ranked posts and comments for ``text``, with facets and highlighted snippets.

        ``mode="hybrid"`` fuses the same ranking with a kNN one on the embeddings (hybrid.py).
        """
        if mode not in SEARCH_MODES:
            raise QueryError(f"mode must be one of {', '.join(SEARCH_MODES)}, not {mode!r}")
        page, filters = page or Page(), filters or Filters()
        parsed, expansions, threads = self.understand(text, ranked=page.sort == "relevance")
        if mode == "hybrid":
            return self._hybrid(parsed, expansions, filters, page, threads)
        body = builder.search_body(parsed, expansions, filters, page, threads)
        response, counts = self._ranked_and_counted(body, page)
        return SearchResult(
            query=parsed.to_dict(),
            expansions=[e.to_dict() for e in expansions],
            total=counts["hits"]["total"]["value"],
            offset=page.offset,
            hits=[hit_from_es(h) for h in response["hits"]["hits"]],
            facets=facets_from_es(counts.get("aggregations", {}), self._theme_label),
        )

    def _ranked_and_counted(self, body: dict, page: Page, *more: dict) -> list[dict]:
        """Responses to ``body`` and to its facet counts (``body``'s own when no facets are
        asked: it then counts its total), then to ``more``, in one round trip."""
        if not page.facets:
            responses = self._msearch([body, *more]) if more else [self._search(body)]
            return [responses[0], *responses]
        return self._msearch([body, builder.facets_body(body["query"]), *more])

    def _hybrid(
        self, parsed: ParsedQuery, expansions: list[Expansion], filters: Filters, page: Page, threads: builder.Context
    ) -> SearchResult:
        if page.sort != "relevance":
            raise QueryError("hybrid search ranks by relevance only; drop the date sort or use lexical mode")
        window = hybrid.window_for(page.offset, page.size)
        lexical = builder.search_body(parsed, expansions, filters, Page(size=window, facets=page.facets), threads)
        vector = hybrid.embed_query(" and ".join(c.label for c in parsed.concepts) or parsed.text)
        merged = filters.merged(parsed)
        knn = hybrid.knn_body(vector, builder.filter_clauses(merged), window, builder.highlight(expansions, parsed), builder.SOURCE_EXCLUDES)
        lex_response, counts, knn_response = self._ranked_and_counted(lexical, page, knn)
        hits = {h["_id"]: hit_from_es(h) for h in knn_response["hits"]["hits"] + lex_response["hits"]["hits"]}
        fused = hybrid.rrf([[h["_id"] for h in r["hits"]["hits"]] for r in (lex_response, knn_response)])
        pick = [replace(hits[doc_id], score=round(score, 6)) for doc_id, score in fused[page.offset : page.offset + page.size]]
        used = "hybrid" if knn_response["hits"]["hits"] else "lexical (no document has an embedding)"
        return SearchResult(
            query=parsed.to_dict(),
            expansions=[e.to_dict() for e in expansions],
            total=max(counts["hits"]["total"]["value"], len(fused)),
            offset=page.offset,
            hits=pick,
            facets=facets_from_es(counts.get("aggregations", {}), self._theme_label),
            mode=used,
        )

    def baseline(self, text: str, size: int = 10) -> list[Hit]:
        """What a plain multi_match ranks first: the evaluation's point of comparison."""
        response = self._search(builder.baseline_body(text, size))
        return [hit_from_es(h) for h in response["hits"]["hits"]]

    # --- people --------------------------------------------------------------------

    def who(self, question: str, filters: Filters | None = None, limit: int = 10) -> WhoResult:
        """People who discuss ``question``, strongest first, with evidence: read from the
        same document ranking as ``search`` (recall floor included; people.py)."""
        if not 0 < limit <= builder.MAX_PAGE_SIZE:
            raise QueryError(f"limit must be between 1 and {builder.MAX_PAGE_SIZE}, not {limit}")
        parsed = parse_query(question)
        expansions = self._expand(parsed)
        filters = (filters or Filters()).merged(parsed)
        query = builder.query_clause(parsed, expansions, filters, thread_titles=False)
        rescore = builder.rescorers(parsed, expansions, people_query.RANKED_DOCS, self._context(expansions), coverage=False)
        ranked, sources = self._msearch([people_query.ranked_docs_body(query, rescore), people_query.quote_sources_body(query, rescore)])
        labels = [e.label for e in expansions]
        groups, docs = people.parse_ranked(ranked, len(labels))
        quoting = [hit_from_es(h, with_text=True) for h in sources["hits"]["hits"]]
        people.add_quoted(groups, docs, self._quoted(quoting, filters))
        order = people.rank_people(groups, docs, len(labels), limit)  # needs only ids, authors, scores, concepts
        shown = people.describe(groups, labels, order)  # which documents show them: fetch those
        people.fill_in(groups, self._evidence(people.unfetched(groups, shown), expansions, parsed), [p.key for p in shown])
        return WhoResult(
            query=parsed.to_dict(),
            expansions=[e.to_dict() for e in expansions],
            people=people.describe(groups, labels, order),
        )

    def _evidence(self, ids: list[str], expansions: list[Expansion], parsed: ParsedQuery) -> list[Hit]:
        """Documents ``ids`` whole, with snippets (each once, whichever requests ranked it)."""
        if not ids:
            return []
        halves = [ids[: (len(ids) + 1) // 2], ids[(len(ids) + 1) // 2 :]]  # highlighting is the cost: one half per core
        responses = self._msearch([people_query.evidence_body(half, expansions, parsed) for half in halves if half])
        return [hit_from_es(h) for r in responses for h in r["hits"]["hits"]]

    def understand(self, text: str, ranked: bool = True) -> tuple[ParsedQuery, list[Expansion], builder.Context]:
        """What a search for ``text`` ranks with (``search`` and the export alike): the parsed
        question, its concepts expanded and, when ``ranked`` by relevance (the rescorers are
        all that use it), the posts whose threads carry each concept."""
        parsed = parse_query(text)
        expansions = self._expand(parsed)
        return parsed, expansions, self._context(expansions) if ranked else []

    def _expand(self, parsed: ParsedQuery) -> list[Expansion]:
        """The question's concepts expanded (the first MAX_CONCEPTS; the words of the rest
        still count in the recall floor)."""
        return self.expander.expand_all(self.expander.concepts_of(parsed.concepts)[:MAX_CONCEPTS])

    def _context(self, expansions: list[Expansion]) -> builder.Context:
        """Per concept, the posts whose comments get the concept from their thread."""
        if not expansions:
            return []
        return [context.context_from(r) for r in self._msearch([context.context_body(e) for e in expansions])]

    def _quoted(self, sources: list[Hit], filters: Filters) -> list[tuple[Hit, Hit]]:
        """(quoting document, quoted document) for the passages ``sources`` quote."""
        asks = [(s, q) for s in sources for q in extract_quotes(s.text or "", s.quoted_text or "")]
        if not asks:
            return []
        bodies = [quote_body(s, q, builder.filter_clauses(filters), builder.SOURCE_EXCLUDES, builder.highlight()) for s, q in asks]
        responses = self._msearch(bodies)
        return [(s, hit_from_es(h)) for (s, _), r in zip(asks, responses) for h in r["hits"]["hits"]]

    # --- threads, facets, timeline --------------------------------------------------

    def thread(self, post_id: str) -> Thread:
        """A post and all its comments, replies nested under their parents."""
        with self._errors():
            try:
                post = self.client.get(index=self.alias, id=post_id, source_excludes=builder.SOURCE_EXCLUDES)
            except NotFoundError as err:
                if _index_missing(err):
                    raise
                raise QueryError(f"no post with id {post_id!r}; take ids from search results") from None
        source = post["_source"]
        if source.get("kind") != "post":  # a comment's id: show the thread it belongs to
            if source.get("post_id") in (None, post_id):
                raise QueryError(f"document {post_id!r} has no post to show a thread for")
            return self.thread(source["post_id"])
        return self._thread_of(hit_from_es(dict(post), with_text=True))

    def facets(self, filters: Filters | None = None) -> dict[str, list[dict]]:
        """Counts by kind, blog, role, author, theme and year over all (filtered) documents."""
        response = self._search(builder.facets_body({"bool": {"filter": builder.filter_clauses(filters or Filters())}}))
        facets = facets_from_es(response.get("aggregations", {}), self._theme_label)
        return {name: [vars(v) for v in values] for name, values in facets.items()}

    def theme_timeline(
        self, themes: list[str] | None = None, interval: str = "year", filters: Filters | None = None, top: int = 6
    ) -> dict[str, Any]:
        """Documents per theme per period: the most frequent ``top`` themes unless named."""
        if interval not in TIMELINE_INTERVALS:
            raise QueryError(f"interval must be one of {', '.join(TIMELINE_INTERVALS)}, not {interval!r}")
        filters = filters or Filters()
        chosen = list(themes) if themes else self._top_themes(filters, top)
        body = _timeline_body(chosen, interval, filters)
        buckets = self._search(body)["aggregations"]["periods"]["buckets"]
        return {
            "interval": interval,
            "themes": chosen,
            "labels": {t: self._theme_label(t) for t in chosen},
            "periods": [_period(b, interval, chosen) for b in buckets],
        }

    # --- internals -----------------------------------------------------------------

    def _thread_of(self, post: Hit) -> Thread:
        body = {
            "size": MAX_THREAD_COMMENTS,
            "query": {"bool": {"filter": [{"term": {"post_id": post.id}}, {"term": {"kind": "comment"}}]}},
            "sort": [{"position": {"order": "asc", "missing": "_last"}}, {"published": {"order": "asc", "missing": "_last"}}],
            "_source": {"excludes": builder.SOURCE_EXCLUDES},
        }
        comments = [hit_from_es(h, with_text=True) for h in self._search(body)["hits"]["hits"]]
        return Thread(post=post, comments=nest_comments(comments), total_comments=len(comments))

    def _top_themes(self, filters: Filters, top: int) -> list[str]:
        body = {
            "size": 0,
            "query": {"bool": {"filter": builder.filter_clauses(filters)}},
            "aggs": {"theme": {"terms": {"field": "themes", "size": top}}},
        }
        return [b["key"] for b in self._search(body)["aggregations"]["theme"]["buckets"]]

    def _theme_label(self, theme_id: str) -> str:
        theme = self.expander.themes.get(theme_id)
        return theme.label if theme is not None else theme_id

    def _search(self, body: dict) -> dict:
        with self._errors():
            return dict(self.client.search(index=self.alias, body=body))

    def _msearch(self, bodies: list[dict]) -> list[dict]:
        searches: list[dict] = []
        for body in bodies:
            searches += [{"index": self.alias}, body]
        with self._errors():
            responses = self.client.msearch(searches=searches)["responses"]
        for response in responses:
            if "error" in response:
                _raise_for(response["error"], response.get("status", 400))
        return [dict(r) for r in responses]

    @contextmanager
    def _errors(self) -> Iterator[None]:
        with translate_errors():
            try:
                yield
            except NotFoundError as err:
                if not _index_missing(err):
                    raise
                raise IndexNotReady(
                    f"no index behind '{self.alias}'; run `shrinksearch index init` and index some documents"
                ) from None
            except BadRequestError as err:
                raise QueryError(f"Elasticsearch rejected the query: {_reason(err.body)}") from None


def load_themes(settings: Settings) -> list[ThemeLike]:
    """The taxonomy's themes, or none (searches still work, without expansion) if absent."""
    path = settings.index_config_dir / THEMES_FILE
    if not path.exists():
        return []
    return list(load_taxonomy(path).themes)


def nest_comments(comments: list[Hit]) -> list[ThreadNode]:
    """Comments in thread order, each reply under its parent (orphans stay top level)."""
    nodes = {c.id: ThreadNode(c) for c in comments}
    roots: list[ThreadNode] = []
    for comment in comments:
        parent = nodes.get(comment.parent_id or "")
        (parent.replies if parent is not None and parent is not nodes[comment.id] else roots).append(nodes[comment.id])
    return roots


def _timeline_body(themes: list[str], interval: str, filters: Filters) -> dict:
    per_theme = {t: {"filter": {"term": {"themes": t}}} for t in themes}
    return {
        "size": 0,
        "query": {"bool": {"filter": builder.filter_clauses(filters) + [{"exists": {"field": "published"}}]}},
        "aggs": {
            "periods": {
                "date_histogram": {"field": "published", "calendar_interval": interval, "min_doc_count": 0},
                "aggs": per_theme,
            }
        },
    }


def _period(bucket: dict, interval: str, themes: list[str]) -> dict:
    key = bucket["key_as_string"]
    label = key[:4] if interval == "year" else key[:7]
    return {"period": label, "total": bucket["doc_count"], "counts": {t: bucket[t]["doc_count"] for t in themes}}


def _index_missing(err: NotFoundError) -> bool:
    return "index_not_found" in str(err.body) or "no such index" in str(err.body)


def _raise_for(error: dict, status: int) -> None:
    if error.get("type") == "index_not_found_exception":
        raise IndexNotReady("no index behind the alias; run `shrinksearch index init` and index some documents")
    raise QueryError(f"Elasticsearch rejected the query: {_reason(error)}")


def _reason(body: Any) -> str:
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            # The first cause that says something: a search phase failure has an empty
            # root_cause and reason, and the cause (too many buckets, ...) under caused_by.
            causes = [*(error.get("root_cause") or [])[:1], error, error.get("caused_by")]
            reason = next((c["reason"] for c in causes if isinstance(c, dict) and c.get("reason")), None)
            return str(reason or error.get("type", "unknown error"))
    return str(body)[:200]
