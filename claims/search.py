"""Whole-store retrieval on request: the passages most similar to a text, across every
document the database holds, through the vector index kept beside the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from claims.embed import Embedder
from claims.embed.index import VectorIndex, index_folder
from claims.store import Store

__all__ = ["SearchHit", "search_store"]


@dataclass(frozen=True)
class SearchHit:
    query: str
    rank: int
    score: float
    passage_id: str
    text: str
    outlet: str | None
    url: str | None
    published_at: datetime | None


def _index(store: Store, model: str) -> VectorIndex:
    folder = index_folder(store, model)
    if (folder / "meta.json").is_file():
        index = VectorIndex.open(folder)
        index.update(store)  # passages stored since the last search
        return index
    return VectorIndex.build(store, model, folder=folder)


def search_store(store: Store, embedder: Embedder, queries: Sequence[str], k: int = 10) -> list[SearchHit]:
    """Top-``k`` stored passages for each query text, best first."""
    index = _index(store, embedder.name)
    ids, scores = index.search(embedder.encode(list(queries)), k)
    sources = store.passage_sources([pid for row in ids for pid in row if pid])
    hits = []
    for q, (row_ids, row_scores) in enumerate(zip(ids, scores)):
        for rank, (pid, score) in enumerate(zip(row_ids, row_scores), start=1):
            if pid and pid in sources:
                s = sources[pid]
                hits.append(SearchHit(queries[q], rank, float(score), pid, s.text, s.outlet, s.url, s.published_at))
    return hits
