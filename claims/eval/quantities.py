"""Figures in real claims: exact-match precision and recall of :func:`parse_quantities`.

The table is JSON lines, one sentence a line::

    {"source": "averitec/train.json#27", "sha256": "…", "figures": [...], "not_figures": [...]}
    {"text": "Russia sent 8,000 soldiers.", "figures": [{"kind": "count", "value": 8000, "unit": "soldiers"}]}

A row holds its sentence as ``text``, or names it as ``source`` = ``PATH#N``: the ``claim``
field of the N-th record (from 0) of a JSON array or JSON-lines file under ``sources``
(the public data folder; the project's own table only points into it, because those
datasets may not be copied into the repository). ``sha256`` (a prefix of the hash of the
stripped sentence) guards against a different file under the same name.

A figure is ``kind`` (count, money, percent, measure), ``unit`` (the counted thing's head
noun, an ISO currency code, ``%``, or the measure's unit; null when the text names
nothing after the figure) and one of: ``value`` (exact or hedged, "about 2%"), ``low`` and
``high`` (a range; a null end is an open bound: "more than 80%" is low 80, high null).
``not_figures`` lists what must not be read as one (dates, identifiers such as
"COVID-19", references such as "the two countries"); it documents the table and is not
scored, except that anything the parser returns counts against precision unless it
matches a figure.

A predicted quantity matches a gold figure when the kind is the same, the numbers are
equal (to 1e-6 relative) and the units name the same thing (:func:`counted_head` for
counts, singular for measures). Each gold figure matches at most one prediction.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claims.errors import InputError
from claims.eval.files import jsonl_rows
from claims.extract.quantities import counted_head, parse_quantities
from claims.models import Quantity

__all__ = ["FigureRow", "evaluate_quantities", "figure_matches", "read_figure_table"]

_KINDS = {"count", "money", "percent", "measure"}


@dataclass(frozen=True)
class FigureRow:
    source: str
    text: str
    figures: tuple[dict[str, Any], ...]


def _resolve(ref: str, sources: Path, cache: dict[Path, list[Any]]) -> str:
    path_part, _, index = ref.rpartition("#")
    if not path_part or not index.isdigit():
        raise InputError(f"source {ref!r} is not PATH#N: name a record of a file under the data folder")
    path = sources / path_part
    if path not in cache:
        if not path.is_file():
            raise InputError(f"{path} not found (source {ref}): pass --sources with the folder that holds it")
        if path.suffix == ".json":
            cache[path] = json.loads(path.read_text(encoding="utf-8"))
        else:
            cache[path] = [row for _, row in jsonl_rows(path)]
    records = cache[path]
    n = int(index)
    if n >= len(records) or not isinstance(records[n], dict) or "claim" not in records[n]:
        raise InputError(f"{ref}: no record {n} with a 'claim' field in {path}")
    return str(records[n]["claim"]).strip()


def read_figure_table(path: Path, sources: Path | None = None) -> list[FigureRow]:
    """The rows of a figure table, each with its sentence (resolved under ``sources``)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} not found: pass a JSON-lines figure table (see claims/eval/quantities.py)")
    cache: dict[Path, list[Any]] = {}
    rows = []
    for line, row in jsonl_rows(path):
        if not isinstance(row, dict) or not isinstance(row.get("figures"), list):
            raise InputError(f"{path}:{line}: each line needs a 'figures' list")
        if "text" in row:
            text, source = str(row["text"]).strip(), f"{path.name}:{line}"
        elif "source" in row:
            if sources is None:
                raise InputError(f"{path}:{line} names its sentence by source: pass --sources (the data folder)")
            source = str(row["source"])
            text = _resolve(source, sources, cache)
            digest = row.get("sha256")
            if digest and not hashlib.sha256(text.encode("utf-8")).hexdigest().startswith(digest):
                raise InputError(f"{path}:{line}: {source} is not the sentence the table was annotated on "
                                 "(hash differs): use the same data files")
        else:
            raise InputError(f"{path}:{line}: a row needs 'text' or 'source'")
        for figure in row["figures"]:
            if figure.get("kind") not in _KINDS:
                raise InputError(f"{path}:{line}: figure kind {figure.get('kind')!r} is not one of {sorted(_KINDS)}")
        rows.append(FigureRow(source, text, tuple(row["figures"])))
    return rows


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _unit_key(kind: str, unit: str | None) -> str | None:
    if unit is None:
        return None
    if kind == "count":
        return counted_head(unit)
    if kind == "measure":
        return counted_head(unit.split()[-1])
    return unit


def figure_matches(q: Quantity, figure: dict[str, Any]) -> bool:
    """Whether a parsed quantity is the annotated figure (kind, numbers and unit)."""
    if q.kind != figure["kind"] or _unit_key(q.kind, q.unit) != _unit_key(figure["kind"], figure.get("unit")):
        return False
    if "value" in figure:  # exact or hedged: the value, and not an open bound
        return _close(q.value, figure["value"]) and q.low is not None and q.high is not None
    if figure.get("low") is not None and figure.get("high") is not None:
        return q.value is None and _close(q.low, figure["low"]) and _close(q.high, figure["high"])
    bound = figure.get("low") if figure.get("low") is not None else figure.get("high")
    return _close(q.value, bound) and _close(q.low, figure.get("low")) and _close(q.high, figure.get("high"))


def _score(rows: Sequence[FigureRow]) -> tuple[int, int, int, list[dict[str, Any]]]:
    tp = n_pred = n_gold = 0
    errors = []
    for row in rows:
        predicted = parse_quantities(row.text)
        unmatched = list(predicted)
        missed = []
        for figure in row.figures:
            hit = next((q for q in unmatched if figure_matches(q, figure)), None)
            if hit is None:
                missed.append(figure)
            else:
                unmatched.remove(hit)
        tp += len(row.figures) - len(missed)
        n_pred += len(predicted)
        n_gold += len(row.figures)
        if missed or unmatched:
            errors.append({
                "source": row.source, "text": row.text, "missed": missed,
                "spurious": [{"text": q.text, "kind": q.kind, "value": q.value, "low": q.low, "high": q.high,
                              "unit": q.unit} for q in unmatched],
            })
    return tp, n_pred, n_gold, errors


def evaluate_quantities(path: Path, sources: Path | None = None, *, show_errors: bool = False) -> dict[str, Any]:
    """Exact-match precision and recall of figures on a figure table, with the rows that
    differ when ``show_errors``."""
    rows = read_figure_table(path, sources)
    started = time.perf_counter()
    tp, n_pred, n_gold, errors = _score(rows)
    seconds = time.perf_counter() - started
    precision = tp / n_pred if n_pred else 1.0
    recall = tp / n_gold if n_gold else 1.0
    result: dict[str, Any] = {
        "data": str(path),
        "n_sentences": len(rows),
        "n_figures": n_gold,
        "n_predicted": n_pred,
        "n_matched": tp,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        "sentences_with_errors": len(errors),
        "ms_per_sentence": round(1000 * seconds / len(rows), 3) if rows else None,
    }
    if show_errors:
        result["errors"] = errors
    return result
