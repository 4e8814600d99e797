"""The embedding cache: vectors computed once per (model, text), stored in DuckDB."""

from __future__ import annotations

import numpy as np
import pytest

from claims.embed import cache_key, embed_cached
from claims.models import content_hash
from claims.store import Store


class CountingEmbedder:
    """The real embedder, recording which texts it was asked to embed."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.calls: list[list[str]] = []

    def encode(self, texts, batch_size=None):
        self.calls.append(list(texts))
        return self.inner.encode(texts, batch_size=batch_size)


@pytest.fixture()
def store(tmp_path) -> Store:
    store = Store(tmp_path / "cache.duckdb")
    store.migrate()
    return store


def _rows(store: Store) -> int:
    with store.connect() as con:
        return con.execute("SELECT count(*) FROM embedding_cache").fetchall()[0][0]


def test_only_new_texts_are_embedded_and_vectors_match_the_model(store, embedder):
    counting = CountingEmbedder(embedder)
    first = ["North Korea sent 8,000 soldiers to Kursk.", "China stayed silent.", "China stayed silent."]
    out = embed_cached(first, counting, store)
    assert out.shape == (3, embedder.dimension) and out.dtype == np.float32
    assert counting.calls == [["North Korea sent 8,000 soldiers to Kursk.", "China stayed silent."]]
    assert np.allclose(out, embedder.encode(first), atol=1e-5)
    assert np.array_equal(out[1], out[2])
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    assert _rows(store) == 2

    second = ["Ukraine reported 11,000 troops.", "China stayed silent.", "North Korea sent 8,000 soldiers to Kursk."]
    again = embed_cached(second, counting, store)
    assert counting.calls[1:] == [["Ukraine reported 11,000 troops."]]
    assert np.array_equal(again[1], out[1]) and np.array_equal(again[2], out[0])
    assert _rows(store) == 3

    embed_cached(second, counting, store)  # everything cached: the model is not called
    assert len(counting.calls) == 2


def test_cache_is_per_model_and_writes_are_idempotent(store, embedder):
    vectors = np.eye(4, 384, dtype=np.float32)
    hashes = [content_hash(f"text {i}") for i in range(4)]
    assert store.write_vectors("model-a", hashes, vectors) == 4
    assert store.write_vectors("model-a", hashes, vectors * 2) == 0  # first copy kept
    assert store.write_vectors("model-b", hashes[:2], vectors[:2]) == 2
    got = store.cached_vectors("model-a", hashes + [content_hash("unknown")], 384)
    assert set(got) == set(hashes)
    assert np.array_equal(np.stack([got[h] for h in hashes]), vectors)
    assert set(store.cached_vectors("model-b", hashes, 384)) == set(hashes[:2])
    assert cache_key(embedder) == embedder.name


def test_thousands_of_rows_round_trip_exactly(store):
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((3000, 384)).astype(np.float32)
    hashes = [content_hash(f"passage {i}") for i in range(3000)]
    assert store.write_vectors("m", hashes, vectors) == 3000
    got = store.cached_vectors("m", hashes[::-1], 384)
    assert np.array_equal(np.stack([got[h] for h in hashes]), vectors)


def test_empty_input_needs_no_store(tmp_path, embedder):
    out = embed_cached([], embedder, Store(tmp_path / "never-created.duckdb"))
    assert out.shape == (0, embedder.dimension)
    assert not (tmp_path / "never-created.duckdb").exists()
