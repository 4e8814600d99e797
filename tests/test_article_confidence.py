"""The confidence of article verdicts: a fitted probability per claim (its own votes), not one
number per label (scripts/calibrate_article_confidence.py fits it on desk dev halves)."""

from __future__ import annotations

import numpy as np

from claims.score.calibration import ArticleConfidence, ConfidenceCalibration, load_calibration
from claims.score.verdict import VERDICT_FEATURES

LABELS = ["supported", "refuted", "conflicting", "not_enough_evidence"]


def _model() -> ArticleConfidence:
    n = len(VERDICT_FEATURES) + len(LABELS)
    coef = [0.0] * n
    coef[0] = 1.5  # more support weight: a supported label more likely right
    return ArticleConfidence(features=[*VERDICT_FEATURES, *(f"label={k}" for k in LABELS)], labels=LABELS,
                             mean=[0.0] * n, scale=[1.0] * n, coef=coef, intercept=-0.5)


def test_probability_follows_the_claims_own_votes() -> None:
    model = _model()
    weak = np.zeros(len(VERDICT_FEATURES))
    strong = weak.copy()
    strong[0] = 2.0
    assert 0.0 < model.probability(weak, "supported") < model.probability(strong, "supported") < 1.0


def test_round_trip_through_the_calibration_file() -> None:
    model = _model()
    again = ConfidenceCalibration.from_json(ConfidenceCalibration(article=model).to_json())
    assert again.article is not None and again.article.coef == model.coef


def test_the_packaged_calibration_names_the_features_the_engine_computes() -> None:
    article = load_calibration().article
    if article is not None:  # fitted by scripts/calibrate_article_confidence.py
        assert article.features[: len(VERDICT_FEATURES)] == list(VERDICT_FEATURES)
        assert len(article.coef) == len(VERDICT_FEATURES) + len(article.labels)
