"""Choose how verdicts are decided, and calibrate their confidence, on development data.

    .venv/bin/python scripts/calibrate_verdicts.py [--oof FILE.npz] \
        [--climate-fever ../shared/data/climate-fever/climate-fever-dev.jsonl] \
        [--averitec ../shared/data/averitec/train.json] \
        [--liar-plus ../shared/data/liar-plus/val2.jsonl ../shared/data/liar-plus/test2.jsonl] \
        [--out claims/score/data/verdict_calibration.json] [--no-write]

Only the ``dev`` halves (claims.eval.judging.hash_split: a hash of the claim text) choose
anything; the ``test`` halves are judged once with the chosen values and their figures are
written beside them, as the held-out measurement.

**The rule** (also in the README): choose what maximises the mean macro-F1 over the dev
halves of the three benchmarks, subject to the precision of ``supported`` being at least
``--min-precision`` (0.60) over all dev claims together. Two ways of deciding compete:

* ``votes``: the thresholds of ``VerdictPolicy`` (the stance probability a passage needs to
  count as support / refutation, the vote weight a side needs before the verdict takes it,
  the minority share that makes a claim ``conflicting``), by a coordinate search;
* ``model``: a sign-constrained multinomial logistic regression over the claim's vote features
  (claims.score.verdict.VERDICT_FEATURES, taken after the role rules) and one log-bias per
  label, the biases searched on out-of-fold probabilities (5 folds of the dev claims) and
  the regression then refitted on all dev claims.

The better of the two on the dev objective is written (``policy.aggregator``). Then an
isotonic map from the raw score (the winning label's probability, or the vote score) to
P(label correct) is fitted per label on the dev halves (each data set weighted equally), so
the confidence of every label, ``not_enough_evidence`` included, is the probability that
the label is right.

1. Every claim of the three benchmarks is prepared once with the pipeline's own code
   (claims.eval.judging.prepare: evidence cut into passages as documents are, embeddings
   cached by text hash in ``--cache``, a DuckDB file).
2. Stance probabilities for every (claim, candidate) pair: for dev claims, the
   out-of-fold probabilities written by ``scripts/train_stance.py --oof`` when given (the
   shipped stance model trained on the dev halves, so its own probabilities there would be
   optimistic); for everything else, the shipped model through the stance cache.
3. Both searches judge with claims.pipeline.decide_candidates and an explicit policy: the
   same functions ``claims check`` runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

log = logging.getLogger("calibrate_verdicts")

LABELS = ("supported", "refuted", "not_enough_evidence", "conflicting")
GRID = {
    "min_stance_probability": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
    "min_refute_probability": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
    "support_threshold": [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.5],
    "refute_threshold": [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0],
    "conflict_share": [0.1, 0.2, 0.3, 0.4, 0.5],
}


def load_items(cf_path: Path | None, av_path: Path | None, liar_paths: list[Path]) -> list[tuple[str, object]]:
    """(dataset, LabelledClaim) for every claim of the given files."""
    from claims.eval.averitec import load_averitec
    from claims.eval.climate_fever import load_climate_fever
    from claims.eval.judging import EvidenceText
    from claims.eval.liar import load_liar_plus
    from claims.eval.verdicts import LabelledClaim

    items: list[tuple[str, object]] = []
    if cf_path and cf_path.is_file():
        for c in load_climate_fever(cf_path):
            items.append(("climate-fever", LabelledClaim(
                f"cf:{c.claim_id}", c.text, c.label, tuple(EvidenceText(e.text, source=e.article) for e in c.evidences))))
    if av_path and av_path.is_file():
        items += [("averitec", c) for c in load_averitec(av_path)]
    for path in liar_paths:
        if path.is_file():
            items += [("liar-plus", c) for c in load_liar_plus(path)[0]]
    return items


def prepare(items, settings, cache_path: Path, oof_path: Path | None):  # noqa: ANN001, ANN201
    """Prepared claims and their candidates (ranked passages with stance probabilities)."""
    from claims.embed import embed_cached, embedder_for
    from claims.eval.judging import hash_split, make_claim
    from claims.eval.judging import prepare as prepare_claims
    from claims.pipeline import rank_candidates, stance_model_for
    from claims.score.cache import predict_stance_cached
    from claims.score.cache import pair_key
    from claims.store import open_store

    embedder = embedder_for(settings)
    store = open_store(settings)
    claims = [make_claim(c.text, claim_date=c.claim_date, key=f"{c.id}:{c.text}", speaker=c.speaker) for _, c in items]
    started = time.perf_counter()
    prepared = prepare_claims(claims, [list(c.evidence) for _, c in items], settings,
                              lambda texts: embed_cached(list(texts), embedder, store), embedder.dimension)
    log.info("%d claims prepared in %.0fs", len(prepared), time.perf_counter() - started)
    model = stance_model_for(settings)
    oof: dict[str, np.ndarray] = {}
    if oof_path is not None:
        with np.load(oof_path, allow_pickle=False) as data:
            oof = dict(zip(data["keys"].tolist(), data["probs"]))
        log.info("%d out-of-fold stance probabilities from %s", len(oof), oof_path)

    def stance_for(is_dev: bool):  # noqa: ANN202
        def predict(claim_texts, passage_texts, claim_emb, passage_emb):  # noqa: ANN001, ANN202
            probs = predict_stance_cached(store, model, claim_texts, passage_texts, claim_emb, passage_emb)
            if is_dev and oof:
                for i, (c, p) in enumerate(zip(claim_texts, passage_texts)):
                    found = oof.get(pair_key(c, p))
                    if found is not None:
                        probs[i] = found
            return probs
        return predict

    started = time.perf_counter()
    candidates = []
    for part in ("dev", "test"):
        chosen = [i for i, (_, c) in enumerate(items) if hash_split(c.text) == part]
        for i in chosen:
            p = prepared[i]
            candidates.append((i, rank_candidates([p.claim], p.claim_vector[None, :], p.passage_set, settings,
                                                  stance=stance_for(part == "dev"),
                                                  focus_vectors=p.focus_vector[None, :])[0]))
    candidates.sort(key=lambda x: x[0])
    log.info("candidates and stance in %.0fs (stance model %s)", time.perf_counter() - started, model.name)
    return [c for _, c in candidates], model.name


def scores(datasets, parts, gold, verdicts, part: str) -> dict:  # noqa: ANN001
    from claims.eval.verdicts import verdict_metrics

    out = {}
    for dataset in sorted(set(datasets)):
        idx = [i for i in range(len(gold)) if datasets[i] == dataset and (part == "all" or parts[i] == part)]
        m = verdict_metrics([gold[i] for i in idx], [verdicts[i].label for i in idx],
                            [verdicts[i].confidence for i in idx])
        out[dataset] = {"n": m["n"], "accuracy": m["accuracy"], "macro_f1": m["macro_f1"], "ece": m["ece"],
                        "supported_precision": m["per_label"]["supported"]["precision"],
                        "supported_predicted": m["per_label"]["supported"]["predicted"],
                        "refuted_precision": m["per_label"]["refuted"]["precision"],
                        "decisive_share": m["decisive_share"]}
    return out


def objective(metrics: dict, min_precision: float) -> tuple[bool, float]:
    """(feasible, mean macro-F1): feasible when supported's precision over all the claims
    scored is at least ``min_precision`` (or supported is never said)."""
    said = sum(m["supported_predicted"] for m in metrics.values())
    right = sum(m["supported_precision"] * m["supported_predicted"] for m in metrics.values())
    feasible = said == 0 or right / said >= min_precision - 1e-9
    return feasible, float(np.mean([m["macro_f1"] for m in metrics.values()]))


def search_votes(candidates, dev, datasets, gold, settings, base, min_precision, rounds):  # noqa: ANN001, ANN201
    """The vote thresholds by coordinate search: (objective, params)."""
    from claims.pipeline import decide_candidates

    params = {name: min(GRID[name], key=lambda v: abs(v - (getattr(base, name) or 0.5))) for name in GRID}

    def evaluate(values: dict) -> tuple[bool, float]:
        policy = dataclasses.replace(base, aggregator="votes", **values)
        verdicts = decide_candidates([candidates[i] for i in dev], settings, policy)
        return objective(scores([datasets[i] for i in dev], ["dev"] * len(dev), [gold[i] for i in dev], verdicts,
                                "dev"), min_precision)

    best = evaluate(params)
    for round_ in range(rounds):
        changed = False
        for name, values in GRID.items():
            for value in values:
                trial = {**params, name: value}
                key = evaluate(trial)
                if key > best:
                    best, params, changed = key, trial, True
                    log.info("votes, round %d: %s feasible=%s mean macro-F1 %.4f", round_ + 1, params, *key)
        if not changed:
            break
    return best, params


MODEL_POLICY = {"min_stance_probability": 0.3, "min_refute_probability": 0.3, "support_threshold": 0.0,
                "refute_threshold": 0.0, "conflict_share": 0.3, "min_figure_outlets": 2}
BIAS_GRID = np.arange(-2.0, 2.01, 0.25)


def fit_monotone(z: np.ndarray, y: np.ndarray, weight: np.ndarray, signs: np.ndarray,
                 l2: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """A multinomial logistic regression (weights ``coef`` (labels x features), ``intercept``)
    whose weights keep the signs ``signs`` (labels x features: +1 >= 0, -1 <= 0, 0 fixed at
    0), fitted by L-BFGS-B on the weighted log-loss with a little L2."""
    from scipy.optimize import minimize

    n_labels, n_features = signs.shape
    rows = np.arange(len(y))
    w = weight / weight.sum()

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        coef = theta[: n_labels * n_features].reshape(n_labels, n_features)
        logits = z @ coef.T + theta[n_labels * n_features:]
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        value = -(w * np.log(p[rows, y] + 1e-12)).sum() + 0.5 * l2 * (coef ** 2).sum()
        g = p.copy()
        g[rows, y] -= 1.0
        g *= w[:, None]
        return value, np.concatenate([(g.T @ z + l2 * coef).ravel(), g.sum(axis=0)])

    bounds = [(0.0, None) if sign > 0 else (None, 0.0) if sign < 0 else (0.0, 0.0) for sign in signs.ravel()]
    bounds += [(None, None)] * n_labels
    result = minimize(loss, np.zeros(n_labels * n_features + n_labels), jac=True, method="L-BFGS-B", bounds=bounds)
    return result.x[: n_labels * n_features].reshape(n_labels, n_features), result.x[n_labels * n_features:]


def fit_model(candidates, dev, datasets, gold, settings, base, min_precision, gate="abstain"):  # noqa: ANN001, ANN201
    """The learned verdict model: (objective on out-of-fold dev probabilities, VerdictModel).

    A sign-constrained multinomial logistic regression over VERDICT_FEATURES
    (claims.score.verdict.FEATURE_SIGNS: more support never makes "refuted" likelier),
    each data set weighted equally and the labels balanced; the per-label biases searched
    on out-of-fold probabilities (5 folds of the dev claims), with the claims whose figures
    decide by themselves keeping that label."""
    import itertools

    from claims.pipeline import select_evidence
    from claims.score.calibration import VerdictModel
    from claims.score.verdict import (
        FEATURE_SIGNS, VERDICT_FEATURES, assess_evidence, claim_features, decisive_figures, label_gate,
    )

    policy = dataclasses.replace(base, aggregator="votes", **MODEL_POLICY)
    assessed = [select_evidence(assess_evidence(c.claim, c.hits, policy, c.probs), settings.top_k) for c in candidates]
    x = np.array([claim_features(c.claim, ev, policy) for c, ev in zip(candidates, assessed)])
    # claims whose figures decide by themselves (decisive_figures) keep that label whatever the model says
    fixed = [decisive_figures(c.claim, ev, policy) for c, ev in zip(candidates, assessed)]
    labels = list(LABELS)
    y = np.array([labels.index(g) for g in gold])
    group = np.array(datasets)
    signs = np.array([FEATURE_SIGNS[name] for name in VERDICT_FEATURES], dtype=float).T
    dev_rows = np.asarray(dev)

    def fit(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        mean, scale = x[rows].mean(axis=0), x[rows].std(axis=0) + 1e-9
        per_group = np.array([1.0 / np.sum(group[rows] == g) for g in group[rows]])
        per_label = np.array([len(rows) / (len(labels) * max(1, np.sum(y[rows] == k))) for k in y[rows]])
        coef, intercept = fit_monotone((x[rows] - mean) / scale, y[rows], per_group * per_label, signs)
        return coef, intercept, mean, scale

    def proba(fitted: tuple, rows: np.ndarray) -> np.ndarray:
        coef, intercept, mean, scale = fitted
        logits = ((x[rows] - mean) / scale) @ coef.T + intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    fold = np.array([hash_fold(i) for i in range(len(y))])
    oof = np.zeros((len(y), len(labels)))
    for f in range(5):
        held = dev_rows[fold[dev_rows] == f]
        oof[held] = proba(fit(dev_rows[fold[dev_rows] != f]), held)

    # a label the evidence cannot carry is never said (claims.score.verdict.LABEL_NEEDS): the
    # gate "abstain" says not_enough_evidence instead, "exclude" the best label it can carry
    allowed = label_gate(x, labels)

    def metrics_for(bias: np.ndarray) -> dict:
        rule = VerdictModel(features=[], labels=labels, mean=[], scale=[], coef=[], intercept=[],
                            bias=bias.tolist(), gate=gate)
        pred = [fixed[i] or labels[rule.decide(oof[i], allowed[i])] for i in dev]
        return scores([datasets[i] for i in dev], ["dev"] * len(dev), [gold[i] for i in dev],
                      [_Label(p) for p in pred], "dev")

    best, best_bias = None, np.zeros(len(labels))
    for values in itertools.product(BIAS_GRID, BIAS_GRID, BIAS_GRID):
        bias = np.array([*values, 0.0])  # the last label (conflicting) is the reference
        key = objective(metrics_for(bias), min_precision)
        if best is None or key > best:
            best, best_bias = key, bias
    log.info("model (label gate %s): biases %s feasible=%s mean macro-F1 %.4f (out-of-fold, dev)",
             gate, best_bias.tolist(), *best)
    coef, intercept, mean, scale = fit(dev_rows)
    model = VerdictModel(features=list(VERDICT_FEATURES), labels=labels, mean=mean.tolist(), scale=scale.tolist(),
                         coef=coef.tolist(), intercept=intercept.tolist(), bias=best_bias.tolist(), gate=gate)
    return best, model


def hash_fold(i: int, folds: int = 5) -> int:
    return int.from_bytes(hashlib.sha256(f"fold:{i}".encode()).digest()[:4], "big") % folds


@dataclasses.dataclass
class _Label:
    """A verdict reduced to its label (for scoring a label list with :func:`scores`)."""

    label: str
    confidence: float = 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--climate-fever", type=Path,
                        default=Path("../shared/data/climate-fever/climate-fever-dev.jsonl"))
    parser.add_argument("--averitec", type=Path, default=Path("../shared/data/averitec/train.json"))
    parser.add_argument("--liar-plus", type=Path, nargs="*",
                        default=[Path("../shared/data/liar-plus/val2.jsonl"), Path("../shared/data/liar-plus/test2.jsonl")])
    parser.add_argument("--oof", type=Path, default=None, help="out-of-fold stance probabilities "
                                                               "(scripts/train_stance.py --oof)")
    parser.add_argument("--min-precision", type=float, default=0.60)
    parser.add_argument("--aggregator", choices=("best", "votes", "model"), default="best")
    parser.add_argument("--out", type=Path, default=Path("claims/score/data/verdict_calibration.json"))
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "claims" / "eval-embeddings.duckdb")
    parser.add_argument("--rounds", type=int, default=3, help="passes of the coordinate search")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--dev", choices=("unseen", "all"), default="all",
                        help="all (default): every dev claim (with --oof for the MLP's out-of-fold stance); "
                             "unseen: only dev claims whose evidence the packaged stance cross-encoder was not "
                             "trained on (claims.eval.stance_mix.verdict_claim_unseen), for stance_model = "
                             "cross-encoder")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from claims.eval.judging import hash_split
    from claims.pipeline import decide_candidates, policy_from_settings
    from claims.score.calibration import fit_calibration
    from claims.settings import Settings

    args.cache.parent.mkdir(parents=True, exist_ok=True)
    settings = Settings(db=args.cache)
    items = load_items(args.climate_fever, args.averitec, list(args.liar_plus))
    if not items:
        raise SystemExit("no data: pass --climate-fever, --averitec and/or --liar-plus files")
    candidates, stance_name = prepare(items, settings, args.cache, args.oof)
    datasets = [d for d, _ in items]
    parts = [hash_split(c.text) for _, c in items]
    gold = [c.label for _, c in items]
    dev = [i for i, p in enumerate(parts) if p == "dev"]
    if args.dev == "unseen":
        from claims.eval.stance_mix import verdict_claim_unseen

        dev = [i for i in dev if verdict_claim_unseen(datasets[i], items[i][1].text, items[i][1].id.removeprefix("cf:"))]
        log.info("%d dev claims the stance model did not train on", len(dev))
    base = dataclasses.replace(policy_from_settings(settings), calibrate=False, model=None)

    started = time.perf_counter()
    results, fits = {}, {}
    if args.aggregator in ("best", "votes"):
        results["votes"] = search_votes(candidates, dev, datasets, gold, settings, base, args.min_precision,
                                        args.rounds)
    if args.aggregator in ("best", "model"):
        # the two gates compete on the dev objective; the model free to say a label the evidence
        # cannot carry (gate "none") is measured for comparison only
        fits = {gate: fit_model(candidates, dev, datasets, gold, settings, base, args.min_precision, gate=gate)
                for gate in ("abstain", "exclude", "none")}
        results["model"] = max((fits["abstain"], fits["exclude"]), key=lambda r: r[0])
    log.info("searched in %.0fs: %s", time.perf_counter() - started,
             {name: {"feasible": r[0][0], "dev_mean_macro_f1": round(r[0][1], 4)} for name, r in results.items()})
    chosen = max(results, key=lambda name: results[name][0])
    if chosen == "model":
        params = dict(MODEL_POLICY)
        policy = dataclasses.replace(base, aggregator="model", model=results["model"][1], **params)
    else:
        params = results["votes"][1]
        policy = dataclasses.replace(base, aggregator="votes", **params)
    verdicts = decide_candidates(candidates, settings, policy)
    raw = {"dev": scores(datasets, parts, gold, verdicts, "dev"), "test": scores(datasets, parts, gold, verdicts, "test")}
    calibration = fit_calibration([verdicts[i].label for i in dev], [verdicts[i].confidence for i in dev],
                                  [verdicts[i].label == gold[i] for i in dev], groups=[datasets[i] for i in dev])
    for v in verdicts:
        v.confidence = calibration.apply(v.label, v.confidence)
    calibrated = {"dev": scores(datasets, parts, gold, verdicts, "dev"),
                  "test": scores(datasets, parts, gold, verdicts, "test")}
    calibration.policy = {**{k: float(v) for k, v in params.items()}}
    calibration.model = results["model"][1] if chosen == "model" else None
    calibration.meta = {
        "fitted_on": "dev halves (hash of claim text) of: " + ", ".join(
            str(p) for p in (args.climate_fever, args.averitec, *args.liar_plus) if p and p.is_file()),
        "rule": f"maximise the mean macro-F1 over the dev halves subject to supported precision >= "
                f"{args.min_precision} over all dev claims",
        "aggregator": chosen,
        "candidates": {name: {"feasible": r[0][0], "dev_mean_macro_f1": round(r[0][1], 4)}
                       for name, r in results.items()},
        "model_gates": ({gate: {"feasible": r[0][0], "dev_mean_macro_f1": round(r[0][1], 4)} for gate, r in fits.items()}
                        if args.aggregator in ("best", "model") else None),
        "vote_grid": GRID, "stance_model": stance_name,
        "out_of_fold_stance": str(args.oof) if args.oof else None,
        "before_calibration": raw, "after_calibration": calibrated,
        "command": "scripts/calibrate_verdicts.py " + " ".join(sys.argv[1:]),
    }
    print(json.dumps({"aggregator": chosen, "policy": calibration.policy, "candidates": calibration.meta["candidates"],
                      "after": calibrated}, indent=1))
    if not args.no_write:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(calibration.to_json(), indent=1, default=str) + "\n", encoding="utf-8")
        log.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
