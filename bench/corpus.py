"""Large, realistic, deterministic corpora built from the sample blog network.

The sample YAML (``shrinksearch/samples/blogs``) holds about 60 posts and 360 comments of
real-sounding psychiatry blogging. ``Generator`` recombines its paragraphs and sentences
into as many posts and comment threads as a benchmark needs, with bloggers, a long tail of
commenters (some prolific, many occasional, ~12 % anonymous), replies nested in threads,
blockquotes of what is answered, and dates spread over two decades. Same seed, same corpus.

Two outputs:

* ``write_raw_corpus(path, documents)``: raw JSON Lines exactly as the crawlers write them
  (``RawPost`` / ``RawComment``; a post followed by its thread), for the pipeline stages;
* ``scaled_network(posts_per_blog)``: a ``samples.Network`` with many more posts per blog,
  which ``samples.running_server(network=...)`` serves over HTTP like the small one.

Run ``python -m bench corpus --size 100000 --out corpus.jsonl`` to write a raw corpus.
"""

from __future__ import annotations

import html
import json
import random
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from shrinksearch.samples import Network, load_network
from shrinksearch.samples.network import Blog

SEED = 20240917
START = datetime(2005, 1, 1, tzinfo=timezone.utc)
SPAN_DAYS = 20 * 365
CRAWLED = datetime(2025, 1, 15, 12, 0, tzinfo=timezone.utc)
RAW_HOST = "https://blogs.example.net"
"""Host of the raw corpus's URLs (never fetched: the raw corpus is what a crawl would write)."""

_PARAGRAPH = re.compile(r"<(p|li)>(.*?)</\1>", re.S)
_TAG = re.compile(r"<[^>]+>")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
_SLUG = re.compile(r"[^a-z0-9]+")

