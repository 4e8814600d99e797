"""Verdicts on labelled claims: the metrics every ``claims eval`` verdict command reports, and
``claims eval verdicts`` for users' own files.

A user's file is JSON lines, one claim a line::

    {"id": "c1", "claim": "8,000 North Korean soldiers are in Kursk.", "claim_date": "2024-11-01",
     "label": "supported",
     "evidence": [{"text": "About 8,000 North Korean soldiers are in Russia's Kursk region ...",
                   "source": "Example Wire", "url": "https://...", "published": "2024-10-31"}]}

``label`` is one of ``supported``, ``refuted``, ``conflicting``, ``not_enough_evidence``;
``claim_date`` and ``published`` are ISO dates or null; ``url`` may be null. An evidence
text may be a whole article: it is cut into passages as the pipeline cuts documents. An
optional ``speaker`` names who made the claim (what they are reported to have said is the
claim itself, not evidence for it). Each claim is judged on its own evidence only, by the
pipeline's own code (:func:`claims.eval.judging.judge_all`).

Reported for each part (the whole file and, by a hash of the claim text, the ``dev`` half
where thresholds may be tuned and the held-out ``test`` half):

* accuracy and macro-F1 over the labels that occur in the gold data;
* per label: precision, recall, F1, how often predicted;
* ``decisive_share``: the share of claims called ``supported`` or ``refuted``;
* ``precision_coverage``: for confidence cut-offs, the share of claims that get a
  decisive verdict at or above the cut-off and the precision of those verdicts (overall
  and per decisive label) -- how much a user can trust what the pipeline commits to;
* the expected calibration error of the confidence (the probability that the label is
  right), and the majority label of the dev half as a baseline.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from claims.embed import embedder_for
from claims.errors import InputError
from claims.eval.files import jsonl_rows
from claims.eval.judging import EvidenceText, hash_split, judge_all, make_claim
from claims.eval.metrics import accuracy, confusion, expected_calibration_error
from claims.pipeline import stance_model_for

if TYPE_CHECKING:  # pragma: no cover
    from claims.models import Verdict
    from claims.settings import Settings

__all__ = [
    "SPLITS",
    "VERDICT_LABELS",
    "LabelledClaim",
    "evaluate_labelled",
    "judge_labelled",
    "load_labelled_claims",
    "select_split",
    "verdict_metrics",
]

log = logging.getLogger(__name__)

VERDICT_LABELS = ("supported", "refuted", "not_enough_evidence", "conflicting")
SPLITS = ("all", "dev", "test")
CUTOFFS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass(frozen=True)
class LabelledClaim:
    """A claim with its gold verdict and its own evidence."""

    id: str
    text: str
    label: str
    evidence: tuple[EvidenceText, ...]
    claim_date: date | None = None
    speaker: str | None = None
    tags: tuple[str, ...] = ()  # e.g. "numerical" (AVeriTeC's claim types)


def _iso(value: object, where: str) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: a date must be an ISO string (YYYY-MM-DD) or null, got {value!r}")
    try:
        return datetime.fromisoformat(value.strip()).date()
    except ValueError:
        raise InputError(f"{where}: {value!r} is not an ISO date: write YYYY-MM-DD") from None


def load_labelled_claims(path: Path) -> list[LabelledClaim]:
    """Read a labelled-claims JSON-lines file (format in the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"labelled-claims file {path} not found: give a .jsonl file, one claim a line")
    claims: list[LabelledClaim] = []
    seen: set[str] = set()
    for number, row in jsonl_rows(path):
        where = f"{path}:{number}"
        if not isinstance(row, dict):
            raise InputError(f"{where}: expected a JSON object with id, claim, label and evidence")
        missing = [k for k in ("claim", "label", "evidence") if k not in row]
        if missing:
            raise InputError(f"{where}: missing {', '.join(missing)}: each line needs id, claim, claim_date, "
                             "label and evidence")
        label = str(row["label"]).strip().lower()
        if label not in VERDICT_LABELS:
            raise InputError(f"{where}: label {row['label']!r} is not one of {', '.join(VERDICT_LABELS)}")
        if not isinstance(row["evidence"], list):
            raise InputError(f"{where}: evidence must be a list of {{text, source, url, published}}")
        evidence = []
        for k, item in enumerate(row["evidence"]):
            if not isinstance(item, dict) or not str(item.get("text") or "").strip():
                raise InputError(f"{where}: evidence {k} has no text")
            published = _iso(item.get("published"), f"{where} evidence {k}")
            evidence.append(EvidenceText(
                str(item["text"]), source=str(item.get("source") or item.get("url") or f"source-{k}"),
                url=item.get("url") or None,
                published_at=datetime.combine(published, datetime.min.time()) if published else None))
        claim_id = str(row.get("id") if row.get("id") is not None else number)
        if claim_id in seen:
            raise InputError(f"{where}: id {claim_id!r} appears twice: ids must be unique")
        seen.add(claim_id)
        claims.append(LabelledClaim(claim_id, str(row["claim"]), label, tuple(evidence),
                                    _iso(row.get("claim_date"), where), row.get("speaker") or None))
    if not claims:
        raise InputError(f"{path} holds no claims")
    return claims


def select_split(claims: Sequence[LabelledClaim], split: str) -> list[LabelledClaim]:
    """The ``dev`` or ``test`` half (by a hash of the claim text) or ``all``."""
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    return [c for c in claims if split == "all" or hash_split(c.text) == split]


