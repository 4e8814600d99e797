"""Stance pair files: loaders for the formats in ``shared/data/stance`` and their evaluation.

Each loader reads any file of the same layout (not only the shipped copy) into
:class:`StancePair` rows with one of four labels: ``support``, ``refute``, ``neutral``, or
``not_support`` for binary RTE files whose ``not_entailment`` merges refute and neutral
(FEVER RTE, COVID-Fact/SciFact RTE); those are scored as a binary task.

Formats (detected from the header, not the file name):

* FEVER RTE TSV: ``index, evidence, claim, label`` (entailment | not_entailment)
* COVID-Fact / SciFact RTE TSV: ``index, sentence1 (evidence), sentence2|Sentence2 (claim),
  label|entailment``; an unlabelled file (RTE-covidfact/test.tsv) is refused
* SICK TSV: ``pair_ID, sentence_A (premise), sentence_B (hypothesis), entailment_label``
* HealthVer CSV: ``id, evidence, claim, label`` (Supports | Refutes | Neutral)
* FNC-1 CSV: ``Headline, Body ID, Stance`` with the bodies in the sibling
  ``*_bodies.csv`` (agree -> support, disagree -> refute, discuss/unrelated -> neutral)
* COVID-Fact JSONL: ``claim, label (SUPPORTED|REFUTED), evidence (list)``
* Climate-FEVER JSONL: one pair per evidence sentence, labelled by ``evidence_label``
* Contrastive pairs JSONL (``scripts/make_contrastive_pairs.py``): ``claim, passage, label,
  kind, source_doc``; each perturbation kind is its own source (``contrastive-<kind>``)
"""

from __future__ import annotations

import csv
import logging
import os
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from claims.embed import load_embedder
from claims.errors import InputError
from claims.eval.files import jsonl_rows
from claims.eval.judging import hash_split
from claims.eval.metrics import classification_report, expected_calibration_error
from claims.score.stance import load_stance_model, reads_embeddings

if TYPE_CHECKING:  # pragma: no cover
    from claims.settings import Settings

__all__ = ["HELD_BACK_SHARE", "STANCE_LABELS", "StancePair", "best_window", "evaluate_stance", "held_back",
           "load_stance_dir", "load_stance_file"]

log = logging.getLogger(__name__)

STANCE_LABELS = ("support", "refute", "neutral")

_LABELS = {
    "entailment": "support",
    "not_entailment": "not_support",
    "contradiction": "refute",
    "neutral": "neutral",
    "supports": "support",
    "supported": "support",
    "support": "support",
    "refutes": "refute",
    "refuted": "refute",
    "refute": "refute",
    "agree": "support",
    "disagree": "refute",
    "discuss": "neutral",
    "unrelated": "neutral",
    "not_enough_info": "neutral",
    "nei": "neutral",
}


@dataclass(frozen=True)
class StancePair:
    """A (claim, passage) pair with its gold stance; ``group`` ties pairs that share a
    claim or body, so that splits keep them on one side."""

    claim: str
    passage: str
    label: str
    source: str
    group: str = ""


def _label(raw: str, path: Path) -> str:
    key = raw.strip().lower().replace(" ", "_")
    if key not in _LABELS:
        raise InputError(f"{path}: unknown stance label {raw!r}: expected entailment/contradiction/neutral, "
                         "supports/refutes, or agree/disagree/discuss/unrelated")
    return _LABELS[key]


