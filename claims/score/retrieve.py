"""Ranking passages for claims by cosine similarity of normalised embeddings."""

from __future__ import annotations

import numpy as np

__all__ = ["top_k"]


def top_k(claim_vectors: np.ndarray, passage_vectors: np.ndarray, k: int,
          min_similarity: float = -1.0, focus_vectors: np.ndarray | None = None) -> list[list[tuple[int, float]]]:
    """For each claim, the indices and similarities of its ``k`` best passages, best first,
    keeping only those at or above ``min_similarity``. Vectors must be L2-normalised.

    ``focus_vectors`` (one row per claim) embed the part of a claim that carries its number
    ("8,000 North Korean soldiers near Ukraine's border"); a passage's similarity is the
    larger of its similarity to the whole claim and to that focus, so that a long sentence
    mixing two statements still finds the evidence for each.
    """
    if len(claim_vectors) == 0:
        return []
    if len(passage_vectors) == 0:
        return [[] for _ in range(len(claim_vectors))]
    sims = claim_vectors @ passage_vectors.T
    if focus_vectors is not None:
        sims = np.maximum(sims, focus_vectors @ passage_vectors.T)
    k = min(k, sims.shape[1])
    part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    out: list[list[tuple[int, float]]] = []
    for row, idx in enumerate(part):
        order = idx[np.argsort(-sims[row, idx], kind="stable")]
        out.append([(int(i), float(sims[row, i])) for i in order if sims[row, i] >= min_similarity])
    return out
