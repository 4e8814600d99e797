"""``claims eval climate-fever``: evidence ranking, sentence stance and claim verdicts.

Input: Climate-FEVER JSON lines (``claim_id, claim, claim_label, evidences[5]`` with
``evidence_id, article, evidence, evidence_label``), any file of that layout.

* Evidence ranking: every evidence sentence of the file forms one corpus; each claim
  ranks it by cosine similarity; recall@5 of the claim's own SUPPORTS/REFUTES sentences
  (claims with at least one such sentence).
* Sentence stance: the stance of each (claim, own sentence) pair, macro-F1 over
  support/refute/neutral, from the stance model alone and as the pipeline assesses it
  (numbers first, the similarity floor; a sentence the pipeline drops counts as neutral).
* Claim verdicts: each claim judged on its own 5 sentences by the pipeline's
  :func:`~claims.pipeline.judge_claims` (one vote per Wikipedia article); accuracy and
  macro-F1 over the 4 labels, DISPUTED = conflicting; expected calibration error of the
  verdict confidence.

Figures are given for the whole file and for two halves chosen by a hash of the claim
text: ``dev`` (where verdict thresholds and calibration may be tuned) and ``test``
(held out).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from claims.embed import load_embedder
from claims.errors import InputError
from claims.eval.files import jsonl_rows
from claims.eval.judging import EvidenceText, hash_split, judge_all, make_claim
from claims.eval.metrics import classification_report, recall_at_k
from claims.eval.verdicts import verdict_metrics
from claims.score.retrieve import rank_passages
from claims.score.stance import load_stance_model

if TYPE_CHECKING:  # pragma: no cover
    from claims.settings import Settings

__all__ = ["STANCE_OF", "VERDICT_OF", "CFClaim", "evaluate_climate_fever", "load_climate_fever"]

log = logging.getLogger(__name__)

VERDICT_OF = {"SUPPORTS": "supported", "REFUTES": "refuted", "NOT_ENOUGH_INFO": "not_enough_evidence",
              "DISPUTED": "conflicting"}
STANCE_OF = {"SUPPORTS": "support", "REFUTES": "refute", "NOT_ENOUGH_INFO": "neutral"}
STANCE_LABELS = ("support", "refute", "neutral")


@dataclass(frozen=True)
class CFEvidence:
    evidence_id: str
    article: str
    text: str
    label: str  # support | refute | neutral


@dataclass(frozen=True)
class CFClaim:
    claim_id: str
    text: str
    label: str  # a verdict label
    evidences: tuple[CFEvidence, ...]


def load_climate_fever(path: Path) -> list[CFClaim]:
    """Read a Climate-FEVER JSON-lines file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Climate-FEVER file {path} not found: give a .jsonl file (climate-fever-dev.jsonl)")
    claims = []
    for number, value in jsonl_rows(path):
        row = cast("dict[str, Any]", value)  # another JSON value: a TypeError below, reported
        try:
            label = VERDICT_OF[row["claim_label"]]
            evidences = tuple(
                CFEvidence(str(e["evidence_id"]), str(e.get("article") or e["evidence_id"].split(":")[0]),
                           e["evidence"], STANCE_OF[e["evidence_label"]])
                for e in row["evidences"]
            )
            claims.append(CFClaim(str(row["claim_id"]), row["claim"], label, evidences))
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{path}:{number} is not a Climate-FEVER record ({exc.__class__.__name__}: {exc}): "
                             "expected claim_id, claim, claim_label and evidences") from None
    if not claims:
        raise InputError(f"{path} holds no claims")
    return claims


def _ranking(claims: list[CFClaim], claim_vecs: np.ndarray, corpus_ids: list[str], corpus_texts: list[str],
             corpus_vecs: np.ndarray, settings: Settings, k: int = 5) -> dict:
    """Recall@k of each claim's own sentences in the pooled corpus, ranked as the pipeline
    ranks passages (``settings.retrieval``), with the dense-only figure beside it."""
    decisive = [{e.evidence_id for e in c.evidences if e.label != "neutral"} for c in claims]
    own = [{e.evidence_id for e in c.evidences} for c in claims]
    out: dict = {"corpus_sentences": len(corpus_ids), "claims_with_decisive_evidence": sum(1 for d in decisive if d),
                 "retrieval": settings.retrieval}
    methods = [settings.retrieval] + (["dense"] if settings.retrieval != "dense" else [])
    for method in methods:
        rankings = rank_passages([c.text for c in claims], claim_vecs, corpus_texts, corpus_vecs, k,
                                 method=method, rrf_k=settings.rrf_k)
        ranked = [[corpus_ids[j] for j, _ in row] for row in rankings]
        suffix = "" if method == settings.retrieval else f"_{method}"
        out[f"recall@{k}_supports_refutes{suffix}"] = round(recall_at_k(ranked, decisive, k), 4)
        out[f"recall@{k}_any_own_sentence{suffix}"] = round(recall_at_k(ranked, own, k), 4)
    return out


