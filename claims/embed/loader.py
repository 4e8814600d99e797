"""Choosing and loading the embedder: one per (model, backend, batch size, ONNX folder)
per process, loaded on first use.

:func:`load_embedder` returns a :class:`LazyEmbedder` at once: its ``name`` and
``dimension`` come from the model's configuration, and the model itself (torch and
sentence-transformers, 4-5 s here; or ONNX Runtime) is loaded by the first ``encode``.
A run whose texts are all in the embedding cache (a rerun) never loads it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from claims.embed.base import Embedder, folder_dimension, model_name
from claims.embed.onnx import OnnxEmbedder, packaged_graph
from claims.embed.sbert import SentenceTransformerEmbedder
from claims.errors import ConfigError
from claims.settings import Settings

__all__ = ["BACKENDS", "LazyEmbedder", "embedder_for", "load_embedder", "resolve_backend"]

log = logging.getLogger(__name__)

BACKENDS = ("auto", "torch", "onnx", "onnx-fp32")


def resolve_backend(name: str, backend: str, onnx_dir: Path | None = None) -> str:
    """The backend ``backend`` stands for: ``auto`` is the float32 ONNX graph where one ships
    in the package for ``name`` and no folder of exports is given (torch's own vectors,
    without importing torch), else torch; the others are themselves."""
    if backend not in BACKENDS:
        raise ConfigError(f"unknown embedding backend {backend!r}: use one of {', '.join(BACKENDS)}")
    if backend != "auto":
        return backend
    return "onnx-fp32" if onnx_dir is None and packaged_graph(name) is not None else "torch"


class LazyEmbedder:
    """An :class:`Embedder` whose model is loaded by the first ``encode`` (or ``loaded()``)."""

    def __init__(self, name: str, backend: str, load: Callable[[], Embedder], dimension: int | None = None) -> None:
        self.name = model_name(name)
        self.backend = backend
        self.load_seconds = 0.0  # how long loading took, once it has happened
        self._load = load
        self._model: Embedder | None = None
        self._dimension = dimension
        self._lock = threading.Lock()

    @property
    def is_loaded(self) -> bool:
        return self._model is not None

    def loaded(self) -> Embedder:
        """The loaded model (loading it now if needed; once per process)."""
        with self._lock:
            if self._model is None:
                started = time.perf_counter()
                self._model = self._load()
                self.load_seconds = time.perf_counter() - started
                log.info("loaded embedding model %s (%s) in %.2fs", self.name, self.backend, self.load_seconds)
            return self._model

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._dimension = self.loaded().dimension
        return self._dimension

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.loaded().encode(texts, batch_size=batch_size)


# (model, backend, batch size, ONNX folder): everything that makes two embedders differ
_EMBEDDERS: dict[tuple[str, str, int, Path | None], LazyEmbedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def load_embedder(name: str, batch_size: int = 64, backend: str = "torch",
                  onnx_dir: Path | None = None) -> LazyEmbedder:
    """The embedder for ``name`` on ``backend`` with ``batch_size`` (one per process and
    combination; later calls with the same arguments reuse it).

    ``backend="onnx"`` is the int8 ONNX Runtime export of the same model
    (:mod:`claims.embed.onnx`), made once into ``onnx_dir``, ``"onnx-fp32"`` its float32
    graph; ``"auto"`` (the settings' default) is the float32 graph that ships for the
    packaged model, else torch (:func:`resolve_backend`)."""
    backend = resolve_backend(name, backend, onnx_dir)
    key = (name, backend, batch_size, Path(onnx_dir).expanduser().resolve() if onnx_dir is not None else None)
    with _EMBEDDERS_LOCK:
        if key not in _EMBEDDERS:
            def load() -> Embedder:
                if backend in ("onnx", "onnx-fp32"):
                    return OnnxEmbedder(name, batch_size=batch_size, cache_dir=onnx_dir,
                                        precision="int8" if backend == "onnx" else "fp32")
                return SentenceTransformerEmbedder(name, batch_size=batch_size)

            _EMBEDDERS[key] = LazyEmbedder(name, backend, load, folder_dimension(name))
        return _EMBEDDERS[key]


def embedder_for(settings: Settings) -> LazyEmbedder:
    """The settings' embedding model on the settings' backend (torch, or int8 ONNX)."""
    return load_embedder(settings.model, batch_size=settings.embed_batch_size,
                         backend=settings.embedding_backend, onnx_dir=settings.onnx_dir)
