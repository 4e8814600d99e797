"""Embeddings computed once per (model, text), cached by content hash in the store.

:func:`embed_cached` looks every text up in the store's ``embedding_cache``
(:meth:`claims.store.Store.cached_vectors`), embeds only the texts the store has never
seen (deduplicated, batched, normalised by the embedder) and writes the new vectors in one
short transaction. With a :class:`~claims.embed.loader.LazyEmbedder`, a call that finds
every text cached never loads the model.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from claims.embed.base import Embedder
from claims.models import content_hash
from claims.store import Store

__all__ = ["cache_key", "embed_cached"]

log = logging.getLogger(__name__)


def cache_key(embedder: Embedder) -> str:
    """The cache's model key: the embedder's name, plus its backend when int8 ONNX, since
    an int8 vector differs from the float32 one (torch's and the float32 ONNX graph's are
    the same vectors, to float rounding, and share their key)."""
    backend = getattr(embedder, "backend", "torch")
    return embedder.name if backend in (None, "torch", "onnx-fp32") else f"{embedder.name}#{backend}"


def embed_cached(texts: Sequence[str], embedder: Embedder, store: Store,
                 batch_size: int | None = None, stats: dict | None = None) -> np.ndarray:
    """Embeddings of ``texts`` (one L2-normalised float32 row each, in order), computing
    only those the store has not cached for this model, and caching them. ``stats``, when
    given, receives ``embedded``: how many texts had to be computed."""
    if stats is not None:
        stats["embedded"] = 0
    if len(texts) == 0:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    model = cache_key(embedder)
    hashes = [content_hash(t) for t in texts]
    unique: dict[str, str] = {}
    for text, key in zip(texts, hashes):
        unique.setdefault(key, text)
    known = store.cached_vectors(model, list(unique), embedder.dimension)
    missing = [key for key in unique if key not in known]
    if missing:
        vectors = embedder.encode([unique[k] for k in missing], batch_size=batch_size)
        vectors = _normalise(vectors)
        added = store.write_vectors(model, missing, vectors)
        known.update(zip(missing, vectors))
        if stats is not None:
            stats["embedded"] = len(missing)
        log.info("embedded %d new texts (%d cached, %d rows added)", len(missing), len(unique) - len(missing), added)
    out = np.empty((len(texts), embedder.dimension), dtype=np.float32)
    for i, key in enumerate(hashes):
        out[i] = known[key]
    return out


def _normalise(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise rows (a no-op for the shipped embedders; a guard for others)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)