# Stems for commenter handles beyond the sample's own names: the long tail of readers.
_FIRST = ("Anna", "Ben", "Carla", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kim", "Leah",
          "Maya", "Nate", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tess", "Uma", "Vic", "Will", "Yara", "Zoe")
_HANDLE = ("shrinkwatcher", "lithiumgirl", "couchpotato", "nightnurse", "medstudent", "worriedmom",
           "therapyjunkie", "gradpsych", "ruralgp", "sadinseattle", "bipolarbear", "ptsdvet")
_SURNAMES = ("Abrams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Gupta", "Hale", "Ito", "Jensen",
             "Khan", "Lind", "Moreau", "Novak", "Okafor", "Park", "Quist", "Rossi", "Singh", "Tanaka")
_TEMPLATES = (  # (platform, comment_markup, utc_offset) of the sample blogs, cycled
    ("blogger", "threaded", "-05:00"), ("wordpress", "threaded", "-08:00"), ("generic", "threaded", "+00:00"),
    ("blogger", "classic", "-06:00"), ("wordpress", "threaded", "+01:00"),
)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


@dataclass(frozen=True)
class Pools:
    """What the generator recombines, taken from the sample network."""

    post_paragraphs: tuple[str, ...]  # verbatim, with their inline markup
    post_sentences: tuple[str, ...]
    comment_sentences: tuple[str, ...]
    titles: tuple[str, ...]
    labels: tuple[str, ...]
    commenters: tuple[str, ...]

    @classmethod
    def from_network(cls, network: Network | None = None) -> Pools:
        network = network or load_network()
        posts = [p for b in network.blogs.values() for p in b.posts]
        comments = [c for p in posts for c, _ in p.walk()]
        paragraphs = [m[2].strip() for p in posts for m in _PARAGRAPH.finditer(p.body)]
        return cls(
            post_paragraphs=tuple(paragraphs),
            post_sentences=tuple(s for para in paragraphs for s in _SENTENCE.split(_text(para)) if len(s) > 20),
            comment_sentences=tuple(s for c in comments for s in _SENTENCE.split(_text(c.body)) if len(s) > 3),
            titles=tuple(p.title for p in posts),
            labels=tuple(sorted({label for p in posts for label in p.labels})),
            commenters=tuple(sorted({c.author for c in comments if c.author and c.author != "Anonymous"})),
        )


class Generator:
    """Posts with comment threads, as the sample YAML's dicts (contracts.md section 4)."""

    def __init__(self, seed: int = SEED, pools: Pools | None = None, people: int = 2000) -> None:
        self.rng = random.Random(seed)
        self.pools = pools or Pools.from_network()
        self.people = self._people(people)
        # Zipf-like weights: a few regulars write much of the comments, most people once or twice.
        self.weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(self.people))]
        self._comment_id = 10_000_000

    def _people(self, count: int) -> list[str]:
        names = list(self.pools.commenters)
        while len(names) < count:
            pick = self.rng.random()
            if pick < 0.4:
                names.append(f"{self.rng.choice(_FIRST)} {self.rng.choice(_SURNAMES)[0]}.")
            elif pick < 0.8:
                names.append(f"{self.rng.choice(_HANDLE)}{self.rng.randint(1, 999)}")
            else:
                names.append(f"Dr. {self.rng.choice(_FIRST)} {self.rng.choice(_SURNAMES)}")
        return list(dict.fromkeys(names))  # unique, order kept

    # --- blogs -----------------------------------------------------------------------
    def blog_header(self, number: int) -> dict[str, Any]:
        platform, markup, offset = _TEMPLATES[number % len(_TEMPLATES)]
        names = dict.fromkeys(f"Dr. {self.rng.choice(_FIRST)} {self.rng.choice(_SURNAMES)}" for _ in range(self.rng.randint(1, 3)))
        authors = [{"key": f"author{k}", "name": name} for k, name in enumerate(names)]
        return {
            "slug": f"bench-{platform}-{number}",
            "name": f"{self.rng.choice(_SURNAMES)}'s {self.rng.choice(('Couch', 'Notes', 'Clinic', 'Rounds', 'Practice'))} {number}",
            "platform": platform,
            "tagline": "A generated benchmark blog.",
            "blog_id": str(8_000_000 + number),
            "comment_markup": markup,
            "utc_offset": offset,
            "authors": authors,
        }

    def posts(self, blog: dict[str, Any], count: int) -> Iterator[dict[str, Any]]:
        """``count`` posts of ``blog``, oldest first, evenly spread over the span with jitter."""
        step = SPAN_DAYS / max(count, 1)
        for number in range(count):
            published = START + timedelta(days=number * step + self.rng.random() * step * 0.8, seconds=self.rng.randint(0, 86399))
            yield self.post(blog, number, published.replace(microsecond=0))

    def post(self, blog: dict[str, Any], number: int, published: datetime) -> dict[str, Any]:
        rng = self.rng
        title = self._title()
        author = rng.choice(blog["authors"])
        body = [self._paragraph() for _ in range(rng.randint(3, 7))]
        updated = published + timedelta(hours=rng.choice((0, 0, 0, 2, 30)))
        return {
            "id": str(100_000 + number),
            "slug": f"{_SLUG.sub('-', title.lower()).strip('-')[:60]}-{number}",
            "title": title,
            "author": author["key"],
            "published": published,
            "updated": updated,
            "labels": rng.sample(self.pools.labels, rng.randint(1, 4)),
            "body": "\n".join(body),
            "comments": self._thread(blog, author["name"], published, body),
        }

    def _title(self) -> str:
        first = self.rng.choice(self.pools.titles)
        if self.rng.random() < 0.5:
            return first
        second = self.rng.choice(self.pools.titles)
        return f"{first.split(':')[0]}: {second.split(':')[-1].strip()}"

    def _paragraph(self) -> str:
        if self.rng.random() < 0.3:
            paragraph = self.rng.choice(self.pools.post_paragraphs)
            return f"<ul><li>{paragraph}</li></ul>" if "<" not in paragraph and self.rng.random() < 0.05 else f"<p>{paragraph}</p>"
        sentences = self.rng.sample(self.pools.post_sentences, self.rng.randint(2, 5))
        if self.rng.random() < 0.1:  # inline markup, as bloggers use it
            sentences[0] = f"<em>{sentences[0]}</em>"
        return "<p>" + " ".join(sentences) + "</p>"

    # --- threads ---------------------------------------------------------------------
    def _thread(self, blog: dict[str, Any], blogger: str, published: datetime, body: list[str]) -> list[dict[str, Any]]:
        """0-15 comments (about 6 on average), a third of them replies, nested."""
        rng = self.rng
        count = min(15, int(rng.expovariate(1 / 6.0)))
        top: list[dict[str, Any]] = []
        every: list[dict[str, Any]] = []
        when = published
        for _ in range(count):
            when = when + timedelta(minutes=int(rng.expovariate(1 / 600.0)) + 1)
            parent = rng.choice(every) if every and rng.random() < 0.35 else None
            by_blogger = parent is not None and rng.random() < 0.3
            quoted = _TAG.sub("", rng.choice(body)) if parent is None else _text(parent["body"])
            comment = self._comment(blogger if by_blogger else self._commenter(), when, quoted)
            (parent["replies"] if parent is not None else top).append(comment)
            every.append(comment)
        return top

    def _commenter(self) -> str:
        if self.rng.random() < 0.12:
            return "Anonymous"
        return self.rng.choices(self.people, self.weights)[0]

    def _comment(self, author: str, when: datetime, answered: str) -> dict[str, Any]:
        rng = self.rng
        self._comment_id += 1
        paragraphs = [" ".join(rng.sample(self.pools.comment_sentences, rng.randint(1, 3))) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
        parts = [f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs]
        if rng.random() < 0.06 and answered:  # quoting what it answers
            sentence = rng.choice(_SENTENCE.split(answered)[:6])
            parts.insert(0, f"<blockquote>{html.escape(sentence, quote=False)}</blockquote>")
        return {
            "id": str(self._comment_id),
            "author": author,
            "author_url": f"https://www.blogger.com/profile/{zlib.crc32(author.encode()):012d}" if rng.random() < 0.2 else None,
            "published": when.replace(microsecond=0),
            "body": "\n".join(parts),
            "replies": [],
        }


# --- (b) a scaled-up sample network, served over HTTP ------------------------------------


def scaled_network(posts_per_blog: int, blogs: int = 4, seed: int = SEED) -> Network:
    """``blogs`` blogs (Blogger threaded, WordPress, generic, Blogger classic, ...) of
    ``posts_per_blog`` generated posts each, for ``samples.running_server``."""
    generator = Generator(seed)
    made = []
    for number in range(blogs):
        header = generator.blog_header(number)
        made.append(Blog.model_validate({**header, "posts": list(generator.posts(header, posts_per_blog))}))
    return Network(made)


# --- (a) raw JSON Lines records, as a crawl writes them --------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _post_url(base: str, platform: str, post: dict[str, Any]) -> str:
    when = post["published"]
    if platform == "blogger":
        return f"{base}{when:%Y/%m}/{post['slug']}.html"
    if platform == "wordpress":
        return f"{base}{when:%Y/%m/%d}/{post['slug']}/"
    return f"{base}posts/{post['slug']}.html"


def _comment_html(body: str, platform: str) -> str:
    """Blogger serves comment paragraphs as ``<br /><br />``; the others keep ``<p>``."""
    if platform != "blogger":
        return body
    return "<br /><br />".join(part for part in re.split(r"</?p>", body) if part.strip())


def raw_records(header: dict[str, Any], post: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One post and its thread (depth first, the order pages show) as crawl records."""
    base = f"{RAW_HOST}/{header['slug']}/"
    platform = header["platform"]
    common = {"blog_name": header["name"], "blog_url": base, "platform": platform, "source": None, "crawled": _iso(CRAWLED)}
    url = _post_url(base, platform, post)
    names = {a["key"]: a["name"] for a in header["authors"]}
    thread = list(_walk(post["comments"], None))
    yield {
        "type": "post", **common, "url": url, "platform_id": post["id"], "title": post["title"],
        "author": names[post["author"]], "author_url": None, "published": _iso(post["published"]),
        "updated": _iso(post["updated"]), "labels": post["labels"], "html": post["body"], "comment_count": len(thread),
    }
    for position, (comment, parent) in enumerate(thread):
        yield {
            "type": "comment", **common, "id": comment["id"], "post_url": url, "post_title": post["title"],
            "parent_id": parent, "author": comment["author"], "author_url": comment["author_url"],
            "published": _iso(comment["published"]), "html": _comment_html(comment["body"], platform), "position": position,
        }


def _walk(comments: list[dict[str, Any]], parent: str | None) -> Iterator[tuple[dict[str, Any], str | None]]:
    for comment in comments:
        yield comment, parent
        yield from _walk(comment["replies"], comment["id"])


def iter_raw_corpus(documents: int, seed: int = SEED, posts_per_blog: int = 500) -> Iterator[dict[str, Any]]:
    """Exactly ``documents`` raw records (posts and comments), blog after blog, streamed."""
    generator = Generator(seed, people=max(200, documents // 25))
    emitted, number = 0, 0
    while emitted < documents:
        header = generator.blog_header(number)
        for post in generator.posts(header, posts_per_blog):
            for record in raw_records(header, post):
                yield record
                emitted += 1
                if emitted == documents:
                    return
        number += 1


def write_raw_corpus(path: Path, documents: int, seed: int = SEED) -> Path:
    """Write ``documents`` raw records to ``path`` (JSON Lines); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for record in iter_raw_corpus(documents, seed):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