def judge_labelled(claims: Sequence[LabelledClaim], settings: Settings, *, embedder=None,
                   stance=None) -> list[Verdict]:
    """A verdict for each claim, judged by the pipeline's code on its own evidence."""
    embedder = embedder or embedder_for(settings)
    stance = stance or stance_model_for(settings)
    objs = [make_claim(c.text, claim_date=c.claim_date, key=f"{c.id}:{c.text}", speaker=c.speaker) for c in claims]
    return judge_all(objs, [list(c.evidence) for c in claims], settings, embedder, stance)


def _round(x: float | np.floating) -> float:
    return round(float(x), 4)


def verdict_metrics(gold: Sequence[str], pred: Sequence[str], confidence: Sequence[float],
                    train_labels: Sequence[str] | None = None) -> dict:
    """Accuracy, macro-F1 over the gold labels, per-label precision/recall/F1, the decisive
    share, the precision-coverage table, ECE and the majority baseline."""
    n = len(gold)
    labels = [label for label in VERDICT_LABELS if label in set(gold)]
    per_label = {}
    f1s = []
    for label in VERDICT_LABELS:
        tp = sum(g == p == label for g, p in zip(gold, pred))
        predicted = sum(p == label for p in pred)
        actual = sum(g == label for g in gold)
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": _round(precision), "recall": _round(recall), "f1": _round(f1),
                            "predicted": predicted, "gold": actual}
        if label in labels:
            f1s.append(f1)
    correct = [g == p for g, p in zip(gold, pred)]
    decisive = [p in ("supported", "refuted") for p in pred]
    coverage = []
    for cut in CUTOFFS:
        chosen = [i for i in range(n) if decisive[i] and confidence[i] >= cut]
        row = {"min_confidence": cut, "coverage": _round(len(chosen) / n) if n else 0.0,
               "claims": len(chosen), "precision": _round(np.mean([correct[i] for i in chosen])) if chosen else None}
        for label in ("supported", "refuted"):
            mine = [i for i in chosen if pred[i] == label]
            row[f"{label}_precision"] = _round(np.mean([correct[i] for i in mine])) if mine else None
        coverage.append(row)
    result = {
        "n": n,
        "accuracy": _round(accuracy(gold, pred)) if n else 0.0,
        "macro_f1": _round(np.mean(f1s)) if f1s else 0.0,
        "macro_f1_labels": labels,
        "gold_counts": dict(sorted(Counter(gold).items())),
        "per_label": per_label,
        "decisive_share": _round(np.mean(decisive)) if n else 0.0,
        "precision_coverage": coverage,
        "ece": _round(expected_calibration_error(confidence, correct)),
        "mean_confidence": _round(np.mean(confidence)) if n else 0.0,
        "confusion": confusion(gold, pred),
    }
    train = list(train_labels) if train_labels else list(gold)
    if train and n:
        top = Counter(train).most_common(1)[0][0]
        base = [top] * n
        base_f1 = [per_label_f1(gold, base, label) for label in labels]
        result["majority_baseline"] = {"label": top, "accuracy": _round(accuracy(gold, base)),
                                       "macro_f1": _round(np.mean(base_f1)) if base_f1 else 0.0}
    return result


def per_label_f1(gold: Sequence[str], pred: Sequence[str], label: str) -> float:
    tp = sum(g == p == label for g, p in zip(gold, pred))
    fp = sum(p == label and g != label for g, p in zip(gold, pred))
    fn = sum(g == label and p != label for g, p in zip(gold, pred))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def evaluate_labelled(claims: Sequence[LabelledClaim], settings: Settings, *, split: str = "test",
                      source: str = "", limit: int | None = None, extra: dict | None = None) -> dict:
    """Judge the ``split`` part of ``claims`` and report :func:`verdict_metrics` (overall and
    for claims tagged ``numerical``), with the wall time."""
    started = time.perf_counter()
    chosen = select_split(claims, split)
    if limit:
        chosen = chosen[:limit]
    if not chosen:
        raise InputError(f"{source or 'the file'} has no claims in the {split} part")
    dev_labels = [c.label for c in select_split(claims, "dev")] or [c.label for c in claims]
    verdicts = judge_labelled(chosen, settings)
    gold = [c.label for c in chosen]
    pred = [v.label for v in verdicts]
    conf = [v.confidence for v in verdicts]
    result: dict = {"data": source, "split": split,
                    "split_rule": "dev/test = halves by a hash of the claim text; test is never trained or tuned on",
                    "claims": len(chosen), "gold_labels": dict(Counter(gold)), **(extra or {}),
                    "evidence_per_claim": _round(np.mean([len(c.evidence) for c in chosen])),
                    "overall": verdict_metrics(gold, pred, conf, dev_labels)}
    numerical = [i for i, c in enumerate(chosen) if "numerical" in c.tags]
    if numerical:
        dev_num = [c.label for c in select_split(claims, "dev") if "numerical" in c.tags] or dev_labels
        result["numerical_claims"] = verdict_metrics([gold[i] for i in numerical], [pred[i] for i in numerical],
                                                     [conf[i] for i in numerical], dev_num)
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def evaluate_verdicts_file(path: Path, settings: Settings, *, split: str = "test", limit: int | None = None) -> dict:
    """``claims eval verdicts``: a labelled-claims JSON-lines file."""
    return evaluate_labelled(load_labelled_claims(path), settings, split=split, source=str(path), limit=limit)


__all__ += ["evaluate_verdicts_file"]
