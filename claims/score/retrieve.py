"""Ranking passages for claims: cosine similarity of normalised embeddings, optionally
fused with BM25 lexical scores (hybrid retrieval).

Dense similarity finds paraphrases; it is weak on names, figures and rare words that a
lexical match catches ("Kursk", "Pyongyang", "ppm"). :func:`rank_passages` ranks by
reciprocal rank fusion (RRF) of the two rankings, which needs no score calibration between
them; the similarity reported with each passage stays the cosine (the relevance gate
``min_similarity`` and the vote weights use it).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from importlib import resources

import numpy as np

__all__ = ["bm25_scores", "rank_passages", "top_k"]

BM25_K1 = 1.2
BM25_B = 0.75
RESCUE_MARGIN = 0.15  # how far under the similarity gate a passage of the claim's own words may be


_WORD = re.compile(r"(?u)\b\w\w+\b")


@functools.lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """The words ranking leaves out (the Glasgow list scikit-learn ships), from the lexicon."""
    data = json.loads(resources.files("claims.score").joinpath("data").joinpath("lexicon.json")
                      .read_text(encoding="utf-8"))
    return frozenset(data["retrieval_stop_words"])


def _terms(text: str, stop: frozenset[str]) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in stop]


def bm25_scores(queries: Sequence[str], passages: Sequence[str]) -> np.ndarray:
    """Okapi BM25 score of every passage for every query, shape (queries, passages), with
    term statistics from ``passages`` (the candidate set being ranked). Words are lower-cased
    tokens of two or more characters, English stop words removed (scikit-learn's
    ``CountVectorizer`` tokens, done here in numpy: scikit-learn and scipy take 0.9 s to
    import, more than the ranking itself)."""
    scores = np.zeros((len(queries), len(passages)), dtype=np.float32)
    if not queries or not passages:
        return scores
    stop = _stop_words()
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for row, text in enumerate(passages):
        for term in _terms(text, stop):
            rows.append(row)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
    if not vocabulary:  # no passage has a single indexable word
        return scores
    n, width = len(passages), len(vocabulary)
    cells, counts = np.unique(np.asarray(rows, dtype=np.int64) * width + np.asarray(cols, dtype=np.int64),
                              return_counts=True)
    row_of, col_of = cells // width, cells % width
    tf = counts.astype(np.float32)
    df = np.bincount(col_of, minlength=width).astype(np.float32)
    idf = np.log1p((n - df + 0.5) / (df + 0.5))
    length = np.bincount(row_of, weights=tf, minlength=n).astype(np.float32)
    norm = BM25_K1 * (1 - BM25_B + BM25_B * length / max(float(length.mean()), 1e-9))
    weights = (tf * (BM25_K1 + 1) / (tf + norm[row_of]) * idf[col_of]).astype(np.float32)
    # postings: each term's cells, in order of the term (cells are sorted by row, then term)
    by_term = np.argsort(col_of, kind="stable")
    starts = np.searchsorted(col_of[by_term], np.arange(width + 1))
    for q, query in enumerate(queries):
        for column in {vocabulary[t] for t in _terms(query, stop) if t in vocabulary}:
            cells_of = by_term[starts[column]:starts[column + 1]]
            scores[q, row_of[cells_of]] += weights[cells_of]
    return scores


def _ranks(scores: np.ndarray) -> np.ndarray:
    """0-based rank of each column within its row (highest score first; ties by position)."""
    order = np.argsort(-scores, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(scores.shape[1]), scores.shape), axis=1)
    return ranks


def _select(order_scores: np.ndarray, sims: np.ndarray, k: int, min_similarity: float,
            keep: np.ndarray | None = None) -> list[list[tuple[int, float]]]:
    """The ``k`` best columns of each row by ``order_scores`` that pass the gate (``keep``,
    else a similarity of at least ``min_similarity``)."""
    if keep is None:
        keep = sims >= min_similarity
    order_scores = np.where(keep, order_scores, -np.inf)
    k = min(k, order_scores.shape[1])
    part = np.argpartition(-order_scores, k - 1, axis=1)[:, :k]
    out: list[list[tuple[int, float]]] = []
    for row, idx in enumerate(part):
        order = idx[np.argsort(-order_scores[row, idx], kind="stable")]
        out.append([(int(i), float(sims[row, i])) for i in order if keep[row, i]])
    return out


def _dense(claim_vectors: np.ndarray, passage_vectors: np.ndarray, focus_vectors: np.ndarray | None) -> np.ndarray:
    sims = claim_vectors @ passage_vectors.T
    if focus_vectors is not None:
        sims = np.maximum(sims, focus_vectors @ passage_vectors.T)
    return sims


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
    sims = _dense(claim_vectors, passage_vectors, focus_vectors)
    return _select(sims, sims, k, min_similarity)


def rank_passages(claim_texts: Sequence[str], claim_vectors: np.ndarray, passage_texts: Sequence[str],
                  passage_vectors: np.ndarray, k: int, min_similarity: float = -1.0,
                  focus_vectors: np.ndarray | None = None, method: str = "hybrid",
                  rrf_k: int = 10, lexical_rescue: int = 0,
                  rescue_margin: float = RESCUE_MARGIN) -> list[list[tuple[int, float]]]:
    """Like :func:`top_k`; with ``method="hybrid"`` the order is the reciprocal rank fusion
    of the dense ranking and the BM25 ranking, ``1/(rrf_k + rank_dense) + 1/(rrf_k +
    rank_bm25)`` (ranks from 1; a passage sharing no word with the claim gets no lexical
    term). ``method="dense"`` is :func:`top_k`.

    ``lexical_rescue``: a passage among a claim's that many best by BM25 passes the
    similarity gate down to ``rescue_margin`` below it. A news lead packs several facts
    into one long sentence ("approved a $1.38 billion budget ... by a 7-2 vote ... restoring
    Sunday hours at all six library branches"), and its vector is far from a claim about
    one of them; its words are not."""
    if method not in ("dense", "hybrid"):
        raise ValueError(f"unknown retrieval method {method!r}: use dense or hybrid")
    if method == "dense" or len(claim_vectors) == 0 or len(passage_vectors) == 0:
        return top_k(claim_vectors, passage_vectors, k, min_similarity, focus_vectors)
    sims = _dense(claim_vectors, passage_vectors, focus_vectors)
    floor = min_similarity - rescue_margin if lexical_rescue > 0 else min_similarity
    # Only passages that pass the (rescue) gate for some claim can be returned: the lexical
    # ranking is computed among those (fewer texts to tokenise, term statistics of the pool).
    pool = np.flatnonzero((sims >= floor).any(axis=0))
    if len(pool) == 0:
        return [[] for _ in range(len(claim_vectors))]
    sims_pool = sims[:, pool]
    lexical = bm25_scores(list(claim_texts), [passage_texts[i] for i in pool.tolist()])
    lexical_ranks = _ranks(lexical)
    fused = 1.0 / (rrf_k + 1 + _ranks(sims_pool))
    fused += np.where(lexical > 0, 1.0 / (rrf_k + 1 + lexical_ranks), 0.0)
    keep = sims_pool >= min_similarity
    if lexical_rescue > 0:
        keep |= (sims_pool >= floor) & (lexical > 0) & (lexical_ranks < lexical_rescue)
    return [[(int(pool[i]), sim) for i, sim in row] for row in _select(fused, sims_pool, k, min_similarity, keep)]
