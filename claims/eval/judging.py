"""Benchmark claims through the pipeline's own judging code.

The eval commands build :class:`~claims.models.Claim`, :class:`~claims.models.Passage`
and :class:`~claims.models.Document` objects from a dataset and hand each claim, with
only its own evidence, to :func:`claims.pipeline.judge_claims`: the same ranking
(``min_similarity``, focus vectors), stance, numeric judgement and aggregation by
distinct source that ``claims check`` runs. Nothing here decides a label.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np

from claims.extract import focus_text, primary_quantity
from claims.extract.quantities import parse_quantities
from claims.extract.structure import claim_type, find_attribution, find_entities
from claims.models import Claim, Document, Passage, Verdict, content_hash, stable_id
from claims.pipeline import PassageSet, judge_claims
from claims.progress import track
from claims.score.passages import make_passages

if TYPE_CHECKING:  # pragma: no cover
    from claims.embed import Embedder
    from claims.score.stance import StancePredictor
    from claims.settings import Settings

__all__ = ["EvidenceText", "PreparedClaim", "hash_split", "judge_all", "make_claim", "prepare"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvidenceText:
    """One piece of a dataset's evidence: its text and where it comes from."""

    text: str
    source: str  # outlet / site / article: the unit that votes once
    url: str | None = None
    published_at: datetime | None = None


def hash_split(key: str, test_share: float = 0.5) -> str:
    """``"test"`` (held out: never trained or tuned on) or ``"dev"``, from a hash of ``key``."""
    return "test" if int(content_hash("split:" + key)[:8], 16) / 16**8 < test_share else "dev"


def make_claim(text: str, *, claim_date: date | None = None, key: str | None = None,
               speaker: str | None = None) -> Claim:
    """A claim as the extraction stage would make it from this sentence: its quantities
    parsed, type, attribution and entities found, the dataset's date when it has one.
    ``speaker``: who made the claim, when the dataset says (the claim's ``claimant``)."""
    quantities = parse_quantities(text)
    ctype, attribution, entities = claim_type(text, quantities), find_attribution(text), find_entities(text)
    doc_id = stable_id("eval", key or text)
    return Claim(
        id=stable_id(doc_id, 0, len(text)), document_id=doc_id, text=text, start=0, end=len(text),
        checkworthiness=1.0, quantity=primary_quantity(quantities, text), quantities=quantities,
        claim_type=ctype, attribution=attribution, claim_date=claim_date, entities=entities, claimant=speaker,
    )


@dataclass
class PreparedClaim:
    """A claim ready to judge: its passages (from its own evidence only) and vectors."""

    claim: Claim
    passage_set: PassageSet
    claim_vector: np.ndarray
    focus_vector: np.ndarray


def prepare(claims: Sequence[Claim], evidence: Sequence[Sequence[EvidenceText]], settings: Settings,
            embed: Callable[[Sequence[str]], np.ndarray], dimension: int) -> list[PreparedClaim]:
    """Each evidence text as a document, cut into passages as the pipeline cuts documents (a
    sentence or a question-answer pair stays one passage; a whole article becomes several),
    and every text embedded once with ``embed``."""
    sets: list[tuple[list[Passage], dict[str, Document]]] = []
    for claim, items in zip(claims, evidence):
        documents: dict[str, Document] = {}
        passages: list[Passage] = []
        for position, item in enumerate(items):
            doc_id = stable_id(claim.id, position, content_hash(item.text))
            doc = Document(id=doc_id, text=item.text, url=item.url, outlet=item.source,
                           published_at=item.published_at, source_kind="eval", content_hash=content_hash(item.text))
            documents[doc.id] = doc
            cut = make_passages(doc, settings.passage_sentences, settings.passage_overlap)
            passages.extend(cut or [Passage(id=stable_id(doc.id, "p0"), document_id=doc.id, position=0,
                                            text=item.text, start=0, end=len(item.text))])
        sets.append((passages, documents))
    focus = [focus_text(c) for c in claims]
    unique = sorted({c.text for c in claims} | {f for f in focus if f} | {p.text for ps, _ in sets for p in ps})
    vectors = dict(zip(unique, embed(unique))) if unique else {}
    prepared = []
    for claim, (passages, documents), focus_str in zip(claims, sets, focus):
        passage_vectors = (np.stack([vectors[p.text] for p in passages]) if passages
                           else np.zeros((0, dimension), dtype=np.float32))
        prepared.append(PreparedClaim(claim, PassageSet(passages, passage_vectors, documents), vectors[claim.text],
                                      vectors[focus_str] if focus_str else vectors[claim.text]))
    return prepared


def judge_all(claims: Sequence[Claim], evidence: Sequence[Sequence[EvidenceText]], settings: Settings,
              embedder: Embedder, stance: StancePredictor) -> list[Verdict]:
    """A verdict per claim, each judged against its own evidence only (see :func:`prepare`)."""
    verdicts: list[Verdict] = []
    prepared = prepare(claims, evidence, settings, embedder.encode, embedder.dimension)
    for p in track(prepared, "judging claims"):
        verdicts.extend(judge_claims([p.claim], p.claim_vector[None, :], p.passage_set, settings,
                                     stance=stance.predict, focus_vectors=p.focus_vector[None, :]))
    return verdicts
