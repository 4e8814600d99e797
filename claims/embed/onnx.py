"""The embedder without torch: the same model exported once to ONNX, run by ONNX Runtime.

Plain onnxruntime + tokenizers, with the sentence-transformers pipeline redone by hand
(mean pooling over the attention mask, then L2 normalisation), as the model's own
``1_Pooling`` config asks. ``sentence-transformers[onnx]`` would do the export too, but
it pulls optimum, which downgrades sentence-transformers; this module avoids that.

Two precisions. ``int8`` (``embedding_backend = "onnx"``): the quantised export, 1.5x the
torch encode, cosine 0.99 to torch. ``fp32`` (``"onnx-fp32"``, and what ``"auto"``, the
default, picks for the packaged model): the float32 graph, whose vectors are torch's own
(max abs difference below 1e-6), so every figure measured with torch holds; for the
packaged model it ships as a weightless graph (:func:`weightless_graph`, 0.8 MB), its
weights read at load from the model package's own ``model.safetensors`` (memory-mapped, no
torch), so the package carries no second copy of the 90 MB of weights.

The packaged default model ships exported, in ``claims/embed/data/`` (made by ``make
export-embedder``, :mod:`scripts.export_embedder`): with no ``onnx_dir`` set it is loaded from
there, and neither torch nor the export is needed. Any other model (or an ``onnx_dir`` given)
is exported once into that cache folder (``Settings.onnx_dir``, default
``~/.cache/claims/onnx``): ``torch.onnx.export`` of the transformer (the torch.export-based
exporter, through onnxscript), then
``onnxruntime.quantization.quantize_dynamic`` to int8 weights (per channel: cosine to
the float32 vectors 0.993 on average, against 0.962 per tensor). Later loads only read the
quantised file. Vectors differ slightly from the torch model's (cosine ~0.99 between the
two), so the embedding cache keys them separately (``<model>#onnx``); the ranking
agreement is measured in ``benchmarks/embed_bench.py``. Dynamic quantisation scales
activations per batch, so a text's vector also moves a little (cosine > 0.99) with the
texts batched beside it; the embedding cache keeps the first vector computed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from claims.embed.base import PACKAGED_MODEL_NAME, model_name, resolve_model_path
from claims.errors import ConfigError

__all__ = ["PACKAGED_GRAPH", "PACKAGED_ONNX", "OnnxEmbedder", "default_onnx_dir", "export_onnx", "packaged_graph",
           "packaged_onnx", "padded_feed", "read_safetensors", "weightless_graph"]

log = logging.getLogger(__name__)

_EXPORT_LOCK = threading.Lock()

# The packaged default model's int8 export, shipped in the package (`make export-embedder`)
PACKAGED_ONNX = Path(__file__).resolve().parent / "data" / "all-MiniLM-L6-v2" / "model.int8.onnx"


# ... and its float32 graph without weights, with where each weight is in the model package
PACKAGED_GRAPH = PACKAGED_ONNX.with_name("model.fp32.graph.onnx")
PACKAGED_WEIGHTS = PACKAGED_ONNX.with_name("weights.json")
PRECISIONS = ("int8", "fp32")

_SAFETENSORS_DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "F16": np.float16}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a ``.safetensors`` file as read-only numpy arrays over a memory map
    (the format: an 8-byte header length, a JSON header of dtype, shape and byte offsets,
    then the raw little-endian data); no torch or safetensors package needed."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    size = int(np.frombuffer(raw[:8].tobytes(), dtype="<u8")[0])
    header = json.loads(raw[8:8 + size].tobytes())
    start = 8 + size
    out: dict[str, np.ndarray] = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        if info["dtype"] not in _SAFETENSORS_DTYPES:
            raise ConfigError(f"{path}: tensor {key} has dtype {info['dtype']}, which the ONNX backend does not read")
        lo, hi = info["data_offsets"]
        out[key] = raw[start + lo:start + hi].view(_SAFETENSORS_DTYPES[info["dtype"]]).reshape(info["shape"])
    return out


def weightless_graph(fp32_model: Path, safetensors: Path, graph_out: Path, weights_out: Path) -> int:
    """Write ``fp32_model`` without the weights it shares with ``safetensors``: each
    initializer equal to one of its tensors (or to one's transpose: the exporter folds the
    linear layers' transposes) is declared external, and ``weights_out`` records which
    tensor fills it and whether transposed. Returns how many initializers were left out."""
    import onnx  # lazy: only the export needs the onnx package
    from onnx import TensorProto, numpy_helper

    model = onnx.load(str(fp32_model))
    tensors = read_safetensors(safetensors)
    by_shape: dict[tuple[tuple[int, ...], str], list[str]] = {}
    for key, tensor in tensors.items():
        by_shape.setdefault((tensor.shape, tensor.dtype.str), []).append(key)
    weights: dict[str, list[object]] = {}
    for init in model.graph.initializer:
        array = numpy_helper.to_array(init)
        if array.size < 2:
            continue
        for transposed, candidate in ((False, array), (True, array.T)):
            if transposed and array.ndim != 2:
                continue
            found = next((k for k in by_shape.get((candidate.shape, candidate.dtype.str), [])
                          if np.array_equal(tensors[k], candidate)), None)
            if found is not None:
                weights[init.name] = [found, transposed]
                break
        if init.name in weights:
            for field in ("raw_data", "float_data", "int64_data", "int32_data", "double_data"):
                init.ClearField(field)
            init.data_location = TensorProto.EXTERNAL
            del init.external_data[:]
            for k, v in (("location", safetensors.name), ("offset", "0"), ("length", "0")):
                entry = init.external_data.add()
                entry.key, entry.value = k, v
    for node in model.graph.node:  # the exporter's notes (source lines, stack traces): no computation
        node.doc_string = ""
        del node.metadata_props[:]
    onnx.save(model, str(graph_out))
    weights_out.write_text(json.dumps(weights, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return len(weights)


def _graph_session(graph: Path, weights_file: Path, safetensors: Path, options: Any) -> tuple[Any, list[Any]]:
    """An ONNX Runtime session of the weightless ``graph``, its weights given from
    ``safetensors`` as ``weights_file`` says; with the arrays, which must outlive it."""
    import onnxruntime as ort  # lazy: only this backend needs ONNX Runtime

    weights = json.loads(weights_file.read_text(encoding="utf-8"))
    tensors = read_safetensors(safetensors)
    names, values, arrays = [], [], []
    for name, (key, transposed) in sorted(weights.items()):
        if key not in tensors:
            raise ConfigError(f"the packaged embedder graph needs tensor {key}, which {safetensors} lacks: the model "
                              "package changed; run make export-embedder, or set embedding_backend = 'torch'")
        array = np.ascontiguousarray(tensors[key].T if transposed else tensors[key])
        arrays.append(array)
        names.append(name)
        values.append(ort.OrtValue.ortvalue_from_numpy(array))
    options.add_external_initializers(names, values)
    from onnxruntime.capi import onnxruntime_pybind11_state as ort_errors  # lazy: as above

    failures = (ort_errors.Fail, ort_errors.InvalidGraph, ort_errors.InvalidArgument, ort_errors.NoSuchFile,
                ort_errors.InvalidProtobuf, ort_errors.RuntimeException)
    try:
        session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    except failures as exc:  # onnxruntime's own exception types (none shares a base but Exception)
        raise ConfigError(f"the packaged embedder graph does not load with the installed model package "
                          f"({str(exc).splitlines()[0][:200]}): run make export-embedder, or set "
                          "embedding_backend = 'torch'") from None
    return session, [*arrays, *values]


def packaged_graph(name: str) -> Path | None:
    """The weightless float32 graph shipped for ``name`` (the packaged default model's),
    or None."""
    if model_name(name) == PACKAGED_MODEL_NAME and PACKAGED_GRAPH.is_file() and PACKAGED_WEIGHTS.is_file():
        return PACKAGED_GRAPH
    return None


def default_onnx_dir() -> Path:
    """The per-user cache folder for exported models."""
    return Path.home() / ".cache" / "claims" / "onnx"


def packaged_onnx(name: str) -> Path | None:
    """The int8 export shipped in the package for ``name``: the packaged default model's
    (:data:`PACKAGED_ONNX`) when it is there; None for any other model."""
    return PACKAGED_ONNX if model_name(name) == PACKAGED_MODEL_NAME and PACKAGED_ONNX.is_file() else None


def _model_folder(name: str) -> Path:
    path = Path(resolve_model_path(name))
    if not (path / "config.json").is_file() or not (path / "tokenizer.json").is_file():
        raise ConfigError(
            f"the ONNX backend needs a local sentence-transformers folder with config.json and "
            f"tokenizer.json; {name!r} is not one: use embedding_backend = 'torch' or give a folder"
        )
    return path


def export_onnx(name: str, out_dir: Path) -> Path:
    """Export ``name`` to ``out_dir/model.onnx`` and quantise it to ``model.int8.onnx``
    (skipped when the quantised file exists). Returns the quantised file."""
    out_dir = Path(out_dir)
    target = out_dir / "model.int8.onnx"
    if target.is_file():
        return target
    with _EXPORT_LOCK:
        if target.is_file():
            return target
        try:  # lazy: the export runs once per model
            from onnxruntime.quantization import QuantType, quantize_dynamic
        except ImportError as exc:
            raise ConfigError("the ONNX backend needs the onnx package to quantise: pip install onnx") from exc
        # lazy: torch and transformers (4 s to import) only for the one-off export
        import torch
        from transformers import AutoModel

        folder = _model_folder(name)
        out_dir.mkdir(parents=True, exist_ok=True)
        log.info("exporting %s to ONNX in %s (once)", name, out_dir)
        class _Transformer(torch.nn.Module):
            """Keyword-only call of the transformer (its positional order changes between versions)."""

            def __init__(self, inner: torch.nn.Module) -> None:
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state

        model = _Transformer(AutoModel.from_pretrained(str(folder)))
        model.eval()
        sample = {
            "input_ids": torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]], dtype=torch.long),
            "attention_mask": torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.long),
            "token_type_ids": torch.zeros((2, 4), dtype=torch.long),
        }
        names = list(sample)
        dynamic = torch.export.Dim.DYNAMIC
        fp32 = out_dir / f"model.{os.getpid()}.onnx"
        # torch's supported exporter (torch.export + onnxscript); the TorchScript one is deprecated
        with torch.no_grad(), warnings.catch_warnings():
            # raised inside torch's own pytree code during torch.export, not by this call
            warnings.filterwarnings("ignore", message=r"`isinstance\(treespec, LeafSpec\)` is deprecated",
                                    category=FutureWarning)
            program = torch.onnx.export(
                model, tuple(sample.values()), input_names=names, output_names=["last_hidden_state"],
                dynamic_shapes=tuple({0: dynamic, 1: dynamic} for _ in names), opset_version=18,
                dynamo=True, verbose=False)
        if program is None:  # dynamo=True always returns the program; None only with the legacy exporter
            raise ConfigError("torch.onnx.export returned no ONNX program: torch's exporter changed")
        program.save(str(fp32))
        tmp = out_dir / f"model.int8.{os.getpid()}.onnx"
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(fp32, out_dir / "model.onnx")
        os.replace(tmp, target)
        (out_dir / "source.json").write_text(json.dumps({"model": name, "folder": str(folder)}), encoding="utf-8")
        return target


def padded_feed(batch: Sequence) -> dict[str, np.ndarray]:
    """ONNX inputs (ids, attention mask, token types) for a batch of tokenizers
    encodings, zero-padded to the longest one."""
    width = max(len(e.ids) for e in batch)
    ids = np.zeros((len(batch), width), dtype=np.int64)
    mask = np.zeros((len(batch), width), dtype=np.int64)
    types = np.zeros((len(batch), width), dtype=np.int64)
    for row, enc in enumerate(batch):
        n = len(enc.ids)
        ids[row, :n] = enc.ids
        mask[row, :n] = 1
        types[row, :n] = enc.type_ids
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


class OnnxEmbedder:
    """ONNX Runtime embedder (int8 or float32) with the :class:`~claims.embed.base.Embedder`
    interface."""

    def __init__(self, name: str, batch_size: int = 64, cache_dir: Path | None = None,
                 threads: int | None = None, precision: str = "int8") -> None:
        if precision not in PRECISIONS:
            raise ConfigError(f"unknown ONNX precision {precision!r}: use 'int8' or 'fp32'")
        try:  # lazy: onnxruntime and tokenizers only when this backend is chosen
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - declared dependencies
            raise ConfigError("the ONNX backend needs onnxruntime and tokenizers: pip install onnxruntime "
                              "tokenizers") from exc
        folder = _model_folder(name)
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.backend = "onnx" if precision == "int8" else "onnx-fp32"
        self._keep: list[Any] = []  # arrays under the session's weights, alive as long as it
        graph = packaged_graph(name) if cache_dir is None and precision == "fp32" else None
        if graph is not None:  # the shipped graph, weights from the model package
            self._session, self._keep = _graph_session(graph, PACKAGED_WEIGHTS, folder / "model.safetensors", options)
        else:
            # the shipped export when no folder of exports is given, else the folder's (exported once)
            model_file = (packaged_onnx(name) if cache_dir is None and precision == "int8" else None) or \
                export_onnx(name, Path(cache_dir or default_onnx_dir()) / slug)
            if precision == "fp32":
                model_file = model_file.with_name("model.onnx")
                if not model_file.is_file():
                    raise ConfigError(f"{model_file.parent} holds no float32 export (model.onnx): delete the folder "
                                      "to export the model again")
            self._session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        max_length = 256
        st_config = folder / "sentence_bert_config.json"
        if st_config.is_file():
            max_length = int(json.loads(st_config.read_text(encoding="utf-8")).get("max_seq_length", 256))
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=max_length)
        self._tokenizer.no_padding()
        hidden = json.loads((folder / "config.json").read_text(encoding="utf-8")).get("hidden_size", 384)
        self.name = model_name(name)
        self.dimension = int(hidden)
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        """L2-normalised float32 rows, one per text (batches of similar length, as
        sentence-transformers does, to keep padding small)."""
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        size = batch_size or self.batch_size
        encodings = self._tokenizer.encode_batch(list(texts))
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        with self._lock:
            for start in range(0, len(order), size):
                feed = padded_feed([encodings[i] for i in order[start:start + size]])
                mask = feed["attention_mask"]
                hidden = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
                weights = mask[:, :, None].astype(np.float32)
                pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
                pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
                out[order[start:start + size]] = pooled
        return out
