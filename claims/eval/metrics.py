"""Metric helpers shared by the ``claims eval`` commands.

Small and dependency-free on purpose: scikit-learn's metrics would do, but the eval
commands need the same few numbers (accuracy, per-class and macro F1 over a fixed label
set, expected calibration error, recall@k) in plain JSON-ready floats.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence

import numpy as np

__all__ = [
    "accuracy",
    "classification_report",
    "confusion",
    "expected_calibration_error",
    "f1_per_label",
    "macro_f1",
    "majority_baseline",
    "recall_at_k",
]


def accuracy(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """Share of items whose prediction equals the gold label (0.0 for no items)."""
    if not gold:
        return 0.0
    return float(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold))


def f1_per_label(gold: Sequence[Hashable], pred: Sequence[Hashable], labels: Iterable[Hashable]) -> dict:
    """F1 of each label (0.0 where a label is neither predicted nor present)."""
    out = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
        denom = 2 * tp + fp + fn
        out[label] = float(2 * tp / denom) if denom else 0.0
    return out


def macro_f1(gold: Sequence[Hashable], pred: Sequence[Hashable], labels: Iterable[Hashable]) -> float:
    """Unweighted mean of the per-label F1 over ``labels`` (all of them count, as in the
    Climate-FEVER and AVeriTeC papers)."""
    scores = f1_per_label(gold, pred, list(labels))
    return float(np.mean(list(scores.values()))) if scores else 0.0


def confusion(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> dict:
    """``{gold: {pred: count}}``, JSON-ready."""
    table: dict = {}
    for g, p in zip(gold, pred, strict=True):
        table.setdefault(str(g), Counter())[str(p)] += 1
    return {g: dict(c) for g, c in sorted(table.items())}


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """ECE with equal-width bins: the mean |accuracy - confidence| weighted by bin size."""
    conf = np.asarray(confidence, dtype=np.float64)
    hit = np.asarray(correct, dtype=np.float64)
    if conf.size == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.sum() * abs(hit[mask].mean() - conf[mask].mean())
    return float(total / conf.size)


def recall_at_k(ranked: Sequence[Sequence[Hashable]], relevant: Sequence[set], k: int) -> float:
    """Mean over queries with at least one relevant item of |top-k ∩ relevant| / |relevant|."""
    scores = [len(set(r[:k]) & rel) / len(rel) for r, rel in zip(ranked, relevant, strict=True) if rel]
    return float(np.mean(scores)) if scores else 0.0


def majority_baseline(train_labels: Sequence[Hashable], gold: Sequence[Hashable], labels: Iterable[Hashable]) -> dict:
    """Accuracy and macro-F1 of always answering the most frequent label of ``train_labels``."""
    labels = list(labels)
    if not train_labels or not gold:
        return {"label": None, "accuracy": 0.0, "macro_f1": 0.0}
    top = Counter(train_labels).most_common(1)[0][0]
    pred = [top] * len(gold)
    return {"label": top, "accuracy": accuracy(gold, pred), "macro_f1": macro_f1(gold, pred, labels)}


def classification_report(gold: Sequence[Hashable], pred: Sequence[Hashable], labels: Iterable[Hashable]) -> dict:
    """Accuracy, macro-F1, per-label F1, counts and the confusion table in one dict."""
    labels = list(labels)
    return {
        "n": len(gold),
        "accuracy": round(accuracy(gold, pred), 4),
        "macro_f1": round(macro_f1(gold, pred, labels), 4),
        "f1": {str(k): round(v, 4) for k, v in f1_per_label(gold, pred, labels).items()},
        "gold_counts": {str(k): v for k, v in sorted(Counter(gold).items(), key=lambda kv: str(kv[0]))},
        "confusion": confusion(gold, pred),
    }