def _claim_metrics(gold: list[str], pred: list[str], confidence: list[float], train_labels: list[str]) -> dict:
    report = verdict_metrics(gold, pred, confidence, train_labels)
    report["always_supported"] = {
        "accuracy": round(float(np.mean([g == "supported" for g in gold])) if gold else 0.0, 4)}
    return report


def evaluate_climate_fever(path: Path, settings: Settings, *, limit: int | None = None) -> dict:
    """All Climate-FEVER metrics for ``path`` as one JSON-ready dict (with ``seconds``)."""
    started = time.perf_counter()
    claims = load_climate_fever(path)
    if limit:
        claims = claims[:limit]
    embedder = load_embedder(settings.model, settings.embed_batch_size, settings.embedding_backend,
                             onnx_dir=settings.onnx_dir)
    stance = load_stance_model(settings)

    # 1. Evidence ranking over the pooled corpus.
    corpus: dict[str, str] = {}
    for c in claims:
        for e in c.evidences:
            corpus.setdefault(e.evidence_id, e.text)
    corpus_ids = list(corpus)
    texts = sorted(set(corpus.values()) | {c.text for c in claims})
    vec = dict(zip(texts, embedder.encode(texts)))
    claim_vecs = np.stack([vec[c.text] for c in claims])
    ranking = _ranking(claims, claim_vecs, corpus_ids, [corpus[i] for i in corpus_ids],
                       np.stack([vec[corpus[i]] for i in corpus_ids]), settings)

    # 2. Sentence stance from the model alone.
    pairs = [(c, e) for c in claims for e in c.evidences]
    probs = stance.predict([c.text for c, _ in pairs], [e.text for _, e in pairs],
                           np.stack([vec[c.text] for c, _ in pairs]), np.stack([vec[e.text] for _, e in pairs]))
    model_pred = [STANCE_LABELS[i] for i in probs.argmax(axis=1)]
    sentence_gold = [e.label for _, e in pairs]

    # 3. Claim verdicts through the pipeline's judging code.
    claim_objs = [make_claim(c.text, key=f"climate-fever:{c.claim_id}") for c in claims]
    evidence = [[EvidenceText(e.text, source=e.article) for e in c.evidences] for c in claims]
    verdicts = judge_all(claim_objs, evidence, settings, embedder, stance)
    assessed_pred: list[str] = []
    for c, v in zip(claims, verdicts):
        by_text = {ev.passage.text: ev.stance for ev in v.evidence}
        assessed_pred.extend(by_text.get(e.text, "neutral") for e in c.evidences)

    split = [hash_split(c.text) for c in claims]
    sentence_split = [s for s, c in zip(split, claims) for _ in c.evidences]
    result: dict = {"data": str(path), "claims": len(claims), "model": embedder.name, "stance_model": stance.name,
                    "split": "dev/test = halves by a hash of the claim text; test is never tuned on",
                    "gold_labels": dict(Counter(c.label for c in claims)), "evidence_ranking": ranking}
    for part in ("all", "dev", "test"):
        keep = [i for i, s in enumerate(split) if part == "all" or s == part]
        skeep = [i for i, s in enumerate(sentence_split) if part == "all" or s == part]
        if not keep:
            continue
        dev_labels = [claims[i].label for i, s in enumerate(split) if s == "dev"] or [claims[i].label for i in keep]
        result[part] = {
            "claim_verdicts": _claim_metrics([claims[i].label for i in keep], [verdicts[i].label for i in keep],
                                             [verdicts[i].confidence for i in keep], dev_labels),
            "sentence_stance_model": classification_report([sentence_gold[i] for i in skeep],
                                                           [model_pred[i] for i in skeep], STANCE_LABELS),
            "sentence_stance_pipeline": classification_report([sentence_gold[i] for i in skeep],
                                                              [assessed_pred[i] for i in skeep], STANCE_LABELS),
        }
        for key in ("sentence_stance_model", "sentence_stance_pipeline"):
            result[part][key].pop("confusion", None)
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result
