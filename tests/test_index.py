"""Whole-store vector index: exact below a size, IVF with exact re-ranking above it."""

from __future__ import annotations

import numpy as np
import pytest

from claims.embed.index import VectorIndex, brute_force_top_k, index_folder
from claims.errors import StoreError
from claims.models import Document, Passage, content_hash
from claims.store import Store


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def clustered(n: int, d: int = 384, topics: int = 200, seed: int = 0) -> np.ndarray:
    """Vectors around topic centres (the same centres for every seed), like sentence
    embeddings of texts on a few hundred subjects."""
    centres = _unit(np.random.default_rng(1234).standard_normal((topics, d)))
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((n, d)).astype(np.float32) / np.sqrt(d)
    return _unit(centres[rng.integers(topics, size=n)] + noise)


def _store_with_passages(path, vectors: np.ndarray, model: str = "m", start: int = 0) -> tuple[Store, list[str]]:
    store = Store(path)
    store.migrate()
    doc = Document.make("a source document", url="https://example.org/a")
    store.upsert_documents([doc])
    passages = [Passage(id=f"p{start + i:06d}", document_id=doc.id, position=start + i, text=f"passage {start + i}")
                for i in range(len(vectors))]
    store.upsert_passages(passages, vectors, model)
    return store, [p.id for p in passages]


def test_build_search_update_and_reopen(tmp_path):
    vectors = clustered(500)
    store, ids = _store_with_passages(tmp_path / "s.duckdb", vectors)
    index = VectorIndex.build(store, "m")
    assert len(index) == 500
    assert index.folder == index_folder(store, "m") and index.folder.is_dir()
    found, scores = index.search(vectors[[7, 123]], k=3)
    assert found[:, 0].tolist() == [ids[7], ids[123]]
    assert np.allclose(scores[:, 0], 1.0, atol=1e-5)
    assert (np.diff(scores, axis=1) <= 1e-6).all()  # best first

    # A passage written without its own vector but with a cached one is indexed too.
    extra = clustered(1, seed=5)
    with store.transaction() as con:
        con.execute("INSERT INTO passages (id, document_id, position, text) VALUES ('q1', 'd', 0, 'cached text')")
    store.write_vectors("m", [content_hash("cached text")], extra)
    more = clustered(50, seed=9)
    _store_with_passages(tmp_path / "s.duckdb", more, start=500)
    assert index.update(store) == 51
    assert index.update(store) == 0
    found, _ = index.search(np.vstack([extra, more[3]]), k=1)
    assert found[:, 0].tolist() == ["q1", "p000503"]

    reopened = VectorIndex.open(index.folder)
    assert len(reopened) == 551
    again, again_scores = reopened.search(vectors[:20], k=10)
    first, first_scores = index.search(vectors[:20], k=10)
    assert (again == first).all() and np.array_equal(again_scores, first_scores)


def test_fewer_rows_than_k_pads_and_other_models_are_ignored(tmp_path):
    store, ids = _store_with_passages(tmp_path / "s.duckdb", clustered(3))
    with pytest.raises(StoreError, match="no passage vectors for model 'other'"):
        VectorIndex.build(store, "other")
    index = VectorIndex.build(store, "m")
    found, scores = index.search(clustered(1, seed=3), k=5)
    assert sorted(found[0, :3].tolist()) == ids and found[0, 3:].tolist() == ["", ""]
    assert np.isneginf(scores[0, 3:]).all()


def test_approximate_search_matches_brute_force(tmp_path):
    vectors = clustered(20_000, topics=300)
    queries = clustered(100, topics=300, seed=1)  # new texts on the same subjects
    index = VectorIndex.create(tmp_path / "idx", model="m", dimension=384, ann_min_rows=5_000, nprobe=16)
    ids = [f"r{i}" for i in range(len(vectors))]
    assert index.add(ids[:12_000], vectors[:12_000]) == 12_000
    assert index.add(ids[10_000:], vectors[10_000:]) == 8_000  # overlap skipped by id
    assert len(index) == 20_000 and (index.folder / "ivf.faiss").is_file()
    found, scores = index.search(queries, k=10)
    exact_rows, _exact_scores = brute_force_top_k(queries, vectors, 10)
    exact = [[ids[r] for r in row] for row in exact_rows]
    recall = np.mean([len(set(f) & set(e)) / 10 for f, e in zip(found.tolist(), exact)])
    assert recall >= 0.95
    # Scores are exact cosines of the returned rows, not quantised estimates.
    row_of = {pid: i for i, pid in enumerate(ids)}
    assert np.allclose(scores[0], vectors[[row_of[p] for p in found[0]]] @ queries[0], atol=1e-6)


def test_interrupted_append_is_dropped_on_open(tmp_path):
    index = VectorIndex.create(tmp_path / "idx", model="m", dimension=384)
    index.add(["a", "b"], clustered(2))
    with (index.folder / "vectors.f32").open("ab") as handle:
        handle.write(b"\0" * 100)
    with (index.folder / "ids.txt").open("a") as handle:
        handle.write("half-written\n")
    reopened = VectorIndex.open(index.folder)
    assert len(reopened) == 2
    assert reopened.add(["c"], clustered(1, seed=4)) == 1
    found, _ = VectorIndex.open(index.folder).search(clustered(1, seed=4), k=1)
    assert found[0, 0] == "c"


def test_missing_index_says_what_to_do(tmp_path):
    with pytest.raises(StoreError, match="build it"):
        VectorIndex.open(tmp_path / "nothing")
