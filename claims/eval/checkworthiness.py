"""Check-worthiness on CheckThat! task-1 data: the TSV loader and ``evaluate_checkworthiness``.

The format (CLEF CheckThat! 2024 task 1, English): a header, then tab-separated
``Sentence_id``, ``Text``, ``class_label`` (``Yes``/``No``), with double-quoted fields. The
public training file has one malformed row (a quoting glitch merges two lines); rows
that cannot be read are skipped with a warning instead of failing the run.
"""

from __future__ import annotations

import csv
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from claims.embed import load_embedder
from claims.errors import InputError
from claims.extract.checkworthiness import FEATURES, CheckworthinessModel, sentence_features
from claims.settings import Settings

__all__ = ["LabelledSentence", "evaluate_checkworthiness", "prf", "read_checkthat_tsv"]

log = logging.getLogger(__name__)

_LABELS = {"yes": 1, "no": 0}
_MERGED_LABEL = re.compile(r"(Yes|No)(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class LabelledSentence:
    id: str
    text: str
    label: int  # 1 = check-worthy ("Yes")


def read_checkthat_tsv(path: Path) -> list[LabelledSentence]:
    """Rows of a CheckThat! TSV; malformed rows are logged and skipped."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} not found: pass a CheckThat! TSV file (Sentence_id, Text, class_label)")
    rows: list[LabelledSentence] = []
    skipped = 0
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quotechar='"')
        header = next(reader, None)
        if header is None:
            raise InputError(f"{path} is empty: pass a CheckThat! TSV file with a header row")
        names = [h.strip().lower() for h in header]
        try:
            i_id, i_text, i_label = names.index("sentence_id"), names.index("text"), names.index("class_label")
        except ValueError:
            raise InputError(
                f"{path} lacks the columns Sentence_id, Text, class_label (found {header}): "
                "pass a CheckThat! task-1 TSV"
            ) from None
        for line_no, row in enumerate(reader, start=2):
            if not row or all(not cell.strip() for cell in row):
                continue
            merged = _MERGED_LABEL.fullmatch(row[i_label].strip()) if len(row) == 5 and i_label == 2 else None
            if merged:
                # A lost line break: "No29286" is a label followed by the next row's id.
                log.warning("%s: splitting two rows merged near line %d", path.name, line_no)
                first = [row[0], row[1], merged.group(1)]
                second = [merged.group(2), row[3], row[4]]
                for part in (first, second):
                    if part[2].strip().lower() in _LABELS and part[1].strip():
                        rows.append(LabelledSentence(part[0].strip(), part[1].strip(), _LABELS[part[2].strip().lower()]))
                    else:
                        skipped += 1
                continue
            try:
                label = _LABELS[row[i_label].strip().lower()]
                text = row[i_text].strip()
            except (IndexError, KeyError):
                skipped += 1
                log.warning("%s: skipping malformed row near line %d: %.80r", path.name, line_no, row)
                continue
            if not text:
                skipped += 1
                log.warning("%s: skipping row near line %d with empty text", path.name, line_no)
                continue
            rows.append(LabelledSentence(row[i_id].strip(), text, label))
    if skipped:
        log.warning("%s: %d malformed row(s) skipped, %d read", path.name, skipped, len(rows))
    if not rows:
        raise InputError(f"{path} has no readable rows: check that it is a CheckThat! task-1 TSV")
    return rows


def prf(gold: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class."""
    gold = np.asarray(gold, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    tp = int(np.sum(gold & pred))
    fp = int(np.sum(~gold & pred))
    fn = int(np.sum(gold & ~pred))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate_checkworthiness(path: Path, settings: Settings) -> dict:
    """Score every sentence of a CheckThat! TSV with the shipped model at the configured
    threshold; precision, recall and F1 of the "Yes" class, sentence count and seconds, and
    the same on the sentences with a figure (``figure_sentences``: numeric claims must not
    be missed)."""
    rows = read_checkthat_tsv(path)
    started = time.perf_counter()
    model = CheckworthinessModel.load()
    embedder = load_embedder(settings.model, batch_size=settings.embed_batch_size,
                             backend=settings.embedding_backend, onnx_dir=settings.onnx_dir)
    scores = model.score([r.text for r in rows], embedder=embedder)
    threshold = settings.checkworthiness_threshold
    gold = np.array([r.label for r in rows], dtype=bool)
    pred = scores >= threshold
    precision, recall, f1 = prf(gold, pred)
    seconds = time.perf_counter() - started
    figure = sentence_features([r.text for r in rows])[:, FEATURES.index("figure")] > 0
    fp, fr, ff = prf(gold[figure], pred[figure])
    return {
        "data": str(path),
        "n_sentences": len(rows),
        "n_positive": int(gold.sum()),
        "n_predicted": int(pred.sum()),
        "threshold": round(float(threshold), 4),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "seconds": round(seconds, 2),
        "sentences_per_second": round(len(rows) / seconds, 1) if seconds > 0 else None,
        "model": model.name,
        "figure_sentences": {"n_sentences": int(figure.sum()), "n_positive": int(gold[figure].sum()),
                             "precision": round(fp, 4), "recall": round(fr, 4), "f1": round(ff, 4)},
    }
