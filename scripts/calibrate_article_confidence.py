"""Fit the confidence of verdicts on article claims (claims with a read scope) on the dev
halves of desk sets, and write it into claims/score/data/verdict_calibration.json.

A verdict's confidence is the probability that its label is right. For article claims the
vote rules decide the label; this script fits a logistic regression from the claim's vote
features (:func:`claims.score.verdict.claim_features`) and its label to whether a careful
reader agreed, on the dev articles of every desk folder given (``--split dev``: the test
halves are never read), and stores it as ``article_confidence``. Benchmark claims keep
their own calibration (``maps``). Before and after figures (Brier score and expected
calibration error) are printed for the dev and the test halves.

    python scripts/calibrate_article_confidence.py ../shared/data/desk/* examples/desk
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

from claims.eval.desk import judged_sentences
from claims.extract import for_judging
from claims.pipeline import policy_from_settings
from claims.score.calibration import ArticleConfidence
from claims.score.verdict import VERDICT_FEATURES, claim_features
from claims.settings import Settings

LABELS = ("supported", "refuted", "conflicting", "not_enough_evidence")
OUT = Path(__file__).resolve().parents[1] / "claims" / "score" / "data" / "verdict_calibration.json"


def collect(folders: list[Path], split: str, settings: Settings) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """(features, labels, correct, stored confidence) of the top claim of every check-worthy
    gold sentence of the split's articles."""
    rows, correct, conf = [], [], []
    labels: list[str] = []
    policy = policy_from_settings(settings)
    for g, claim, v in judged_sentences(folders, split, settings):
        rows.append(claim_features(for_judging([claim])[0], v.evidence, policy))
        labels.append(v.label)
        correct.append(v.label == g.verdict)
        conf.append(v.confidence)
    print(f"{split}: {len(rows)} claims", file=sys.stderr)
    return np.array(rows), labels, np.array(correct, dtype=float), np.array(conf)


def design(x: np.ndarray, labels: list[str]) -> np.ndarray:
    onehot = np.array([[label == k for k in LABELS] for label in labels], dtype=float)
    return np.hstack([x, onehot])


def ece(p: np.ndarray, y: np.ndarray, bins: int = 5) -> float:
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in itertools.pairwise(edges):
        m = (p >= lo) & (p < hi if hi < 1 else p <= hi)
        if m.any():
            total += m.mean() * abs(p[m].mean() - y[m].mean())
    return float(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--c", type=float, default=0.5, help="inverse L2 strength of the logistic regression")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    parser.add_argument("--cache", type=Path, help="save the judged claims here, or read them when the file exists")
    parser.add_argument("--features", default="all", help="'all', or a comma list of feature names to keep")
    args = parser.parse_args()
    from sklearn.linear_model import LogisticRegression

    settings = Settings()
    if args.cache is not None and args.cache.exists():  # the judged claims of an earlier run
        saved = np.load(args.cache, allow_pickle=False)
        x_dev, l_dev, y_dev, c_dev = saved["x_dev"], list(saved["l_dev"]), saved["y_dev"], saved["c_dev"]
        x_test, l_test, y_test, c_test = saved["x_test"], list(saved["l_test"]), saved["y_test"], saved["c_test"]
    else:
        x_dev, l_dev, y_dev, c_dev = collect(args.folders, "dev", settings)
        x_test, l_test, y_test, c_test = collect(args.folders, "test", settings)
        if args.cache is not None:
            np.savez(args.cache, x_dev=x_dev, l_dev=np.array(l_dev), y_dev=y_dev, c_dev=c_dev, x_test=x_test,
                     l_test=np.array(l_test), y_test=y_test, c_test=c_test)
    d_dev = design(x_dev, l_dev)
    names = [*VERDICT_FEATURES, *(f"label={k}" for k in LABELS)]
    keep = list(range(len(names))) if args.features == "all" else \
        [names.index(n) for n in args.features.split(",")] + list(range(len(VERDICT_FEATURES), len(names)))
    mean, scale = d_dev.mean(axis=0), d_dev.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=args.c, max_iter=2000).fit(((d_dev - mean) / scale)[:, keep], y_dev)
    coef = np.zeros(len(names))
    coef[keep] = model.coef_[0]  # a feature left out weighs nothing
    fitted = ArticleConfidence(features=names, labels=list(LABELS), mean=mean.tolist(), scale=scale.tolist(),
                               coef=coef.tolist(), intercept=float(model.intercept_[0]))
    p_dev = np.array([fitted.probability(x, label) for x, label in zip(x_dev, l_dev)])
    p_test = np.array([fitted.probability(x, label) for x, label in zip(x_test, l_test)])
    figures = {
        "dev": {"n": len(y_dev), "accuracy": float(y_dev.mean()),
                "before": {"brier": float(np.mean((c_dev - y_dev) ** 2)), "ece": ece(c_dev, y_dev)},
                "after": {"brier": float(np.mean((p_dev - y_dev) ** 2)), "ece": ece(p_dev, y_dev)}},
        "test": {"n": len(y_test), "accuracy": float(y_test.mean()),
                 "before": {"brier": float(np.mean((c_test - y_test) ** 2)), "ece": ece(c_test, y_test)},
                 "after": {"brier": float(np.mean((p_test - y_test) ** 2)), "ece": ece(p_test, y_test)}},
        "distinct_confidences_test": len(np.unique(np.round(p_test, 3))),
        "fitted_on": [str(f) for f in args.folders], "split": "dev", "C": args.c, "features": args.features,
    }
    print(json.dumps(figures, indent=1))
    if args.dry_run:
        return
    data = json.loads(OUT.read_text(encoding="utf-8"))
    data["article_confidence"] = {**fitted.to_json(), "meta": figures}
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
