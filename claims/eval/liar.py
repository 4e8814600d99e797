"""``claims eval liar-plus``: PolitiFact claims judged on the fact-checker's own justification.

Input: LIAR-PLUS JSON lines (``id, label, claim, originator, justification, ...``), any
file of that layout (val2.jsonl, test2.jsonl, train2.jsonl). Each claim's evidence is its
justification, one source (the fact-check), cut into passages as the pipeline cuts
documents; the claimant (``originator``) is known, so what the justification reports the
claimant as saying is the claim itself, not evidence for it. Rows without a
justification are skipped (and counted).

Labels are mapped from PolitiFact's Truth-O-Meter (stated in the output):
true, mostly-true -> supported; half-true -> conflicting; barely-true, false,
pants-fire -> refuted. The gold data has no ``not_enough_evidence``: a claim the pipeline
leaves undecided counts as wrong, and macro-F1 is over the three gold labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from claims.errors import InputError
from claims.eval.files import jsonl_rows
from claims.eval.judging import EvidenceText
from claims.eval.verdicts import LabelledClaim, evaluate_labelled

if TYPE_CHECKING:  # pragma: no cover
    from claims.settings import Settings

__all__ = ["LABEL_OF", "evaluate_liar_plus", "load_liar_plus"]

LABEL_OF = {"true": "supported", "mostly-true": "supported", "half-true": "conflicting",
            "barely-true": "refuted", "false": "refuted", "pants-fire": "refuted"}
SOURCE = "PolitiFact"


def _speaker(originator: object) -> str | None:
    if not isinstance(originator, str) or not originator.strip():
        return None
    return " ".join(part.capitalize() for part in originator.replace("-", " ").split())


def load_liar_plus(path: Path) -> tuple[list[LabelledClaim], int]:
    """(claims with a justification, number of rows skipped for having none)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"LIAR-PLUS file {path} not found: give a .jsonl file (val2.jsonl, test2.jsonl)")
    claims: list[LabelledClaim] = []
    skipped = 0
    for number, row in jsonl_rows(path):
        try:
            if not isinstance(row, dict):
                raise TypeError(f"a JSON {type(row).__name__}, not an object")
            label = LABEL_OF[str(row["label"]).strip().lower()]
            text = str(row["claim"])
            justification = str(row.get("justification") or "").strip()
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{path}:{number} is not a LIAR-PLUS record ({exc.__class__.__name__}: {exc}): "
                             "expected id, label, claim and justification") from None
        if not justification:
            skipped += 1
            continue
        claims.append(LabelledClaim(str(row.get("id", number)), text, label,
                                    (EvidenceText(justification, source=SOURCE),),
                                    speaker=_speaker(row.get("originator"))))
    if not claims:
        raise InputError(f"{path} holds no claims with a justification")
    return claims, skipped


def evaluate_liar_plus(paths: Path | Sequence[Path], settings: Settings, *, split: str = "test",
                       limit: int | None = None) -> dict:
    """Verdict metrics on the ``split`` part of one or several LIAR-PLUS files."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    claims: list[LabelledClaim] = []
    skipped = 0
    for path in paths:
        found, missing = load_liar_plus(path)
        claims += found
        skipped += missing
    return evaluate_labelled(claims, settings, split=split, source=", ".join(map(str, paths)), limit=limit, extra={
        "label_mapping": "true, mostly-true -> supported; half-true -> conflicting; "
                         "barely-true, false, pants-fire -> refuted",
        "skipped_without_justification": skipped})
