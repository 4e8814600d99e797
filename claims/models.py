"""Plain value objects passed between the pipeline's stages.

They carry no behaviour beyond small derived properties, so that every stage can be
called (and tested) on its own, and so that the Prefect tasks in ``flows/`` can pass them
between each other.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

__all__ = [
    "Claim",
    "Document",
    "Evidence",
    "FeedEntry",
    "Passage",
    "Quantity",
    "Scope",
    "Sentence",
    "Stance",
    "Verdict",
    "VerdictLabel",
    "clean_text",
    "content_hash",
    "stable_id",
    "utcnow",
]

VerdictLabel = Literal["supported", "refuted", "conflicting", "not_enough_evidence"]
Stance = Literal["support", "refute", "mixed", "neutral"]  # mixed: a fact-check rated it partly true


# C0 controls but tab, line feed and carriage return; DEL; C1 controls. NUL, escape
# sequences (ESC, CSI) and the like never reach a table, the terminal or the report.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\x85": "\n"})


def clean_text(text: str) -> str:
    """``text`` without control characters: vertical tab, form feed and NEL become line
    breaks, every other control character but tab, line feed and carriage return (NUL, ESC,
    DEL, the C1 range) is removed."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub("", text.translate(_LINE_BREAKS))


def content_hash(text: str) -> str:
    """SHA-256 of the text, hex: the key for content-addressed rows."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utcnow() -> datetime:
    """Now in UTC without a time zone: how every timestamp is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


