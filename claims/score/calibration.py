"""Calibrated verdict confidence: a monotone map from the aggregator's raw score to the
probability that the label is right, fitted on development data.

The map is a piecewise-linear isotonic fit (scikit-learn ``IsotonicRegression`` at fit
time, exported as breakpoints), one per verdict label with enough examples, else one for
all labels; it is applied with ``numpy.interp``. ``scripts/calibrate_verdicts.py`` fits
it on the dev halves of Climate-FEVER and AVeriTeC and writes
``claims/score/data/verdict_calibration.json`` together with the tuned aggregation
thresholds; the expected calibration error before and after, on the held-out halves, is
recorded in the same file.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

__all__ = ["ArticleConfidence", "ConfidenceCalibration", "VerdictModel", "fit_calibration", "load_calibration"]

log = logging.getLogger(__name__)

_FILE = "verdict_calibration.json"


@dataclass
class VerdictModel:
    """A multinomial logistic regression from a claim's vote features to the probability of
    each verdict label, with one additive log-bias per label: the label is the argmax of
    ``log p + bias``. The biases are the selective thresholds (chosen on development data
    so that ``supported`` is said only on decisive evidence)."""

    features: list[str]
    labels: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[list[float]]
    intercept: list[float]
    bias: list[float]
    # what happens to a label the evidence cannot carry (claims.score.verdict.LABEL_NEEDS):
    # "abstain" says not_enough_evidence instead, "exclude" takes the best label that it can
    # carry, "none" lets the model say it (calibration files written before the gate)
    gate: str = "abstain"

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """P(label) for each row of features ``x`` (n, len(features)), columns in ``labels`` order."""
        z = (np.atleast_2d(np.asarray(x, dtype=np.float64)) - np.asarray(self.mean)) / np.asarray(self.scale)
        logits = z @ np.asarray(self.coef).T + np.asarray(self.intercept)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def decide(self, p: np.ndarray, allowed: np.ndarray | None = None) -> int:
        """The index of the label taken for one row of probabilities, among the ``allowed``
        labels (a boolean per label; all when None)."""
        score = np.log(np.asarray(p, dtype=np.float64) + 1e-12) + np.asarray(self.bias)
        if allowed is None or self.gate == "none":
            return int(np.argmax(score))
        allowed = np.asarray(allowed, dtype=bool)
        if self.gate == "exclude":
            return int(np.argmax(np.where(allowed, score, -np.inf)))
        index = int(np.argmax(score))
        return index if allowed[index] else self.labels.index("not_enough_evidence")

    def to_json(self) -> dict:
        return {"features": self.features, "labels": self.labels, "mean": self.mean, "scale": self.scale,
                "coef": self.coef, "intercept": self.intercept, "bias": self.bias, "gate": self.gate}

    @classmethod
    def from_json(cls, data: dict) -> VerdictModel:
        return cls(**{k: data[k] for k in ("features", "labels", "mean", "scale", "coef", "intercept", "bias")},
                   gate=data.get("gate", "none"))


@dataclass
class ArticleConfidence:
    """The confidence of a verdict on an article claim (one whose scope was read): a logistic
    regression from the claim's vote features and its label to the probability that a
    careful reader agrees, fitted on the dev halves of desk sets
    (scripts/calibrate_article_confidence.py)."""

    features: list[str]
    labels: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float

    def probability(self, x: np.ndarray, label: str) -> float:
        """P(``label`` is right) for one row of vote features ``x``."""
        row = np.concatenate([np.asarray(x, dtype=np.float64), [float(label == k) for k in self.labels]])
        z = float(((row - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.coef) + self.intercept)
        return float(1.0 / (1.0 + np.exp(-z)))

    def to_json(self) -> dict:
        return {"features": self.features, "labels": self.labels, "mean": self.mean, "scale": self.scale,
                "coef": self.coef, "intercept": self.intercept}

    @classmethod
    def from_json(cls, data: dict) -> ArticleConfidence:
        return cls(**{k: data[k] for k in ("features", "labels", "mean", "scale", "coef", "intercept")})


@dataclass
class ConfidenceCalibration:
    """Breakpoints ``x -> y`` per label (key ``"*"`` for any label), tuned policy values, and
    the learned verdict model when one was fitted."""

    maps: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    policy: dict[str, float] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    model: VerdictModel | None = None
    article: ArticleConfidence | None = None  # the confidence of article claims' verdicts

    def apply(self, label: str, raw: float) -> float:
        """The calibrated confidence of ``label`` at raw score ``raw`` (``raw`` unchanged when
        there is no map)."""
        xy = self.maps.get(label) or self.maps.get("*")
        if not xy:
            return float(raw)
        x, y = xy
        return float(np.clip(np.interp(raw, x, y), 0.0, 1.0))

    def to_json(self) -> dict:
        out = {"maps": {k: {"x": list(map(float, x)), "y": list(map(float, y))} for k, (x, y) in self.maps.items()},
               "policy": self.policy}
        if self.model is not None:
            out["model"] = self.model.to_json()
        if self.article is not None:
            out["article_confidence"] = self.article.to_json()
        out["meta"] = self.meta
        return out

    @classmethod
    def from_json(cls, data: dict) -> ConfidenceCalibration:
        maps = {k: (list(v["x"]), list(v["y"])) for k, v in (data.get("maps") or {}).items()}
        model = VerdictModel.from_json(data["model"]) if data.get("model") else None
        article = ArticleConfidence.from_json(data["article_confidence"]) if data.get("article_confidence") else None
        return cls(maps=maps, policy=dict(data.get("policy") or {}), meta=dict(data.get("meta") or {}), model=model,
                   article=article)


_LOADED: ConfidenceCalibration | None = None


def load_calibration(path: str | Path | None = None) -> ConfidenceCalibration:
    """The packaged calibration (cached), or the file at ``path``; an empty (identity) one
    when the packaged file is absent."""
    global _LOADED
    if path is not None:
        return ConfidenceCalibration.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
    if _LOADED is None:
        ref = resources.files("claims.score").joinpath("data").joinpath(_FILE)
        if ref.is_file():
            _LOADED = ConfidenceCalibration.from_json(json.loads(ref.read_text(encoding="utf-8")))
        else:
            log.info("no packaged verdict calibration: confidences are the aggregator's raw scores")
            _LOADED = ConfidenceCalibration()
    return _LOADED


def _isotonic(raw: np.ndarray, correct: np.ndarray, weight: np.ndarray,
              points: int = 20, prior_weight: float = 20.0) -> tuple[list[float], list[float]]:
    """Breakpoints of an isotonic fit of P(correct) on the raw score, each level shrunk
    towards the overall rate by the weight of the examples it rests on (a level that a
    dozen lucky examples set cannot claim 100%), then made monotone again."""
    # lazy: only fitting (scripts/calibrate_verdicts.py) needs it
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, correct, sample_weight=weight)
    fitted = iso.predict(raw)
    prior = float(np.average(correct, weights=weight))
    levels = {}
    for level in np.unique(fitted):
        mass = float(weight[fitted == level].sum())  # the (weighted) examples behind this level
        levels[float(level)] = (level * mass + prior * prior_weight) / (mass + prior_weight)
    grid = np.unique(np.quantile(raw, np.linspace(0, 1, points)))
    keys = np.array(sorted(levels))
    # isotonic predictions between two levels interpolate them: so do their shrunk values
    y = np.interp(iso.predict(grid), keys, np.array([levels[k] for k in keys]))
    return [float(v) for v in grid], [float(v) for v in np.maximum.accumulate(y)]


def fit_calibration(labels: Sequence[str], raw: Sequence[float], correct: Sequence[bool],
                    groups: Sequence[str] | None = None, min_per_label: int = 60) -> ConfidenceCalibration:
    """Isotonic maps per label (labels with fewer than ``min_per_label`` examples share the
    pooled map). ``groups`` (e.g. the dataset of each example) are weighted equally, so the
    largest data set does not set the map alone."""
    labels_arr = np.asarray(labels)
    raw_arr = np.asarray(raw, dtype=np.float64)
    hit = np.asarray(correct, dtype=np.float64)
    group_arr = np.asarray(groups if groups is not None else ["all"] * len(labels_arr))
    sizes = {g: int((group_arr == g).sum()) for g in set(group_arr.tolist())}
    weight = np.array([len(labels_arr) / (len(sizes) * sizes[g]) for g in group_arr.tolist()])
    maps = {"*": _isotonic(raw_arr, hit, weight)}
    for label in sorted(set(labels_arr.tolist())):
        mask = labels_arr == label
        if mask.sum() >= min_per_label:
            maps[label] = _isotonic(raw_arr[mask], hit[mask], weight[mask])
    return ConfidenceCalibration(maps=maps)
