"""A faster embedder: the same model exported once to ONNX and quantised to int8.

Plain onnxruntime + tokenizers, with the sentence-transformers pipeline redone by hand
(mean pooling over the attention mask, then L2 normalisation), as the model's own
``1_Pooling`` config asks. ``sentence-transformers[onnx]`` would do the export too, but
it pulls optimum, which downgrades sentence-transformers; this module avoids that.

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

import numpy as np

from claims.embed.base import PACKAGED_MODEL_NAME, model_name, resolve_model_path
from claims.errors import ConfigError

__all__ = ["PACKAGED_ONNX", "OnnxEmbedder", "default_onnx_dir", "export_onnx", "packaged_onnx", "padded_feed"]

log = logging.getLogger(__name__)

_EXPORT_LOCK = threading.Lock()

# The packaged default model's int8 export, shipped in the package (`make export-embedder`)
PACKAGED_ONNX = Path(__file__).resolve().parent / "data" / "all-MiniLM-L6-v2" / "model.int8.onnx"


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
    """int8 ONNX Runtime embedder with the :class:`~claims.embed.base.Embedder` interface."""

    backend = "onnx"

    def __init__(self, name: str, batch_size: int = 64, cache_dir: Path | None = None,
                 threads: int | None = None) -> None:
        try:  # lazy: onnxruntime and tokenizers only when this backend is chosen
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - declared dependencies
            raise ConfigError("the ONNX backend needs onnxruntime and tokenizers: pip install onnxruntime "
                              "tokenizers") from exc
        folder = _model_folder(name)
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")
        # the shipped export when no folder of exports is given, else the folder's (exported once)
        model_file = (packaged_onnx(name) if cache_dir is None else None) or \
            export_onnx(name, Path(cache_dir or default_onnx_dir()) / slug)
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
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
