"""Query understanding: the one pure function every piece of user search text goes through.

``parse_query("who discusses transference and vacations?")`` returns a ``ParsedQuery``:
the question form (``who`` / ``posts`` / ``comments`` / plain ``search``), the concepts
(split on "and", "&", ",", "plus", "both … and …"; "or" gives alternatives inside one
concept), "quoted phrases", ``+required`` and ``-excluded`` words. Nothing here talks to
Elasticsearch; the builder turns the result into query bodies. User text is never handed
to ``query_string``: words are reduced to letters, digits, apostrophes and hyphens, so the
``simple_query_string`` built from them carries no operator the user did not mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from shrinksearch.exceptions import QueryError

Intent = Literal["search", "who", "posts", "comments"]
Role = Literal["blogger", "commenter"]

MAX_QUERY_CHARS = 500
MAX_CONCEPTS = 8

# A quoted phrase (the closing quote may be missing), a separator, or a word; each with an
# optional +/- in front. Separators are split off words so "transference,vacations" works.
_TOKEN = re.compile(r'(?P<op>[+-]?)(?:"(?P<phrase>[^"]*)"?|(?P<sep>[,&;])|(?P<word>[^\s",&;]+))')
_WORD_CHARS = re.compile(r"[^\w'\-]+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})

# Words that join two concepts ("transference and vacations"); "both" only announces them.
_SEPARATORS = {"and", "plus", "&", ",", ";", "vs", "versus"}
_MULTIWORD_SEPARATORS = (("as", "well", "as"), ("along", "with"), ("together", "with"))
_ALTERNATIVE = "or"

# Words that carry no concept anywhere: articles, pronouns, auxiliaries. Quoted phrases
# keep theirs.
STOP_WORDS = frozenset(
    """a an the of about on in into to for from at by with without this that these those
    it its their his her him them they he she my your our me we you i any some
    is are was were be been being do does did has have had can could would should will
    both either""".split()
)

# In questions, also the verbs and fillers of the question ("who *talks about* …"); a plain
# search for "comments" or "blog" keeps those words.
QUESTION_WORDS = STOP_WORDS | frozenset(
    """discuss discusses discussed discussing discussion discussions talk talks talked talking
    write writes wrote written writing mention mentions mentioned mentioning say says said
    saying think thinks thought cover covers covered address addresses addressed deal deals
    dealt bring brings brought up blog blogs blogged comment comments commented commenting
    anything something stuff topic topics subject subjects issue issues also
    who whom which what people person anyone someone somebody everyone there here""".split()
)

# How a question opens, in the order they are tried (longest first). Each maps to
# (intent, role filter). Words left over after the opening are filler-stripped as above.
_OPENINGS: tuple[tuple[tuple[str, ...], Intent, Role | None], ...] = (
    (("what", "do", "commenters"), "comments", None),
    (("what", "do", "readers"), "comments", None),
    (("what", "are", "commenters"), "comments", None),
    (("what", "did", "commenters"), "comments", None),
    (("which", "comments"), "comments", None),
    (("what", "comments"), "comments", None),
    (("comments", "about"), "comments", None),
    (("comments", "on"), "comments", None),
    (("which", "blog", "posts"), "posts", None),
    (("which", "posts"), "posts", None),
    (("what", "posts"), "posts", None),
    (("posts", "about"), "posts", None),
    (("posts", "on"), "posts", None),
    (("which", "bloggers"), "who", "blogger"),
    (("what", "bloggers"), "who", "blogger"),
    (("which", "commenters"), "who", "commenter"),
    (("what", "commenters"), "who", "commenter"),
    (("which", "people"), "who", None),
    (("what", "people"), "who", None),
    (("who",), "who", None),
    (("whom",), "who", None),
)


@dataclass(frozen=True)
class Term:
    """One wording of a concept: words joined by spaces, or a quoted phrase (matched as is)."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Concept:
    """One thing the user asks about; its terms are alternatives ("lithium or valproate")."""

    terms: tuple[Term, ...]

    @property
    def label(self) -> str:
        return " or ".join(f'"{t.text}"' if t.phrase else t.text for t in self.terms)


@dataclass(frozen=True)
class ParsedQuery:
    """What the user asked, ready for the builder."""

    text: str
    intent: Intent = "search"
    concepts: tuple[Concept, ...] = ()
    required: tuple[Term, ...] = ()
    excluded: tuple[Term, ...] = ()
    match_all: bool = False
    role: Role | None = None
    words: tuple[Term, ...] = field(default=(), repr=False)

    @property
    def kind(self) -> Literal["post", "comment"] | None:
        """The document kind a question form implies ("which posts…" → post)."""
        return {"posts": "post", "comments": "comment"}.get(self.intent)  # type: ignore[return-value]

    def simple_query(self) -> str:
        """A simple_query_string of the plain words and phrases (operators never included)."""
        return " ".join(f'"{t.text}"' if t.phrase else t.text for t in self.words)

    def to_dict(self) -> dict:
        """How the query was understood, for the API and `--json` output."""
        return {
            "text": self.text,
            "intent": self.intent,
            "concepts": [c.label for c in self.concepts],
            "required": [t.text for t in self.required],
            "excluded": [t.text for t in self.excluded],
            "match_all_concepts": self.match_all,
            "role": self.role,
        }


@dataclass
class _Token:
    op: str
    text: str
    kind: Literal["word", "phrase", "sep"]


