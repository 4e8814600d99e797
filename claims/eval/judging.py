"""Benchmark claims through the pipeline's own judging code.

The eval commands build :class:`~claims.models.Claim`, :class:`~claims.models.Passage`
and :class:`~claims.models.Document` objects from a dataset and hand each claim, with
only its own evidence, to :func:`claims.pipeline.judge_claims`: the same ranking
(``min_similarity``, focus vectors), stance, numeric judgement and aggregation by
distinct source that ``claims check`` runs. Nothing here decides a label.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Sequence

import numpy as np

from claims.extract import focus_text, primary_quantity
from claims.extract.quantities import parse_quantities
from claims.extract.structure import claim_type, find_attribution, find_entities
from claims.models import Claim, Document, Passage, Verdict, content_hash, stable_id
from claims.pipeline import PassageSet, judge_claims

if TYPE_CHECKING:  # pragma: no cover
    from claims.embed import Embedder
    from claims.score.stance import StancePredictor
    from claims.settings import Settings

__all__ = ["EvidenceText", "make_claim", "judge_all", "hash_split"]

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


def make_claim(text: str, *, claim_date: date | None = None, key: str | None = None) -> Claim:
    """A claim as the extraction stage would make it from this sentence: its quantities
    parsed, type, attribution and entities found, the dataset's date when it has one."""
    quantities = parse_quantities(text)
    try:
        ctype, attribution, entities = claim_type(text, quantities), find_attribution(text), find_entities(text)
    except ImportError:  # the structure helpers are optional for judging
        ctype, attribution, entities = ("numerical" if quantities else "other"), None, []
    doc_id = stable_id("eval", key or text)
    return Claim(
        id=stable_id(doc_id, 0, len(text)), document_id=doc_id, text=text, start=0, end=len(text),
        checkworthiness=1.0, quantity=primary_quantity(quantities, text), quantities=quantities,
        claim_type=ctype, attribution=attribution, claim_date=claim_date, entities=entities,
    )


def _embed_unique(texts: Sequence[str], embedder: "Embedder") -> dict[str, np.ndarray]:
    unique = sorted(set(texts))
    return dict(zip(unique, embedder.encode(unique))) if unique else {}


def judge_all(claims: Sequence[Claim], evidence: Sequence[Sequence[EvidenceText]], settings: "Settings",
              embedder: "Embedder", stance: "StancePredictor") -> list[Verdict]:
    """A verdict per claim, each judged against its own evidence only."""
    focus = [focus_text(c) for c in claims]
    vectors = _embed_unique([c.text for c in claims] + [f for f in focus if f] +
                            [e.text for items in evidence for e in items], embedder)
    verdicts: list[Verdict] = []
    for claim, items, focus_str in zip(claims, evidence, focus):
        documents: dict[str, Document] = {}
        passages: list[Passage] = []
        for position, item in enumerate(items):
            doc = Document.make(item.text, url=item.url, outlet=item.source, published_at=item.published_at,
                                source_kind="eval")
            doc = Document(id=stable_id(claim.id, position, doc.id), text=doc.text, url=doc.url, outlet=doc.outlet,
                           published_at=doc.published_at, source_kind=doc.source_kind, content_hash=doc.content_hash)
            documents[doc.id] = doc
            passages.append(Passage(id=stable_id(doc.id, "p0"), document_id=doc.id, position=0, text=item.text,
                                    start=0, end=len(item.text)))
        passage_vectors = (np.stack([vectors[p.text] for p in passages]) if passages
                           else np.zeros((0, embedder.dimension), dtype=np.float32))
        claim_vec = vectors[claim.text][None, :]
        focus_vec = (vectors[focus_str] if focus_str else vectors[claim.text])[None, :]
        verdicts.extend(judge_claims([claim], claim_vec, PassageSet(passages, passage_vectors, documents),
                                     settings, stance=stance.predict, focus_vectors=focus_vec))
    return verdicts
