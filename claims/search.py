"""Whole-store retrieval on request: the statements that best match a text, across every
document the database holds.

Three steps, each for a reason seen on the seed corpus:

1. *Candidates*: the passages nearest the query by embedding, through the vector index kept
   beside the database (milliseconds at a million passages). The query's vector goes
   through the embedding cache like every other text, so a text searched before (and
   every candidate sentence, embedded by an earlier search or check) needs no model: a
   repeated search never loads it (:class:`~claims.embed.loader.LazyEmbedder`).
2. *Ranking by sentence, hybrid*: a passage is a window of sentences, and a window that
   states the query's figure in one sentence and something else in the next reads, to an
   embedding, like neither. So the candidates are cut into sentences (a story's dateline,
   "WASHINGTON, Oct. 31, 2024 (Example Wire) - ", left out) and ranked by the
   pipeline's hybrid ranking (:func:`claims.score.retrieve.rank_passages`: reciprocal
   rank fusion of cosine similarity and BM25), and a sentence that states every figure of the
   query ("8,000") ranks above one that does not: "about 8,000 North Korean soldiers are
   in Russia's Kursk region" before "10,000 to 12,000 ... in Kursk", which an embedding
   finds closer. Both are one number, the hit's ``score`` (:func:`ranking_scores`), and the
   hits are in its order: the score shown is the score ranked by.
3. *Reprints collapsed*: a wire story reprinted by several outlets, or a sentence repeated
   by overlapping windows, is one hit that lists its outlets (the same rule that counts a
   reprint once in a verdict: equal text, case and punctuation aside).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from claims.embed import Embedder, embed_cached
from claims.embed.index import VectorIndex, index_folder
from claims.errors import InputError
from claims.extract.sentences import split_sentences
from claims.score.retrieve import bm25_scores
from claims.store import Store
from claims.store.records import PassageSource

__all__ = ["SearchHit", "ranking_scores", "search_store"]

CANDIDATE_PASSAGES = 100  # per query at least; 10 x k when more hits are asked for
RRF_K = 10  # the rank fusion constant: rank_passages' default, the pipeline's rrf_k


@dataclass(frozen=True)
class SearchHit:
    """One statement found for ``query``: the sentence that matched (``text``), the passage it
    was read in, its first source, and every outlet that carried the same text."""

    query: str
    rank: int
    score: float  # the ranking score (ranking_scores): hits are in its order, highest first
    passage_id: str
    text: str
    passage: str
    outlet: str | None
    url: str | None
    published_at: datetime | None
    outlets: tuple[str, ...]


def _index(store: Store, model: str) -> VectorIndex:
    folder = index_folder(store, model)
    if (folder / "meta.json").is_file():
        index = VectorIndex.open(folder)
        index.update(store)  # passages stored since the last search
        return index
    return VectorIndex.build(store, model, folder=folder)


_FIGURE = re.compile(r"\d(?:[\d,]*\d)?(?:\.\d+)?")


def _figures(text: str) -> set[str]:
    """The figures written in ``text``, thousands separators dropped: "8,000" -> "8000"."""
    return {f.replace(",", "") for f in _FIGURE.findall(text)}


def _lexical(text: str) -> str:
    """Text for the BM25 half: "8,000" as one word, "8000", so that it matches 8,000 only
    (the tokenizer would otherwise read "000", as in 10,000)."""
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)


# "WASHINGTON, Oct. 31, 2024 (Example Wire) - ", "KYIV, Tuesday, Nov. 5, 2024 - ": where and
# when a story was filed, not part of its first sentence's statement
_DATELINE = re.compile(r"^[A-Z][A-Za-z .'\u2019-]{1,40},[^\n]{0,50}?\b\d{4}\b(?:\s*\([^)\n]{1,60}\))?"
                       r"\s+[-\u2013\u2014]{1,2}\s+")


def _statement(sentence: str) -> str:
    """The sentence as it is ranked: without a leading dateline."""
    return _DATELINE.sub("", sentence, count=1)


def _positions(scores: np.ndarray) -> np.ndarray:
    """The 0-based position of each score in descending order (ties: the earlier first)."""
    order = np.argsort(-scores, kind="stable")
    positions = np.empty_like(order)
    positions[order] = np.arange(len(scores))
    return positions


def ranking_scores(query: str, query_vector: np.ndarray, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
    """The score each of ``texts`` (the candidate sentences, datelines left out) is ranked by
    for ``query``, one number per text, higher first.

    Up to 1, the reciprocal rank fusion of the cosine ranking and the BM25 ranking among the
    candidates (:func:`claims.score.retrieve.rank_passages`' formula), scaled so that 1 is
    first by both: ``(1/(k + 1 + dense position) + 1/(k + 1 + BM25 position)) * (k + 1) / 2``
    with ``k`` = :data:`RRF_K`, positions from 0, and no BM25 term for a text sharing no
    word with the query (0.5: first by embedding, no word in common). Plus 1 when the query
    writes figures and the text states every one of them ("8,000" or "8000"), so that such
    a sentence ranks above every sentence that does not."""
    if len(texts) == 0:
        return np.zeros(0, dtype=np.float64)
    dense = np.asarray(vectors, dtype=np.float32) @ np.asarray(query_vector, dtype=np.float32)
    lexical = bm25_scores([_lexical(query)], [_lexical(t) for t in texts])[0]
    fused = 1.0 / (RRF_K + 1 + _positions(dense))
    fused += np.where(lexical > 0, 1.0 / (RRF_K + 1 + _positions(lexical)), 0.0)
    scores = fused * (RRF_K + 1) / 2
    wanted = _figures(query)
    if wanted:
        scores += np.array([1.0 if wanted <= _figures(t) else 0.0 for t in texts])
    return scores


def _reprint_key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _statements(passage_ids: Sequence[str], sources: dict[str, PassageSource]) -> list[tuple[str, str]]:
    """(passage id, sentence) for every sentence of the candidate passages, in order."""
    return [(pid, sentence.text) for pid in passage_ids if pid in sources
            for sentence in split_sentences(sources[pid].text)]


def _first_published(items: list[tuple[str, PassageSource]]) -> tuple[str, PassageSource]:
    return min(items, key=lambda item: (item[1].published_at or datetime.max, item[1].outlet or "", item[0]))


def search_store(store: Store, embedder: Embedder, queries: Sequence[str], k: int = 10) -> list[SearchHit]:
    """Up to ``k`` statements per query text, best first, reprints collapsed (see the module).
    The candidates asked of the index are at most the passages it holds, so an absurd ``k``
    costs what the store holds, not what ``k`` says."""
    if k < 1:
        raise InputError(f"-k {k}: ask for at least 1 hit per text")
    index = _index(store, embedder.name)
    candidates = min(max(CANDIDATE_PASSAGES, 10 * k), len(index))
    if candidates == 0:
        return []
    # through the cache: a text searched before needs no model (nor does a rerun)
    query_vectors = embed_cached(list(queries), embedder, store)
    ids, _ = index.search(query_vectors, candidates)
    sources = store.passage_sources([pid for row in ids for pid in row if pid])
    hits: list[SearchHit] = []
    for q, query in enumerate(queries):
        statements = _statements([pid for pid in ids[q] if pid], sources)
        if not statements:
            continue
        texts = [text for _, text in statements]
        ranked_texts = [_statement(t) for t in texts]
        scores = ranking_scores(query, query_vectors[q], ranked_texts, embed_cached(ranked_texts, embedder, store))
        # every carrier of a statement, in rank order of the statement's first appearance
        carriers: dict[str, list[tuple[str, PassageSource]]] = {}
        best: dict[str, int] = {}  # a statement's first (so best-scored) sentence
        for i in np.argsort(-scores, kind="stable").tolist():
            key = _reprint_key(texts[i])
            carriers.setdefault(key, []).append((statements[i][0], sources[statements[i][0]]))
            best.setdefault(key, i)
        for rank, (key, i) in enumerate(list(best.items())[:k], start=1):
            pid, first = _first_published(carriers[key])
            outlets = tuple(dict.fromkeys(s.outlet or s.url or "" for _, s in
                                          sorted(carriers[key], key=lambda c: c[1].published_at or datetime.max)))
            hits.append(SearchHit(query, rank, round(float(scores[i]), 6), pid, texts[i], first.text,
                                  first.outlet, first.url, first.published_at, tuple(o for o in outlets if o)))
    return hits
