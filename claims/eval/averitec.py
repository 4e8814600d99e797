"""``claims eval averitec``: verdicts from AVeriTeC's question-answer evidence.

Input: an AVeriTeC JSON array (``claim, label, claim_date, claim_types, questions[]`` with
``answers[]`` of ``answer, answer_type, source_url, boolean_explanation``), any file of
that layout (train.json, dev.json).

Each answer becomes one passage, "question answer (explanation)", whose source is the
host of its ``source_url`` (one vote per site); unanswerable answers carry no evidence
and are left out. Each claim is judged on its own passages by the pipeline's
:func:`~claims.pipeline.judge_claims`, with the claim's date as its date. Reported:
accuracy and macro-F1 over the 4 labels, overall and for claims typed "Numerical
Claim", beside the majority label (taken from the dev part) and the expected
calibration error of the confidence.

Split: ``dev`` and ``test`` halves by a hash of the claim text. Verdict thresholds and
calibration may only be tuned on ``dev``; ``test`` is held out.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from claims.embed import load_embedder
from claims.errors import InputError
from claims.eval.climate_fever import VERDICT_LABELS, _claim_metrics
from claims.eval.judging import EvidenceText, hash_split, judge_all, make_claim
from claims.score.stance import load_stance_model

if TYPE_CHECKING:  # pragma: no cover
    from claims.settings import Settings

__all__ = ["AveritecClaim", "load_averitec", "evaluate_averitec", "LABEL_OF"]

log = logging.getLogger(__name__)

LABEL_OF = {
    "supported": "supported",
    "refuted": "refuted",
    "not enough evidence": "not_enough_evidence",
    "conflicting evidence/cherrypicking": "conflicting",
}
SPLITS = ("all", "dev", "test")


@dataclass(frozen=True)
class AveritecClaim:
    text: str
    label: str
    claim_date: date | None
    numerical: bool
    evidence: tuple[EvidenceText, ...]


def _date(value: object) -> date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    parts = value.strip().split("-")
    try:
        day, month, year = (int(p) for p in parts)
        return date(year, month, day)
    except ValueError:
        return None


def _evidence(questions: list[dict]) -> tuple[EvidenceText, ...]:
    out = []
    for q in questions or []:
        for a in q.get("answers") or []:
            if a.get("answer_type") == "Unanswerable":
                continue
            text = f"{q.get('question', '').strip()} {str(a.get('answer', '')).strip()}".strip()
            if a.get("boolean_explanation"):
                text += f" ({a['boolean_explanation'].strip()})"
            url = a.get("source_url") or None
            host = (urlsplit(url).hostname or "") if url else ""
            out.append(EvidenceText(text, source=host.removeprefix("www.") or f"answer-{len(out)}", url=url))
    return tuple(out)


def load_averitec(path: Path) -> list[AveritecClaim]:
    """Read an AVeriTeC JSON file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"AVeriTeC file {path} not found: give a .json file (train.json or dev.json)")
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON ({exc.msg} at line {exc.lineno}): give an AVeriTeC .json") from None
    if not isinstance(rows, list):
        raise InputError(f"{path} is not an AVeriTeC file: expected a JSON array of claims")
    claims = []
    for number, row in enumerate(rows):
        try:
            label = LABEL_OF[str(row["label"]).strip().lower()]
            claims.append(AveritecClaim(
                text=row["claim"], label=label, claim_date=_date(row.get("claim_date")),
                numerical="Numerical Claim" in (row.get("claim_types") or []),
                evidence=_evidence(row.get("questions") or []),
            ))
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{path}: record {number} is not an AVeriTeC claim ({exc.__class__.__name__}: {exc}): "
                             "expected claim, label and questions") from None
    if not claims:
        raise InputError(f"{path} holds no claims")
    return claims


def evaluate_averitec(path: Path, settings: "Settings", *, split: str = "test", limit: int | None = None) -> dict:
    """Verdict metrics on the ``split`` part of ``path`` (all | dev | test)."""
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    started = time.perf_counter()
    every = load_averitec(path)
    parts = [hash_split(c.text) for c in every]
    dev_labels = [c.label for c, p in zip(every, parts) if p == "dev"] or [c.label for c in every]
    claims = [c for c, p in zip(every, parts) if split == "all" or p == split]
    if limit:
        claims = claims[:limit]
    if not claims:
        raise InputError(f"{path} has no claims in the {split} part")
    embedder = load_embedder(settings.model, settings.embed_batch_size, settings.embedding_backend,
                             onnx_dir=settings.onnx_dir)
    stance = load_stance_model(settings)
    claim_objs = [make_claim(c.text, claim_date=c.claim_date, key=f"averitec:{c.text}") for c in claims]
    verdicts = judge_all(claim_objs, [list(c.evidence) for c in claims], settings, embedder, stance)
    gold = [c.label for c in claims]
    pred = [v.label for v in verdicts]
    conf = [v.confidence for v in verdicts]
    numerical = [i for i, c in enumerate(claims) if c.numerical]
    dev_numerical = [c.label for c, p in zip(every, parts) if p == "dev" and c.numerical] or dev_labels
    result = {
        "data": str(path), "split": split,
        "split_rule": "dev/test = halves by a hash of the claim text; test is never trained or tuned on",
        "claims": len(claims), "model": embedder.name, "stance_model": stance.name,
        "gold_labels": dict(Counter(gold)),
        "passages_per_claim": round(sum(len(c.evidence) for c in claims) / len(claims), 2),
        "overall": _claim_metrics(gold, pred, conf, dev_labels),
        "numerical_claims": _claim_metrics([gold[i] for i in numerical], [pred[i] for i in numerical],
                                           [conf[i] for i in numerical], dev_numerical) if numerical else {"n": 0},
        "seconds": round(time.perf_counter() - started, 2),
    }
    return result


__all__ += ["VERDICT_LABELS"]
