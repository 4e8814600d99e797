"""Claim matching: the same claim in different articles gets one cluster id.

A cluster is a claim as a fact-checker tracks it across outlets ("North Korea has sent
troops to Russia"); its members keep their own ids and their own figures, so "8,000
troops" and "10,000 troops" about the same deployment are variants in one cluster, not
one merged claim. Two claims are linked when

* their embeddings are very similar (cosine >= ``similar``) and their quantities do not
  count different things, or
* they are related (cosine >= ``related``), share a named entity (compared in canonical
  form, so "Pyongyang" and "North Korean" agree), and count the same thing
  (:func:`~claims.extract.quantities.same_counted_thing`), or
* they are related, have no conflicting quantities, and share most of their entities
  (Jaccard >= 0.5 with at least two in common).

Each claim joins the cluster of its best-linked predecessor (stored claims first, then
the earlier claims of the same call), else starts a cluster whose id derives from its own
claim id, so reruns give the same ids.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from claims.extract.quantities import same_counted_thing
from claims.extract.structure import canonical_entity, find_entities
from claims.models import Claim, Quantity, stable_id

__all__ = ["RELATED", "SIMILAR", "KnownClaim", "assign_clusters", "cluster_id_for"]

log = logging.getLogger(__name__)

SIMILAR = 0.80
"""Cosine at which two claims are the same claim on wording alone."""
RELATED = 0.50
"""Cosine from which two claims may be the same claim if entities and counted thing agree."""


@dataclass(frozen=True)
class KnownClaim:
    """A claim already stored, as matching needs it."""

    id: str
    cluster_id: str
    text: str
    embedding: np.ndarray
    entities: tuple[str, ...] = ()
    quantity: Quantity | None = None


@dataclass(frozen=True)
class _Item:
    id: str
    cluster_id: str | None
    vector: np.ndarray
    entities: frozenset[str]
    quantity: Quantity | None


def cluster_id_for(claim_id: str) -> str:
    """The id of a cluster started by ``claim_id``."""
    return stable_id("cluster", claim_id)


def _canonical(entities: Sequence[str], text: str) -> frozenset[str]:
    names = entities or find_entities(text)
    return frozenset(canonical_entity(n).lower() for n in names)


def _link_score(a: _Item, b: _Item, sim: float, similar: float, related: float) -> float | None:
    """How strongly a and b are one claim (higher is better), or None when they are not."""
    both_counted = a.quantity is not None and b.quantity is not None
    conflict = (a.quantity is not None and b.quantity is not None
                and not same_counted_thing(a.quantity, b.quantity))
    if conflict:
        return None
    if sim >= similar:
        return sim + 1.0
    if sim < related:
        return None
    if (a.quantity is None) != (b.quantity is None):
        return None  # a figure and a statement without one are different claims unless near-identical
    shared = a.entities & b.entities
    if both_counted and shared:
        return sim + 0.5
    union = a.entities | b.entities
    if len(shared) >= 2 and union and len(shared) / len(union) >= 0.5:
        return sim
    return None


def assign_clusters(claims: list[Claim], embeddings: np.ndarray, known: Sequence[KnownClaim] = (), *,
                    similar: float = SIMILAR, related: float = RELATED) -> list[str]:
    """A cluster id for each claim (row i of ``embeddings`` is claim i's, L2-normalised)."""
    vectors = np.asarray(embeddings, dtype=np.float32)
    if len(claims) != len(vectors):
        raise ValueError(f"{len(claims)} claims but {len(vectors)} embeddings")
    pool: list[_Item] = [
        _Item(k.id, k.cluster_id, np.asarray(k.embedding, dtype=np.float32), _canonical(k.entities, k.text),
              k.quantity)
        for k in known
    ]
    out: list[str] = []
    document_of: dict[str, str] = {}  # sentences of one article state different things
    for claim, vector in zip(claims, vectors, strict=True):
        item = _Item(claim.id, None, vector, _canonical(claim.entities, claim.text), claim.quantity)
        best: tuple[float, str] | None = None
        if pool:
            sims = np.stack([p.vector for p in pool]) @ vector
            for other, sim in zip(pool, sims):
                assert other.cluster_id is not None  # pooled items all have their cluster
                if other.id == claim.id:  # the same claim seen again keeps its cluster
                    best = (float("inf"), other.cluster_id)
                    break
                if document_of.get(other.id) == claim.document_id and sim < similar:
                    continue
                score = _link_score(item, other, float(sim), similar, related)
                if score is not None and (best is None or score > best[0]):
                    best = (score, other.cluster_id)
        cluster = best[1] if best is not None else cluster_id_for(claim.id)
        out.append(cluster)
        pool.append(_Item(item.id, cluster, item.vector, item.entities, item.quantity))
        document_of[item.id] = claim.document_id
    return out
