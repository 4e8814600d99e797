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
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np

__all__ = ["ConfidenceCalibration", "load_calibration", "fit_calibration"]

log = logging.getLogger(__name__)

_FILE = "verdict_calibration.json"


@dataclass
class ConfidenceCalibration:
    """Breakpoints ``x -> y`` per label (key ``"*"`` for any label), plus tuned policy values."""

    maps: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    policy: dict[str, float] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    def apply(self, label: str, raw: float) -> float:
        """The calibrated confidence of ``label`` at raw score ``raw`` (``raw`` unchanged when
        there is no map)."""
        xy = self.maps.get(label) or self.maps.get("*")
        if not xy:
            return float(raw)
        x, y = xy
        return float(np.clip(np.interp(raw, x, y), 0.0, 1.0))

    def to_json(self) -> dict:
        return {"maps": {k: {"x": list(map(float, x)), "y": list(map(float, y))} for k, (x, y) in self.maps.items()},
                "policy": self.policy, "meta": self.meta}

    @classmethod
    def from_json(cls, data: dict) -> "ConfidenceCalibration":
        maps = {k: (list(v["x"]), list(v["y"])) for k, v in (data.get("maps") or {}).items()}
        return cls(maps=maps, policy=dict(data.get("policy") or {}), meta=dict(data.get("meta") or {}))


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
              points: int = 20) -> tuple[list[float], list[float]]:
    from sklearn.isotonic import IsotonicRegression  # lazy: only fitting (scripts/calibrate_verdicts.py) needs it

    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, correct, sample_weight=weight)
    grid = np.unique(np.quantile(raw, np.linspace(0, 1, points)))
    y = iso.predict(grid)
    # Shrink towards the overall rate, so a dozen lucky examples cannot claim 100%.
    n = len(raw)
    prior = float(np.average(correct, weights=weight))
    y = (y * n + prior * 10) / (n + 10)
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
