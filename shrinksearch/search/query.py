"""Query understanding: the one pure function every piece of user search text goes through.

``parse_query("who discusses transference and vacations?")`` returns a ``ParsedQuery``:

* the question form (``who`` / ``posts`` / ``comments`` / plain ``search``) and a role filter
  ("which bloggers …");
* ``terms``: every word of the question that carries content, in order, and the "quoted
  phrases" kept whole. Nothing the user typed is dropped except filler (articles, question
  words, "who writes about") and negated words; these terms are the BM25 recall floor;
* ``concepts``: the same words *grouped* at lists, colons, commas, "and", "vs" and sentence
  ends ("benzodiazepines: Xanax, Valium" → benzodiazepines · xanax · valium). Groups only
  rank (documents matching all of them first); they never glue words into a phrase and
  never filter. "or" makes alternatives inside one group;
* ``+required`` and ``-excluded`` words (explicit operators: they filter), and ``avoided``
  words from natural negations ("but not ketamine", "…, not as a therapist", "except X"),
  which only push documents down.

A long question is never refused: every word stays a term, and only the first
``MAX_CONCEPTS`` groups get concept clauses. Nothing here talks to Elasticsearch, and user
text never reaches ``query_string``: words are reduced to letters, digits, apostrophes and
hyphens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from shrinksearch.exceptions import QueryError

Intent = Literal["search", "who", "posts", "comments"]
Role = Literal["blogger", "commenter"]

MAX_QUERY_CHARS = 500
MAX_CONCEPTS = 8  # groups that get concept clauses; the words of the rest still count as terms

# A quoted phrase (the closing quote may be missing), a separator, or a word; each with an
# optional +/- in front. Punctuation that ends a clause separates groups.
_TOKEN = re.compile(
    r'(?P<op>[+-]?)(?:"(?P<phrase>[^"]*)"?|(?P<sep>[,&;:?!()\[\]/—–]|\.(?=\s|$)|\s-\s)'
    r'|(?P<word>(?:[^\s",&;:?!.()\[\]/—–]|\.(?!\s|$))+))'
)
_WORD_CHARS = re.compile(r"[^\w'\-.]+")
_NOT_DECIMAL_POINT = re.compile(r"(?<!\d)\.|\.(?!\d)")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})

# Words that separate two groups ("transference and vacations"); "both" only announces them.
_SEPARATORS = {"and", "plus", "&", "vs", "versus"}
_MULTIWORD_SEPARATORS = (("as", "well", "as"), ("along", "with"), ("together", "with"))
_ALTERNATIVE = "or"

# Natural negations: the words after them, up to the next separator, are avoided. A bare
# "not" negates only where a group starts ("…, not lithium"): inside a clause it is part of
# what is said ("not guilty by reason of insanity", "did not reach the pharmacy").
_NEGATIONS = (("but", "not"), ("and", "not"), ("except",), ("excluding",), ("other", "than"))
_GROUP_NEGATION = "not"

# Words that carry no concept anywhere: articles, pronouns, auxiliaries. Quoted phrases
# keep theirs.
STOP_WORDS = frozenset(
    """a an the of about on in into to for from at by with as this that these those
    it its their his her him them they he she my your our me we you i any some
    is are was were be been being do does did has have had can could would should will
    but if then than so such both either""".split()
)

# In questions, also the question words and the verbs and fillers of the question ("who
# *talks about* …", "*how many* …", "*according to* …"); a plain search for "comments" or
# "blog" keeps those words.
QUESTION_WORDS = STOP_WORDS | frozenset(
    """discuss discusses discussed discussing discussion discussions talk talks talked talking
    write writes wrote written writing mention mentions mentioned mentioning say says said
    saying think thinks thought cover covers covered address addresses addressed deal deals
    dealt bring brings brought up blog blogs blogged blogger bloggers comment comments
    commented commenting commenter commenters post posts posted article articles anything
    something stuff topic topics subject subjects issue issues also
    who whom whose which what why when where how many much
    according coined difference between people person anyone someone somebody everyone there here
    just really very quite mostly usually often ever never always still even only
    more most less few every each all other others same such own way ways thing things lot lots
    get gets got getting give gives gave given take takes took taken make makes made
    like want wants need needs know knows tell told ask asked""".split()
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
    (("which", "blogger"), "who", "blogger"),
    (("which", "commenters"), "who", "commenter"),
    (("what", "commenters"), "who", "commenter"),
    (("which", "commenter"), "who", "commenter"),
    (("which", "people"), "who", None),
    (("what", "people"), "who", None),
    (("who",), "who", None),
    (("whom",), "who", None),
)
# A question that is not a "who"/"which posts" form still loses its question words.
_QUESTION_STARTS = frozenset(
    """how what which why when where whose is are was were does do did can could should would
    according""".split()
)


@dataclass(frozen=True)
class Term:
    """One wording: words joined by spaces, or a quoted phrase (matched as is)."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Concept:
    """One group of the user's words; its terms are alternatives ("lithium or valproate")."""

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
    terms: tuple[Term, ...] = ()
    required: tuple[Term, ...] = ()
    excluded: tuple[Term, ...] = ()
    avoided: tuple[Term, ...] = ()
    role: Role | None = None
    sequences: tuple[str, ...] = field(default=(), repr=False)  # each group's words as typed

    @property
    def kind(self) -> Literal["post", "comment"] | None:
        """The document kind a question form implies ("which posts…" → post)."""
        return {"posts": "post", "comments": "comment"}.get(self.intent)  # type: ignore[return-value]

    @property
    def words(self) -> tuple[Term, ...]:
        """The plain (unquoted) terms, one word each."""
        return tuple(t for t in self.terms if not t.phrase)

    @property
    def phrases(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.phrase)

    def plain_text(self) -> str:
        """Every term's words, space-joined: the text of the BM25 floor."""
        return " ".join(t.text for t in self.terms)

    def to_dict(self) -> dict:
        """How the query was understood, for the API and `--json` output."""
        return {
            "text": self.text,
            "intent": self.intent,
            "terms": [f'"{t.text}"' if t.phrase else t.text for t in self.terms],
            "concepts": [c.label for c in self.concepts],
            "required": [t.text for t in self.required],
            "excluded": [t.text for t in self.excluded],
            "avoided": [t.text for t in self.avoided],
            "match_all_concepts": False,  # all concepts rank first; none is required
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
    question = intent != "search" or _looks_like_question(cleaned, tokens)
    stop_words = QUESTION_WORDS if question else STOP_WORDS
    required = tuple(_term(t) for t in tokens if t.op == "+" and t.kind != "sep")
    excluded = tuple(_term(t) for t in tokens if t.op == "-" and t.kind != "sep")
    plain = [t for t in tokens if not t.op or t.kind == "sep"]
    positive, negated = _split_negations(plain)
    if not _terms(positive, stop_words):  # "not guilty by reason of insanity": nothing else to ask for
        positive, negated = plain, []
    groups = _split_groups(positive)
    concepts = tuple(dict.fromkeys(c for g in groups for c in _concepts(g, stop_words)))
    terms = _terms(positive, stop_words)
    avoided = tuple(dict.fromkeys(a for a in (_avoided(g, terms, stop_words) for g in negated) if a))
    sequences = tuple(s for s in (_sequence(g) for g in groups) if " " in s)
    _check(intent, terms, required, cleaned)
    return ParsedQuery(
        text=cleaned,
        intent=intent,
        concepts=concepts,
        terms=terms,
        required=required,
        excluded=excluded,
        avoided=avoided,
        role=role,
        sequences=sequences,
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
            tokens.append(_Token("", m["sep"].strip(), "sep"))
        elif m["phrase"] is not None:
            phrase = " ".join(_clean_word(w) for w in m["phrase"].split())
            if phrase.strip():
                tokens.append(_Token(m["op"], " ".join(phrase.split()), "phrase"))
        else:
            tokens.extend(_word_tokens(m["op"], m["word"]))
    return tokens


def _word_tokens(op: str, raw: str) -> list[_Token]:
    # Punctuation and query syntax split words: "title:foo" is "title foo", "bar*" is "bar".
    raw = _NOT_DECIMAL_POINT.sub(" ", raw)
    words = [w for w in (_clean_word(part) for part in _WORD_CHARS.split(raw)) if w]
    if len(words) == 1 and not op and words[0] in _SEPARATORS:
        return [_Token("", words[0], "sep")]
    return [_Token(op, w, "word") for w in words]


def _clean_word(raw: str) -> str:
    # Keep letters, digits, inner apostrophes and hyphens, and decimal points ("37.5");
    # everything else separates words.
    raw = _NOT_DECIMAL_POINT.sub(" ", raw)
    return " ".join(_WORD_CHARS.sub(" ", raw).split()).strip("'-")


def _strip_opening(tokens: list[_Token]) -> tuple[Intent, Role | None, list[_Token]]:
    leading = [t.text for t in tokens if t.kind == "word" and not t.op][:4]
    for words, intent, role in _OPENINGS:
        if tuple(leading[: len(words)]) == words and _opening_is_prefix(tokens, len(words)):
            return intent, role, tokens[len(words):]
    return "search", None, tokens


def _opening_is_prefix(tokens: list[_Token], n: int) -> bool:
    return all(t.kind == "word" and not t.op for t in tokens[:n])


def _looks_like_question(text: str, tokens: list[_Token]) -> bool:
    first = next((t.text for t in tokens if t.kind == "word"), "")
    return text.rstrip().endswith("?") or first in _QUESTION_STARTS


def _split_negations(tokens: list[_Token]) -> tuple[list[_Token], list[list[_Token]]]:
    """(tokens outside negations, one token list per negation). A negation ("but not", …)
    covers the words after it up to the next separator; its own separators stay in the
    positive stream so the groups around it stay apart."""
    positive: list[_Token] = []
    negated: list[list[_Token]] = []
    i, negating = 0, False
    while i < len(tokens):
        starts_group = i == 0 or tokens[i - 1].kind == "sep"
        width = _negation_width(tokens, i, starts_group)
        if width:
            negating = True
            negated.append([])
            positive.append(_Token("", ",", "sep"))
            i += width
            continue
        token = tokens[i]
        if token.kind == "sep" and token.text not in _SEPARATORS:
            negating = False
        if negating and token.kind != "sep":
            negated[-1].append(token)
        else:
            positive.append(token)
        i += 1
    return positive, [group for group in negated if group]


def _negation_width(tokens: list[_Token], i: int, starts_group: bool) -> int:
    words = tuple(t.text if t.kind == "word" else "\0" for t in tokens[i : i + 2])
    for negation in _NEGATIONS:
        if words[: len(negation)] == negation:
            return len(negation)
    return 1 if starts_group and words[:1] == (_GROUP_NEGATION,) else 0


def _split_groups(tokens: list[_Token]) -> list[list[_Token]]:
    groups: list[list[_Token]] = [[]]
    i = 0
    while i < len(tokens):
        width = _separator_width(tokens, i)
        if width:
            groups.append([])
            i += width
            continue
        groups[-1].append(tokens[i])
        i += 1
    return [g for g in groups if g]


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
    terms = [_alternative(alt, stop_words) for alt in alternatives]
    if len(terms) == 1:
        return [Concept((term,)) for term in terms[0]]
    flat = tuple(dict.fromkeys(term for alt in terms for term in alt))
    return [Concept(flat)] if flat else []


def _alternative(tokens: list[_Token], stop_words: frozenset[str]) -> list[Term]:
    words = [t.text for t in tokens if t.kind == "word" and t.text not in stop_words and t.text != _ALTERNATIVE]
    phrases = [Term(t.text, phrase=True) for t in tokens if t.kind == "phrase"]
    return ([Term(" ".join(words))] if words else []) + phrases


def _terms(tokens: list[_Token], stop_words: frozenset[str]) -> tuple[Term, ...]:
    """Each content word once, and each quoted phrase, in the order typed."""
    out: list[Term] = []
    for token in tokens:
        if token.kind == "phrase":
            out.append(Term(token.text, phrase=True))
        elif token.kind == "word" and token.text not in stop_words and token.text != _ALTERNATIVE:
            out.append(Term(token.text))
    return tuple(dict.fromkeys(out))


def _avoided(group: list[_Token], terms: tuple[Term, ...], stop_words: frozenset[str]) -> Term | None:
    """A negation's words as one term (the words the question also asks for left out):
    documents holding most of them together are the ones pushed down."""
    words = [t.text for t in _terms(group, stop_words) if t not in terms]
    return Term(" ".join(words)) if words else None


def _sequence(group: list[_Token]) -> str:
    """A group's words in the order typed, small words included: what word pairs the
    documents should hold side by side."""
    return " ".join(t.text for t in group if t.kind == "word" and t.text != _ALTERNATIVE)


def _term(token: _Token) -> Term:
    return Term(token.text, phrase=token.kind == "phrase")


def _check(intent: Intent, terms: tuple[Term, ...], required: tuple[Term, ...], text: str) -> None:
    if not terms and not required:
        if intent == "search":
            raise QueryError(f"nothing to search for in {text!r}: give at least one word that is not excluded")
        raise QueryError(f"{text!r} does not say about what: e.g. 'who discusses transference and vacations'")
