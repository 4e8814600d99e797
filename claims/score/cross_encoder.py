"""The packaged stance cross-encoder: claim and passage read together, run with onnxruntime.

A MiniLM-L6 sequence classifier fine-tuned by ``scripts/train_cross_encoder.py`` on public
stance data (docs/models.md is its model card) and shipped inside the package as int8
ONNX with its tokenizer (``claims/score/data/cross_encoder/``, about 23 MB). It needs only
onnxruntime and tokenizers at run time: no torch, no hub, no download.

The input is ``[CLS] claim [SEP] passage [SEP]`` cut to 128 tokens (the passage is cut,
never the claim's start); the output is probabilities in the order
``(support, refute, neutral)``, softened by the temperature fitted on held-back pairs.
Pairs are batched by length, so padding stays small.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from claims.embed.onnx import padded_feed
from claims.errors import ConfigError, InputError

__all__ = ["OnnxCrossEncoder", "packaged_cross_encoder_dir"]

_MODEL_FILE = "model.int8.onnx"
_CLAIM_WORDS = 60  # a longer "claim" is cut so that the passage keeps room in 128 tokens


def packaged_cross_encoder_dir(name: str = "cross_encoder") -> Path:
    """The folder of a packaged cross-encoder (inside the installed package): ``cross_encoder``
    (the stance model), or another folder of ``claims/score/data/`` written by
    ``scripts/train_cross_encoder.py --out``."""
    return Path(str(resources.files("claims.score").joinpath("data").joinpath(name)))


class OnnxCrossEncoder:
    """An int8 ONNX stance cross-encoder folder (``model.int8.onnx``, ``tokenizer.json``,
    ``model.json``) with the :class:`~claims.score.stance.StancePredictor` interface."""

    def __init__(self, folder: str | Path | None = None, *, batch_size: int = 32, threads: int | None = None,
                 temperature: float | None = None) -> None:
        folder = Path(folder) if folder is not None else packaged_cross_encoder_dir()
        model_file = folder / _MODEL_FILE
        if not model_file.is_file() or not (folder / "tokenizer.json").is_file():
            raise ConfigError(f"stance cross-encoder folder {folder} lacks {_MODEL_FILE} or tokenizer.json: "
                              "run `make train-stance` or reinstall claims")
        try:  # lazy: only when stance is asked for
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - declared dependencies
            raise ConfigError("the stance cross-encoder needs onnxruntime and tokenizers: pip install "
                              "onnxruntime tokenizers") from exc
        meta_path = folder / "model.json"
        self.meta: dict = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        self.max_length = int(self.meta.get("max_length", 128))
        self.temperature = float(self.meta.get("temperature", 1.0) if temperature is None else temperature)
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=self.max_length, strategy="only_second")
        self.batch_size = batch_size
        digest = hashlib.sha256(model_file.read_bytes()).hexdigest()[:12]
        self.name = str(self.meta.get("name", f"cross-encoder:{folder.name}"))
        self.cache_key = f"{self.name}@{digest}"
        self._lock = threading.Lock()

    def _encode(self, claims: Sequence[str], passages: Sequence[str]) -> list:
        pairs = [(" ".join(c.split()[:_CLAIM_WORDS]), p) for c, p in zip(claims, passages)]
        return self._tokenizer.encode_batch(pairs)

    def logits(self, claims: Sequence[str], passages: Sequence[str]) -> np.ndarray:
        """Raw scores (n, 3) before the temperature and softmax."""
        if len(claims) != len(passages):
            raise InputError(f"stance needs aligned inputs: got {len(claims)} claims, {len(passages)} passages")
        out = np.zeros((len(claims), 3), dtype=np.float32)
        if not len(claims):
            return out
        encodings = self._encode(claims, passages)
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        with self._lock:
            for start in range(0, len(order), self.batch_size):
                rows = order[start:start + self.batch_size]
                feed = padded_feed([encodings[i] for i in rows])
                out[rows] = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        return out

    def predict(self, claims: Sequence[str], passages: Sequence[str], claim_emb: np.ndarray | None = None,
                passage_emb: np.ndarray | None = None) -> np.ndarray:
        """Probabilities (n, 3) in the order (support, refute, neutral); the embeddings are
        not needed (the signature is the stance models' one)."""
        z = self.logits(claims, passages) / self.temperature
        if not len(z):
            return z
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return (z / z.sum(axis=1, keepdims=True)).astype(np.float32)