def _read_delimited(path: Path, delimiter: str) -> tuple[list[str], Iterator[list[str]]]:
    csv.field_size_limit(sys.maxsize)
    handle = path.open(encoding="utf-8", newline="")
    reader = csv.reader(handle, delimiter=delimiter,
                        quoting=csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        handle.close()
        raise InputError(f"{path} is empty: give a stance pair file with a header row") from None

    def rows() -> Iterator[list[str]]:
        with handle:
            yield from reader

    return header, rows()


def _load_table(path: Path) -> list[StancePair]:
    delimiter = "\t" if path.read_text(encoding="utf-8", errors="replace")[:4096].split("\n", 1)[0].count("\t") else ","
    header, rows = _read_delimited(path, delimiter)
    lower = [h.lower() for h in header]
    col = {name: i for i, name in enumerate(lower)}
    source = path.stem
    pairs: list[StancePair] = []

    def get(row: list[str], name: str) -> str:
        return row[col[name]] if col[name] < len(row) else ""

    if {"headline", "body id", "stance"} <= set(col):  # FNC-1
        bodies_path = path.with_name(path.name.replace("stances", "bodies"))
        if bodies_path == path or not bodies_path.is_file():
            raise InputError(f"{path}: FNC-1 stances need their bodies file {bodies_path.name} beside them")
        b_header, b_rows = _read_delimited(bodies_path, ",")
        b_col = {h.lower(): i for i, h in enumerate(b_header)}
        bodies = {r[b_col["body id"]]: r[b_col["articlebody"]] for r in b_rows if r}
        for row in rows:
            if not row:
                continue
            body_id = get(row, "body id")
            if body_id not in bodies:
                raise InputError(f"{path}: body {body_id} missing from {bodies_path.name}")
            pairs.append(StancePair(get(row, "headline"), bodies[body_id], _label(get(row, "stance"), path),
                                    "fnc-1", group=f"body:{body_id}"))
        return pairs
    if {"sentence_a", "sentence_b", "entailment_label"} <= set(col):  # SICK
        for row in rows:
            if row:
                pairs.append(StancePair(get(row, "sentence_b"), get(row, "sentence_a"),
                                        _label(get(row, "entailment_label"), path), "sick",
                                        group=f"sick:{get(row, 'sentence_a')}"))
        return pairs
    if {"evidence", "claim", "label"} <= set(col):  # FEVER RTE (tsv) or HealthVer (csv)
        name = "healthver" if "topic_ip" in col else ("fever-rte" if delimiter == "\t" else source)
        for row in rows:
            if row:
                pairs.append(StancePair(get(row, "claim"), get(row, "evidence"), _label(get(row, "label"), path),
                                        name, group=f"claim:{get(row, 'claim')}"))
        return pairs
    if {"context", "statement", "gold_label"} <= set(col):  # ANLI (e / n / c)
        short = {"e": "entailment", "n": "neutral", "c": "contradiction"}
        for row in rows:
            if row:
                raw = get(row, "gold_label").strip().lower()
                pairs.append(StancePair(get(row, "statement"), get(row, "context"), _label(short.get(raw, raw), path),
                                        "anli", group=f"premise:{get(row, 'context')}"))
        return pairs
    claim_col = "sentence2" if "sentence2" in col else None
    if claim_col and "sentence1" in col:  # COVID-Fact / SciFact RTE
        label_col = "label" if "label" in col else ("entailment" if "entailment" in col else None)
        if label_col is None:
            raise InputError(f"{path} has no label column (an unlabelled split): give a labelled pair file")
        folder = path.parent.name.lower()
        name = "rte" if folder == "rte" else f"rte-{folder.removeprefix('rte-')}"
        for row in rows:
            if row:
                pairs.append(StancePair(get(row, claim_col), get(row, "sentence1"), _label(get(row, label_col), path),
                                        name, group=f"evidence:{get(row, 'sentence1')}"))
        return pairs
    raise InputError(f"{path}: unrecognised stance file header {header[:6]}: see `claims eval stance --help`")


def _load_jsonl(path: Path) -> list[StancePair]:
    pairs: list[StancePair] = []
    for number, row in jsonl_rows(path):
        if not isinstance(row, dict):
            raise InputError(f"{path}:{number}: expected a JSON object (Climate-FEVER or COVID-Fact JSON lines)")
        if "evidences" in row:  # Climate-FEVER
            for ev in row["evidences"]:
                pairs.append(StancePair(row["claim"], ev["evidence"], _label(ev["evidence_label"], path),
                                        "climate-fever", group=f"claim:{row['claim_id']}"))
        elif "evidence" in row and "label" in row:  # COVID-Fact
            evidence = row["evidence"]
            text = " ".join(evidence) if isinstance(evidence, list) else str(evidence)
            pairs.append(StancePair(row["claim"], text, _label(row["label"], path), "covidfact",
                                    group=f"source:{row.get('gold_source', row['claim'])}"))
        elif {"claim", "passage", "label", "kind"} <= set(row):  # scripts/make_contrastive_pairs.py
            pairs.append(StancePair(row["claim"], row["passage"], _label(row["label"], path),
                                    f"contrastive-{row['kind']}", group=f"doc:{row.get('source_doc', '')}"))
        else:
            raise InputError(f"{path}:{number}: expected Climate-FEVER, COVID-Fact or contrastive-pair JSON lines")
    return pairs


# The grouped share of every stance set that the packaged cross-encoder never trains on
# (claims.eval.stance_mix builds its training mix from the rest).
HELD_BACK_SHARE = 0.15

_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("a an the of to in on at for by with from as is are was were be been it its this that and or "
                  "not no he she they we you i his her their our has have had will would said says".split())


def held_back(pair: StancePair) -> bool:
    """True for the grouped 15% of every set that is kept for measurement."""
    return hash_split("held-back:" + (pair.group or pair.claim), HELD_BACK_SHARE) == "test"


def best_window(claim: str, text: str, max_words: int = 110) -> str:
    """The run of consecutive sentences of ``text`` (at most ``max_words`` words) sharing
    the most content words with ``claim``; ``text`` itself when it is short enough."""
    words = text.split()
    if len(words) <= max_words:
        return text.strip()
    sentences = [s.strip() for s in _SENTENCE.split(" ".join(words)) if s.strip()]
    wanted = {w for w in _WORD.findall(claim.lower()) if w not in _STOP}
    best, best_score = "", -1.0
    for start in range(len(sentences)):
        window: list[str] = []
        count = 0
        for sentence in sentences[start:]:
            n = len(sentence.split())
            if window and count + n > max_words:
                break
            window.append(sentence)
            count += n
        found = {w for w in _WORD.findall(" ".join(window).lower())}
        score = len(wanted & found) - 0.01 * start  # earlier wins a tie: the lede states the story
        if score > best_score:
            best, best_score = " ".join(window), score
    return " ".join(best.split()[:max_words])


def load_stance_file(path: Path) -> list[StancePair]:
    """Read one pair file in any of the formats above."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"stance file {path} not found: give an existing pair file")
    if path.name.endswith("_bodies.csv"):
        raise InputError(f"{path} holds FNC-1 bodies: give the matching *_stances.csv")
    pairs = _load_jsonl(path) if path.suffix == ".jsonl" else _load_table(path)
    log.info("%s: %d stance pairs", path, len(pairs))
    return pairs


def load_stance_dir(folder: Path) -> list[StancePair]:
    """Every labelled pair file under ``folder`` (unlabelled splits and body files skipped)."""
    pairs: list[StancePair] = []
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file() or path.suffix not in {".tsv", ".csv", ".txt", ".jsonl"}:
            continue
        if path.name.endswith("_bodies.csv") or path.name.startswith(("MANIFEST", "SOURCE", "README")):
            continue
        try:
            pairs.extend(load_stance_file(path))
        except InputError as exc:
            log.info("skipping %s: %s", path, exc)
    return pairs


def evaluate_stance(path: Path | Sequence[Path], settings: Settings, *, limit: int | None = None,
                    split: str = "all") -> dict:
    """Stance of every pair in ``path`` (a file or a folder) with the shipped model, or the
    configured NLI cross-encoder; 3-way macro-F1, and binary support-vs-not for RTE files.
    ``split``: ``dev`` or ``test`` keeps the pairs whose claim falls in that half (by a hash
    of the claim text, as the verdict benchmarks split), ``held-back`` the grouped 15% the
    packaged cross-encoder was not trained on (:mod:`claims.eval.stance_mix`), ``all``
    every pair. ``path``: a file, a folder, or several of them."""
    started = time.perf_counter()
    paths = [Path(path)] if isinstance(path, (str, os.PathLike)) else [Path(p) for p in path]
    pairs = [pair for one in paths for pair in (load_stance_dir(one) if one.is_dir() else load_stance_file(one))]
    path = paths[0] if len(paths) == 1 else Path(", ".join(map(str, paths)))
    if split not in ("all", "dev", "test", "held-back"):
        raise InputError(f"unknown split {split!r}: use one of all, dev, test, held-back")
    if split == "held-back":  # the pairs the packaged cross-encoder never saw (claims.eval.stance_mix)
        pairs = [StancePair(p.claim.strip(), best_window(p.claim, p.passage), p.label, p.source, p.group)
                 for p in pairs if held_back(p) and p.claim.strip() and p.passage.strip()
                 and (p.source != "climate-fever" or hash_split(p.claim) == "dev")]
    elif split != "all":
        pairs = [p for p in pairs if hash_split(p.claim) == split]
    if limit:
        pairs = pairs[:limit]
    if not pairs:
        raise InputError(f"{path} holds no labelled stance pairs")
    model = load_stance_model(settings)
    claim_emb = passage_emb = None
    if reads_embeddings(model):  # the MLP reads sentence embeddings; a cross-encoder reads text
        embedder = load_embedder(settings.model, settings.embed_batch_size,
                                 getattr(settings, "embedding_backend", "auto"),
                                 onnx_dir=getattr(settings, "onnx_dir", None))
        texts = sorted({p.claim for p in pairs} | {p.passage for p in pairs})
        vectors = embedder.encode(texts)
        index = {t: i for i, t in enumerate(texts)}
        claim_emb = vectors[[index[p.claim] for p in pairs]]
        passage_emb = vectors[[index[p.passage] for p in pairs]]
    probs = model.predict([p.claim for p in pairs], [p.passage for p in pairs], claim_emb, passage_emb)
    pred = [STANCE_LABELS[i] for i in probs.argmax(axis=1)]
    result: dict = {"data": str(path), "split": split, "pairs": len(pairs), "model": model.name, "by_source": {}}
    for source in sorted({p.source for p in pairs}):
        idx = [i for i, p in enumerate(pairs) if p.source == source]
        gold = [pairs[i].label for i in idx]
        if any(g == "not_support" for g in gold):
            gold_b = ["support" if g == "support" else "not_support" for g in gold]
            pred_b = ["support" if pred[i] == "support" else "not_support" for i in idx]
            report = classification_report(gold_b, pred_b, ["support", "not_support"])
            report["task"] = "binary support vs not"
            conf = [float(probs[i, 0]) if pred_b[j] == "support" else float(1 - probs[i, 0])
                    for j, i in enumerate(idx)]
            hits = [g == p for g, p in zip(gold_b, pred_b)]
        else:
            report = classification_report(gold, [pred[i] for i in idx], STANCE_LABELS)
            report["task"] = "3-way"
            conf = [float(probs[i].max()) for i in idx]
            hits = [gold[j] == pred[i] for j, i in enumerate(idx)]
        report["ece"] = round(expected_calibration_error(conf, hits), 4)
        result["by_source"][source] = report
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result