def parse_query(text: str) -> ParsedQuery:
    """Parse user search text; raises QueryError (one line, with the fix) when unusable."""
    cleaned = _normalise(text)
    tokens = _tokenize(cleaned)
    intent, role, tokens = _strip_opening(tokens)
    required = tuple(_term(t) for t in tokens if t.op == "+" and t.kind != "sep")
    excluded = tuple(_term(t) for t in tokens if t.op == "-" and t.kind != "sep")
    plain = [t for t in tokens if not t.op or t.kind == "sep"]
    groups, had_separator = _split_groups(plain)
    stop_words = STOP_WORDS if intent == "search" else QUESTION_WORDS
    concepts = tuple(c for g in groups for c in _concepts(g, stop_words))
    if intent == "search" and not had_separator:
        concepts = _one_concept_per_word(concepts)
    _check(intent, concepts, required, cleaned)
    words = tuple(t for c in concepts for t in c.terms)
    return ParsedQuery(
        text=cleaned,
        intent=intent,
        concepts=concepts,
        required=required,
        excluded=excluded,
        match_all=intent != "search" or had_separator,
        role=role,
        words=words,
    )


def _normalise(text: str) -> str:
    if text is None or not text.strip():
        raise QueryError("empty query: type some words, e.g. 'who discusses transference and vacations'")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(text)} characters): keep it under {MAX_QUERY_CHARS}")
    text = text.translate(_QUOTES).lower()
    return " ".join(text.split())


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for m in _TOKEN.finditer(text):
        if m["sep"]:
            tokens.append(_Token("", m["sep"], "sep"))
        elif m["phrase"] is not None:
            phrase = " ".join(_clean_word(w) for w in m["phrase"].split())
            if phrase.strip():
                tokens.append(_Token(m["op"], " ".join(phrase.split()), "phrase"))
        else:
            tokens.extend(_word_tokens(m["op"], m["word"]))
    return tokens


def _word_tokens(op: str, raw: str) -> list[_Token]:
    # Punctuation and query syntax split words: "title:foo" is "title foo", "bar*" is "bar".
    words = [w for w in (_clean_word(part) for part in _WORD_CHARS.split(raw)) if w]
    if len(words) == 1 and not op and words[0] in _SEPARATORS:
        return [_Token("", words[0], "sep")]
    return [_Token(op, w, "word") for w in words]


def _clean_word(raw: str) -> str:
    # Keep letters, digits, inner apostrophes and hyphens; everything else separates words.
    return " ".join(_WORD_CHARS.sub(" ", raw).split()).strip("'-")


def _strip_opening(tokens: list[_Token]) -> tuple[Intent, Role | None, list[_Token]]:
    leading = [t.text for t in tokens if t.kind == "word" and not t.op][:4]
    for words, intent, role in _OPENINGS:
        if tuple(leading[: len(words)]) == words and _opening_is_prefix(tokens, len(words)):
            return intent, role, tokens[len(words):]
    return "search", None, tokens


def _opening_is_prefix(tokens: list[_Token], n: int) -> bool:
    return all(t.kind == "word" and not t.op for t in tokens[:n])


def _split_groups(tokens: list[_Token]) -> tuple[list[list[_Token]], bool]:
    groups: list[list[_Token]] = [[]]
    had_separator = False
    i = 0
    while i < len(tokens):
        width = _separator_width(tokens, i)
        if width:
            had_separator = had_separator or bool(groups[-1])
            groups.append([])
            i += width
            continue
        groups[-1].append(tokens[i])
        i += 1
    return [g for g in groups if g], had_separator


def _separator_width(tokens: list[_Token], i: int) -> int:
    if tokens[i].kind == "sep":
        return 1
    words = tuple(t.text if t.kind == "word" else "" for t in tokens[i : i + 3])
    for sep in _MULTIWORD_SEPARATORS:
        if words[: len(sep)] == sep:
            return len(sep)
    return 0


def _concepts(group: list[_Token], stop_words: frozenset[str]) -> list[Concept]:
    # "or" makes alternatives of one concept ("lithium or valproate"); without it, a quoted
    # phrase and the words around it are separate concepts.
    alternatives: list[list[_Token]] = [[]]
    for token in group:
        if token.kind == "word" and token.text == _ALTERNATIVE:
            alternatives.append([])
        else:
            alternatives[-1].append(token)
    terms = [[term for term in _alternative(alt, stop_words)] for alt in alternatives]
    if len(terms) == 1:
        return [Concept((term,)) for term in terms[0]]
    flat = tuple(dict.fromkeys(term for alt in terms for term in alt))
    return [Concept(flat)] if flat else []


def _alternative(tokens: list[_Token], stop_words: frozenset[str]) -> list[Term]:
    words = [t.text for t in tokens if t.kind == "word" and t.text not in stop_words]
    phrases = [Term(t.text, phrase=True) for t in tokens if t.kind == "phrase"]
    return ([Term(" ".join(words))] if words else []) + phrases


def _one_concept_per_word(concepts: tuple[Concept, ...]) -> tuple[Concept, ...]:
    # Plain searches rank by how many words match: each word (or quoted phrase) is its own
    # optional concept, and "or" adds nothing to that.
    out: list[Concept] = []
    for term in (t for c in concepts for t in c.terms):
        words = [term.text] if term.phrase else term.text.split()
        out.extend(Concept((Term(w, term.phrase),)) for w in words)
    return tuple(dict.fromkeys(out))


def _term(token: _Token) -> Term:
    return Term(token.text, phrase=token.kind == "phrase")


def _check(intent: Intent, concepts: tuple[Concept, ...], required: tuple[Term, ...], text: str) -> None:
    if not concepts and not required:
        if intent == "search":
            raise QueryError(f"nothing to search for in {text!r}: give at least one word that is not excluded")
        raise QueryError(f"{text!r} does not say about what: e.g. 'who discusses transference and vacations'")
    if len(concepts) > MAX_CONCEPTS:
        raise QueryError(f"too many concepts ({len(concepts)}): ask about at most {MAX_CONCEPTS} at once")
