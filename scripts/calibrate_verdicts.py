"""Tune the verdict thresholds and calibrate the verdict confidence on development data.

    .venv/bin/python scripts/calibrate_verdicts.py \
        [--climate-fever ../shared/data/climate-fever/climate-fever-dev.jsonl] \
        [--averitec ../shared/data/averitec/train.json] [--out claims/score/data/verdict_calibration.json]

Only the ``dev`` halves (claims.eval.judging.hash_split: a hash of the claim text) are used
to choose anything; the ``test`` halves are judged once with the chosen values and their
figures written beside them, as the held-out measurement.

1. Every claim of both files is prepared once: claim object (claims.eval.judging.make_claim),
   its own evidence as passages, embeddings (cached by text hash in ``--cache``, a DuckDB
   file, through claims.score.cache.embed_cached), and the stance model's probabilities.
2. A grid over the aggregation thresholds (``VerdictPolicy``: minimum stance probability to
   count a support / a refutation, and the minority share that makes ``conflicting``) is
   judged with the pipeline's functions (retrieve.top_k -> verdict.assess_evidence ->
   pipeline.select_evidence -> verdict.decide, as pipeline.judge_claims calls them); the
   values with the best mean of accuracy and macro-F1 over the two dev halves win.
3. An isotonic map from raw confidence to P(correct) is fitted on the dev halves
   (claims.score.calibration) and its ECE reported on the test halves.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.eval.metrics import accuracy, expected_calibration_error, macro_f1  # noqa: E402

log = logging.getLogger("calibrate_verdicts")

LABELS = ("supported", "refuted", "not_enough_evidence", "conflicting")


class Prepared:
    """One claim ready to judge: objects, vectors, and stance probabilities per passage."""

    def __init__(self, dataset: str, part: str, gold: str, claim, passages, documents, claim_vec,  # noqa: ANN001
                 focus_vec, passage_vecs) -> None:
        self.dataset, self.part, self.gold = dataset, part, gold
        self.claim, self.passages, self.documents = claim, passages, documents
        self.claim_vec, self.focus_vec, self.passage_vecs = claim_vec, focus_vec, passage_vecs
        self.probs: np.ndarray | None = None


def load_items(cf_path: Path | None, av_path: Path | None) -> list[tuple[str, str, str, object, list]]:
    from claims.eval.averitec import load_averitec
    from claims.eval.climate_fever import load_climate_fever
    from claims.eval.judging import EvidenceText, hash_split, make_claim

    items = []
    if cf_path and cf_path.is_file():
        for c in load_climate_fever(cf_path):
            items.append(("climate-fever", hash_split(c.text), c.label,
                          make_claim(c.text, key=f"climate-fever:{c.claim_id}"),
                          [EvidenceText(e.text, source=e.article) for e in c.evidences]))
    if av_path and av_path.is_file():
        for c in load_averitec(av_path):
            items.append(("averitec", hash_split(c.text), c.label,
                          make_claim(c.text, claim_date=c.claim_date, key=f"averitec:{c.text}"), list(c.evidence)))
    return items


def prepare(items, settings, cache_path: Path) -> list[Prepared]:  # noqa: ANN001
    from claims.extract import focus_text
    from claims.models import Document, Passage, stable_id
    from claims.pipeline import stance_model_for
    from claims.embed import embed_cached
    from claims.score.cache import predict_stance_cached
    from claims.embed import load_embedder
    from claims.store import Store

    embedder = load_embedder(settings.model, settings.embed_batch_size)
    store = Store(cache_path)
    store.migrate()
    focus = [focus_text(item[3]) for item in items]
    texts = sorted({item[3].text for item in items} | {f for f in focus if f}
                   | {e.text for item in items for e in item[4]})
    started = time.perf_counter()
    vectors = dict(zip(texts, embed_cached(texts, embedder, store)))
    log.info("%d texts embedded or read from the cache in %.0fs", len(texts), time.perf_counter() - started)
    prepared = []
    for (dataset, part, gold, claim, evidence), focus_str in zip(items, focus):
        documents, passages = {}, []
        for position, e in enumerate(evidence):
            doc = Document(id=stable_id(claim.id, position), text=e.text, url=e.url, outlet=e.source,
                           published_at=e.published_at, source_kind="eval")
            documents[doc.id] = doc
            passages.append(Passage(id=stable_id(doc.id, "p0"), document_id=doc.id, position=0, text=e.text,
                                    start=0, end=len(e.text)))
        pv = (np.stack([vectors[p.text] for p in passages]) if passages
              else np.zeros((0, embedder.dimension), dtype=np.float32))
        prepared.append(Prepared(dataset, part, gold, claim, passages, documents, vectors[claim.text],
                                 vectors[focus_str] if focus_str else vectors[claim.text], pv))
    # Stance for every (claim, passage) pair in one call, through the cache in the same file.
    stance = stance_model_for(settings)
    started = time.perf_counter()
    owners = [i for i, p in enumerate(prepared) for _ in p.passages]
    if owners:
        probs = predict_stance_cached(
            store, stance, [prepared[i].claim.text for i in owners], [x.text for p in prepared for x in p.passages],
            np.stack([prepared[i].claim_vec for i in owners]), np.concatenate([p.passage_vecs for p in prepared if p.passages]))
        offset = 0
        for p in prepared:
            if p.passages:
                p.probs = probs[offset:offset + len(p.passages)]
                offset += len(p.passages)
    log.info("stance of %d pairs (%s) in %.0fs", len(owners), stance.name, time.perf_counter() - started)
    return prepared


def judge(p: Prepared, settings, policy):  # noqa: ANN001, ANN201
    """pipeline.judge_claims for one claim, with an explicit policy (same functions, same order)."""
    from claims.pipeline import select_evidence
    from claims.score.retrieve import rank_passages
    from claims.score.verdict import assess_evidence, decide

    ranking = rank_passages([p.claim.text], p.claim_vec[None, :], [x.text for x in p.passages], p.passage_vecs,
                            max(settings.candidates, settings.top_k), settings.min_similarity,
                            focus_vectors=p.focus_vec[None, :], method=settings.retrieval, rrf_k=settings.rrf_k)[0]
    hits = [(p.passages[j], p.documents[p.passages[j].document_id], sim) for j, sim in ranking]
    probs = p.probs[[j for j, _ in ranking]] if (p.probs is not None and hits) else None
    assessed = assess_evidence(p.claim, hits, policy, probs)
    return decide(p.claim, select_evidence(assessed, settings.top_k), policy)


def score(prepared: list[Prepared], verdicts, part: str) -> dict:  # noqa: ANN001
    out = {}
    for dataset in sorted({p.dataset for p in prepared}):
        idx = [i for i, p in enumerate(prepared) if p.dataset == dataset and (part == "all" or p.part == part)]
        gold = [prepared[i].gold for i in idx]
        pred = [verdicts[i].label for i in idx]
        conf = [verdicts[i].confidence for i in idx]
        out[dataset] = {"n": len(idx), "accuracy": round(accuracy(gold, pred), 4),
                        "macro_f1": round(macro_f1(gold, pred, LABELS), 4),
                        "ece": round(expected_calibration_error(conf, [g == q for g, q in zip(gold, pred)]), 4)}
    return out


def objective(metrics: dict) -> float:
    return float(np.mean([(m["accuracy"] + m["macro_f1"]) / 2 for m in metrics.values()]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--climate-fever", type=Path,
                        default=Path("../shared/data/climate-fever/climate-fever-dev.jsonl"))
    parser.add_argument("--averitec", type=Path, default=Path("../shared/data/averitec/train.json"))
    parser.add_argument("--out", type=Path, default=Path("claims/score/data/verdict_calibration.json"))
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "claims" / "eval-embeddings.duckdb")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from claims.score.calibration import fit_calibration
    from claims.score.verdict import VerdictPolicy
    from claims.pipeline import policy_from_settings
    from claims.settings import Settings

    # The numeric judgement of a (claim, passage) pair does not depend on the thresholds
    # searched here: remember it across the grid (a pure speed-up; same function, same results).
    import functools

    import claims.score.verdict as verdict_module

    verdict_module.judge_numbers = functools.lru_cache(maxsize=None)(verdict_module.judge_numbers)

    settings = Settings(db=args.cache)
    items = load_items(args.climate_fever, args.averitec)
    if not items:
        raise SystemExit("no data: pass --climate-fever and/or --averitec files")
    prepared = prepare(items, settings, args.cache)
    from claims.pipeline import stance_model_for

    stance_model_name = stance_model_for(settings).name
    base = dataclasses.replace(policy_from_settings(settings), calibrate=False) \
        if "calibrate" in {f.name for f in dataclasses.fields(VerdictPolicy)} else policy_from_settings(settings)
    fields = {f.name for f in dataclasses.fields(VerdictPolicy)}
    grid = {"min_stance_probability": [0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6]}
    if "min_refute_probability" in fields:
        grid["min_refute_probability"] = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    grid["conflict_share"] = [0.1, 0.2, 0.35]
    dev = [p for p in prepared if p.part == "dev"]
    best = None
    started = time.perf_counter()
    for values in itertools.product(*grid.values()):
        params = dict(zip(grid, values))
        policy = dataclasses.replace(base, **params)
        metrics = score(dev, [judge(p, settings, policy) for p in dev], "dev")
        value = objective(metrics)
        if best is None or value > best[0]:
            best = (value, params, metrics)
            log.info("best so far %.4f %s %s", value, params, metrics)
    log.info("grid of %d points in %.0fs", int(np.prod([len(v) for v in grid.values()])), time.perf_counter() - started)
    _, params, dev_metrics = best
    policy = dataclasses.replace(base, **params)
    verdicts = [judge(p, settings, policy) for p in prepared]
    dev_idx = [i for i, p in enumerate(prepared) if p.part == "dev"]
    calibration = fit_calibration([verdicts[i].label for i in dev_idx], [verdicts[i].confidence for i in dev_idx],
                                  [verdicts[i].label == prepared[i].gold for i in dev_idx],
                                  groups=[prepared[i].dataset for i in dev_idx])
    raw = {"dev": score(prepared, verdicts, "dev"), "test": score(prepared, verdicts, "test")}
    for v in verdicts:
        v.confidence = calibration.apply(v.label, v.confidence)
    calibrated = {"dev": score(prepared, verdicts, "dev"), "test": score(prepared, verdicts, "test")}
    calibration.policy = {k: float(v) for k, v in params.items()}
    calibration.meta = {
        "fitted_on": "dev halves (hash of claim text) of: " + ", ".join(
            str(p) for p in (args.climate_fever, args.averitec) if p and p.is_file()),
        "grid": grid, "objective": "mean over datasets of (accuracy + macro-F1) / 2 on the dev halves",
        "before_calibration": raw, "after_calibration": calibrated,
        "stance_model": stance_model_name,
        "command": "scripts/calibrate_verdicts.py " + " ".join(sys.argv[1:]),
    }
    print(json.dumps({"policy": calibration.policy, "before": raw, "after": calibrated}, indent=1))
    if not args.no_write:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(calibration.to_json(), indent=1, default=str) + "\n", encoding="utf-8")
        log.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
