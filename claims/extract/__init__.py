"""Text -> sentences -> check-worthy claims with their quantities, type, attribution, date.

:func:`extract_claims` is the stage function; the pieces live in their own modules:
``sentences`` (splitting with offsets), ``quantities`` (news numbers), ``checkworthiness``
(the trained scorer), ``structure`` (type, attribution, date, entities) and ``matching``
(claim clusters across articles).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from claims.embed import Embedder
from claims.extract.checkable import checkable_text, refers_to_previous_figure, without_date
from claims.extract.checkworthiness import CheckworthinessModel
from claims.extract.quantities import is_time_frame, parse_quantities, scope_window
from claims.extract.scope import claim_scope, is_descriptor
from claims.extract.sentences import cap_length, split_sentences
from claims.extract.structure import claim_type, find_attribution, find_entities
from claims.models import Claim, Document, Quantity, Sentence, stable_id
from claims.settings import Settings

__all__ = ["ExtractionResult", "Scorer", "claim_and_focus_vectors", "extract_claims", "focus_text", "focus_vectors",
           "for_judging", "primary_quantity", "with_quantities"]

log = logging.getLogger(__name__)

_WORDS = re.compile(r"[A-Za-z]{2,}")


class Scorer(Protocol):
    def score(self, texts: Sequence[str], embeddings: np.ndarray | None = None,
              embedder: Embedder | None = None) -> np.ndarray: ...


@dataclass
class ExtractionResult:
    """The claims of one document and their embeddings (row i belongs to claims[i]): the
    embeddings are those of the checkable text, which judging reads (:func:`for_judging`)."""

    claims: list[Claim]
    claim_vectors: np.ndarray
    focus_vectors: np.ndarray | None = None
    sentences: list[Sentence] = field(default_factory=list)
    scores: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    notes: list[str] = field(default_factory=list)  # what the user should know (sentences cut)


def primary_quantity(quantities: Sequence[Quantity], text: str | None = None) -> Quantity | None:
    """The quantity a claim is about: the first count of a named thing, else the first one.

    With the claim's ``text``, durations that only set a time frame ("over the past 30
    years", "two decades ago") are not candidates: a claim whose only number is its time
    frame has no figure to compare.
    """
    if text is not None:  # nor is an age band ("people aged 18 to 24")
        quantities = [q for q in quantities if not is_time_frame(text, q) and not is_descriptor(text, q)]
    for q in quantities:
        if q.unit and q.kind == "count":
            return q
    for q in quantities:
        if q.unit:
            return q
    return quantities[0] if quantities else None


_SCORER: Scorer | None = None


def default_scorer() -> Scorer:
    """The check-worthiness model shipped in the package (loaded once)."""
    global _SCORER
    if _SCORER is None:
        _SCORER = CheckworthinessModel.load()
    return _SCORER


def extract_claims(document: Document, embedder: Embedder, settings: Settings,
                   scorer: Scorer | None = None,
                   embed: Callable[[Sequence[str]], np.ndarray] | None = None) -> ExtractionResult:
    """Sentences scoring at or above the check-worthiness threshold become claims.

    Quantity offsets are relative to the claim's text; the claim's own offsets index
    the document text. ``embed`` (default ``embedder.encode``) lets the pipeline put a
    cache in front of the model.
    """
    embed = embed or embedder.encode

    # A "sentence" of thousands of characters (a text without full stops) would become one
    # unreadable claim: it is cut into pieces of at most max_sentence_chars, and said so.
    capped, cut = cap_length(split_sentences(document.text), document.text, settings.max_sentence_chars)
    limit = settings.max_sentence_chars
    notes = [(f"{cut} stretch{'es' if cut > 1 else ''} of text longer than {limit:,} characters without a "
              f"sentence end {'were' if cut > 1 else 'was'} cut into pieces of at most {limit:,} (max_sentence_chars)")
             ] if cut else []
    for note in notes:
        log.warning("%s", note)
    sentences = [s for s in capped if len(_WORDS.findall(s.text)) >= 4]
    if not sentences:
        return ExtractionResult([], np.zeros((0, embedder.dimension), dtype=np.float32), notes=notes)
    vectors = embed([s.text for s in sentences])
    scores = np.asarray((scorer or default_scorer()).score([s.text for s in sentences], embeddings=vectors),
                        dtype=np.float32)
    chosen = [i for i in np.argsort(-scores, kind="stable") if scores[i] >= settings.checkworthiness_threshold]
    chosen = sorted(chosen[: settings.max_claims])
    doc_date = document.published_at.date() if document.published_at else None
    claims: list[Claim] = []
    previous = {s.start: capped[k - 1].text for k, s in enumerate(capped) if k > 0}
    for i in chosen:
        s = sentences[i]
        quantities = parse_quantities(s.text)
        quantity = primary_quantity(quantities, s.text)
        attribution = find_attribution(s.text)
        checkable = checkable_text(s.text, previous=previous.get(s.start), document_date=doc_date)
        scope = claim_scope(s.text, quantity, doc_date, holder=attribution)
        if refers_to_previous_figure(s.text) and checkable != s.text:
            # "That was 20% more than ...": read with the subject the sentence before names
            resolved = without_date(checkable).removesuffix(".")
            scope = claim_scope(resolved, primary_quantity(parse_quantities(resolved), resolved), doc_date,
                                holder=attribution)
        claims.append(Claim(
            id=stable_id(document.id, s.start, s.end),
            document_id=document.id,
            text=s.text,
            start=s.start,
            end=s.end,
            checkworthiness=float(scores[i]),
            quantity=quantity,
            quantities=quantities,
            claim_type=claim_type(s.text, quantities),
            attribution=attribution,
            claim_date=scope.start if scope.own_time and scope.start is not None else doc_date,
            entities=find_entities(s.text),
            checkable=checkable,
            scope=scope,
        ))
    if not chosen:
        return ExtractionResult(claims, np.zeros((0, embedder.dimension), dtype=np.float32), None, sentences,
                                scores, notes)
    judged = for_judging(claims)
    claim_vectors = np.array(vectors[chosen], dtype=np.float32, copy=True)
    rewritten = [k for k, c in enumerate(claims) if c.checkable != c.text]
    if rewritten:  # the sentence's own vector serves where the checkable text is the sentence
        claim_vectors[rewritten] = embed([judged[k].text for k in rewritten])
    return ExtractionResult(claims, claim_vectors, focus_vectors(judged, claim_vectors, embed), sentences, scores,
                            notes)


def for_judging(claims: Sequence[Claim]) -> list[Claim]:
    """The claims as judging reads them: the checkable text in place of the sentence, with
    its figures parsed from it (offsets into that text). Id, document, offsets, date and
    attribution stay; claims without a checkable text come back as they are."""
    out = []
    for claim in claims:
        if not claim.checkable or claim.checkable == claim.text:
            out.append(claim)
            continue
        quantities = parse_quantities(claim.checkable)
        out.append(replace(claim, text=claim.checkable, quantities=quantities,
                           quantity=primary_quantity(quantities, claim.checkable)))
    return out


def focus_vectors(claims: Sequence[Claim], claim_vectors: np.ndarray,
                  embed: Callable[[Sequence[str]], np.ndarray]) -> np.ndarray:
    """One row per claim: the embedding of its :func:`focus_text` where it has one, else
    the claim's own vector (retrieval takes the better of the two per passage)."""
    focus = [focus_text(c) for c in claims]
    vectors = np.array(claim_vectors, dtype=np.float32, copy=True)
    numeric = [i for i, f in enumerate(focus) if f]
    if numeric:
        vectors[numeric] = embed([f for f in focus if f])
    return vectors


def claim_and_focus_vectors(claims: Sequence[Claim], embed: Callable[[Sequence[str]], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Claim and focus vectors of claims made earlier, computed as :func:`extract_claims` does
    (from the checkable text)."""
    judged = for_judging(claims)
    vectors = embed([c.text for c in judged])
    return vectors, focus_vectors(judged, vectors, embed)


def with_quantities(claims: Sequence[Claim]) -> list[Claim]:
    """Claims read back from the store with their quantities parsed again from their text,
    the claim's own figure chosen as extraction chooses it."""
    for claim in claims:
        claim.quantities = parse_quantities(claim.text)
        claim.quantity = primary_quantity(claim.quantities, claim.text)
    return list(claims)


def focus_text(claim: Claim) -> str | None:
    """The number-bearing part of a claim: its quantity and the phrase that scopes it."""
    q = claim.quantity
    if q is None or not q.unit:
        return None
    return (q.text + scope_window(claim.text, q)).strip()
