"""``claims eval averitec``: verdicts from AVeriTeC's question-answer evidence.

Input: an AVeriTeC JSON array (``claim, label, claim_date, claim_types, questions[]`` with
``answers[]`` of ``answer, answer_type, source_url, boolean_explanation``), any file of
that layout (train.json, dev.json).

Each answer becomes one passage, "question answer (explanation)", whose source is the
host of its ``source_url`` (one vote per site); unanswerable answers carry no evidence
and are left out. Each claim is judged on its own passages by the pipeline's
:func:`~claims.pipeline.judge_claims`, with the claim's date as its date. Reported:
the metrics of :func:`claims.eval.verdicts.verdict_metrics`, overall and for claims typed "Numerical
Claim", beside the majority label (taken from the dev part) and the expected
calibration error of the confidence.

Split: ``dev`` and ``test`` halves by a hash of the claim text. Verdict thresholds and
calibration may only be tuned on ``dev``; ``test`` is held out.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from claims.errors import InputError
from claims.eval.judging import EvidenceText
from claims.eval.verdicts import SPLITS, LabelledClaim, evaluate_labelled

if TYPE_CHECKING:  # pragma: no cover
    from claims.settings import Settings

__all__ = ["LABEL_OF", "evaluate_averitec", "load_averitec"]

log = logging.getLogger(__name__)

LABEL_OF = {
    "supported": "supported",
    "refuted": "refuted",
    "not enough evidence": "not_enough_evidence",
    "conflicting evidence/cherrypicking": "conflicting",
}


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
    out: list[EvidenceText] = []
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


def load_averitec(path: Path) -> list[LabelledClaim]:
    """Read an AVeriTeC JSON file (claims typed "Numerical Claim" are tagged ``numerical``)."""
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
            numerical = "Numerical Claim" in (row.get("claim_types") or [])
            claims.append(LabelledClaim(
                id=str(number), text=row["claim"], label=label, claim_date=_date(row.get("claim_date")),
                evidence=_evidence(row.get("questions") or []),
                speaker=(row.get("speaker") or None) if isinstance(row.get("speaker"), str) else None,
                tags=("numerical",) if numerical else (),
            ))
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{path}: record {number} is not an AVeriTeC claim ({exc.__class__.__name__}: {exc}): "
                             "expected claim, label and questions") from None
    if not claims:
        raise InputError(f"{path} holds no claims")
    return claims


def evaluate_averitec(path: Path, settings: Settings, *, split: str = "test", limit: int | None = None) -> dict:
    """Verdict metrics on the ``split`` part of ``path`` (all | dev | test)."""
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    return evaluate_labelled(load_averitec(path), settings, split=split, source=str(path), limit=limit)