def stable_id(*parts: object) -> str:
    """A short deterministic id (24 hex chars) from the parts, for idempotent upserts."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class Document:
    """A text: the article being checked, or a source of evidence."""

    id: str
    text: str
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    source_kind: str = "input"  # input | corpus | url | feed | wikipedia | searxng | gdelt | factcheck
    content_hash: str = ""
    rating: str | None = None  # a fact-check's textual rating of the claim it reviews (ClaimReview), as written

    @staticmethod
    def make(text: str, *, url: str | None = None, **meta: Any) -> Document:
        """Build a document whose id is the hash of its URL (when it has one) or its text.

        Every document is made here, so this is where control characters leave the text and
        its metadata (:func:`clean_text`), whatever the source: a file, a web page, a feed."""
        text = clean_text(text)
        url = clean_text(url) if url else url
        meta = {k: clean_text(v) if isinstance(v, str) else v for k, v in meta.items()}
        digest = content_hash(text)
        doc_id = stable_id("url", url) if url else stable_id("text", digest)
        return Document(id=doc_id, text=text, url=url, content_hash=digest, **meta)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a document with its character span ``text[start:end]``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Quantity:
    """A number as a reader understands it.

    ``value`` is the point value when there is one; ``low``/``high`` bound what the
    expression allows (equal to ``value`` for an exact figure, open-ended bounds use None).
    ``qualifier`` is the hedge as written ("about", "more than", "thousands of", "between").
    ``unit`` is what is counted ("soldiers", "North Korean troops", "%", "USD").
    ``start``/``end`` locate the expression in the text it was parsed from.
    """

    value: float | None
    low: float | None
    high: float | None
    unit: str | None
    qualifier: str | None
    text: str
    start: int
    end: int
    kind: str = "count"  # count | percent | money | measure

    @property
    def is_range(self) -> bool:
        return self.value is None or (self.low != self.high)


@dataclass(frozen=True)
class Scope:
    """What a claim's figure counts, where, when, whose figure it is and how it is bounded
    (:func:`claims.extract.scope.claim_scope`). ``start``/``end``: the claim's time as an
    interval of days (``start`` None: some time before ``end``); ``time_text``: the
    sentence's own time words, None when the time is the article's date."""

    thing: str | None = None
    status: str | None = None
    place: str | None = None
    start: date | None = None
    end: date | None = None
    time_text: str | None = None
    holder: str | None = None
    bound: str | None = None

    @property
    def own_time(self) -> bool:
        """Whether the sentence names its own time (else the article's date stands for it)."""
        return self.time_text is not None

    def describe(self) -> str:
        """"North Korean troops; in Russia's Kursk; Oct 2024 (in October); per the Pentagon; as many as"."""
        parts = []
        if self.thing:
            parts.append(self.thing + (f" ({self.status})" if self.status else ""))
        if self.place:
            parts.append(f"in {self.place}")
        if self.end is not None:
            if self.start is None:
                when = f"before {self.end:%-d %b %Y}"
            elif self.start == self.end:
                when = f"{self.start:%-d %b %Y}"
            else:
                when = f"{self.start:%-d %b}-{self.end:%-d %b %Y}"
            parts.append(when + (f" ({self.time_text})" if self.time_text else " (article date)"))
        if self.holder:
            parts.append(f"per {self.holder}")
        if self.bound:
            parts.append(self.bound)
        return "; ".join(parts)


@dataclass
class Claim:
    """A check-worthy statement found in a document."""

    id: str
    document_id: str
    text: str
    start: int
    end: int
    checkworthiness: float
    quantity: Quantity | None = None
    quantities: list[Quantity] = field(default_factory=list)
    claim_type: str = "other"  # numerical | event | quote | other
    attribution: str | None = None
    claim_date: date | None = None
    entities: list[str] = field(default_factory=list)
    cluster_id: str | None = None
    # Who made the claim when that is known apart from its text (a fact-check dataset's
    # speaker): what they are reported to have said is the claim itself, not evidence.
    # Not the claim's own attribution: "Blinken said 8,000 ..." is confirmed by sources
    # reporting that Blinken said it.
    claimant: str | None = None
    # The proposition stated on its own (claims.extract.checkable): wrapper and attribution
    # removed, references resolved, the article date attached. Judging reads it; ``text``,
    # ``start`` and ``end`` stay the sentence as written. None: the sentence itself.
    checkable: str | None = None
    # What the claim's figure counts, where and when (claims.extract.scope); None: unknown
    # (a claim made before scopes were read), judged on ``claim_date`` alone.
    scope: Scope | None = None


@dataclass(frozen=True)
class Passage:
    """A chunk of a document, the unit of retrieval."""

    id: str
    document_id: str
    position: int
    text: str
    start: int = 0
    end: int = 0


@dataclass
class Evidence:
    """A passage judged against a claim."""

    claim_id: str
    passage: Passage
    document: Document
    similarity: float
    rank: int
    stance: Stance = "neutral"
    stance_score: float = 0.0
    quantity_relation: str | None = None  # match | consistent | mismatch | other_scope | none
    passage_quantity: Quantity | None = None
    quantity_date: date | None = None  # when the passage's figure was given (named date, else published)
    role: str = "mentions"  # asserts | reports_claim | disputes | mentions (claims.score.roles)
    origin: str | None = None  # who the passage attributes the claim's content to (None: its own voice)
    role_cue: str = ""  # the words that decided the role
    weight: float = 0.0  # what this evidence's vote weighed in the verdict (0: no vote)
    model_probs: tuple[float, float, float] | None = None  # the stance model's (support, refute, neutral)
    verifier_probs: tuple[float, float, float] | None = None  # the verifier's (support, refute, neutral)
    scope_note: str = ""  # why a figure or a passage does not vote: another time, place or thing; superseded; off topic


@dataclass
class Verdict:
    """The decision for one claim in one run."""

    claim_id: str
    label: VerdictLabel
    confidence: float
    rationale: str
    evidence: list[Evidence] = field(default_factory=list)
    n_support: int = 0
    n_refute: int = 0
    n_neutral: int = 0
    best: Evidence | None = None  # the passage whose vote most decided the label (the closest one when none did)


@dataclass(frozen=True)
class FeedEntry:
    """One usable entry of a feed: its article's URL (absolute, canonical) and metadata."""

    feed_url: str
    url: str
    title: str | None
    summary: str | None
    published: datetime | None
    entry_id: str
