"""Stance judged once per (model, claim-passage pair), cached by the pair's hash in the
store's ``stance_cache`` (:meth:`claims.store.Store.cached_stance`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from claims.models import content_hash
from claims.store import Store

__all__ = ["pair_key", "predict_stance_cached", "stance_cached"]


def pair_key(claim: str, passage: str) -> str:
    """The one key of a (claim, passage) pair: the stance cache's, and the out-of-fold
    stance files' of scripts/train_stance.py."""
    return content_hash(claim + "\x00" + passage)


def stance_cached(store: Store, model: str, predict: Callable[..., np.ndarray], claims: Sequence[str],
                  passages: Sequence[str], claim_emb: np.ndarray, passage_emb: np.ndarray) -> np.ndarray:
    """Stance probabilities (n, 3) for aligned (claim, passage) pairs, computed by
    ``predict`` only for pairs the store has not seen under ``model``, and cached."""
    n = len(claims)
    if n == 0:
        return np.zeros((0, 3), dtype=np.float32)
    keys = [pair_key(c, p) for c, p in zip(claims, passages)]
    found = store.cached_stance(model, keys)
    missing: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key not in found and key not in missing:
            missing[key] = i
    if missing:
        idx = list(missing.values())
        probs = np.asarray(predict([claims[i] for i in idx], [passages[i] for i in idx],
                                   claim_emb[idx], passage_emb[idx]), dtype=np.float32)
        found.update(zip(missing, probs))
        store.write_stance(model, list(missing), probs)
    return np.stack([found[k] for k in keys]).astype(np.float32)


def predict_stance_cached(store: Store, model, claims: Sequence[str], passages: Sequence[str],
                          claim_emb: np.ndarray, passage_emb: np.ndarray) -> np.ndarray:
    """``model.predict`` through the stance cache (keyed by the model's ``cache_key``, else its name)."""
    return stance_cached(store, getattr(model, "cache_key", model.name), model.predict, claims, passages,
                         claim_emb, passage_emb)
