"""``claims eval desk DIR``: whole articles checked against a local corpus, sentence by
sentence against a fact-checking desk's labels.

The folder holds::

    DIR/corpus/        the evidence: Markdown/text files with front matter (url, title,
                       outlet, published), as examples/corpus
    DIR/articles/      the articles to check, in the same format
    DIR/gold.jsonl     one line per article sentence:
                       {"article": "a.md", "sentence": "...", "verdict": LABEL, "why": "..."}

``verdict`` is ``supported``, ``refuted``, ``conflicting``, ``not_enough_evidence`` or
``not_checkworthy`` (a sentence the desk would not check); ``why`` says why (optional).

Each article named in ``gold.jsonl`` is checked as ``claims check`` checks it
(:func:`claims.ingest.read_input`, then :func:`claims.pipeline.verify`), in a DuckDB file
of its own, with ``DIR/corpus`` as the only evidence source (every web backend off,
whatever the settings say) and the settings' embedding model.

**Matching.** Each gold sentence is located in the article's text as the pipeline sees it
(front matter removed, the body stripped: :func:`claims.sources.text.document_from_text`),
exactly, else with whitespace, quotes and dashes normalised. A claim belongs to the gold
sentence its span (``claim.start``/``claim.end``) overlaps most; a claim that overlaps
none belongs to the first gold sentence of its article whose normalised text contains the
claim's, or is contained in it. **Rule:** where several claims fall in one gold sentence,
the sentence's predicted verdict is the verdict of the claim with the highest
check-worthiness score. A sentence without a claim is predicted ``not_checkworthy``.

**Figures.** Over the gold check-worthy sentences (a verdict label): ``agreement`` (the
share whose predicted verdict equals the gold one; a sentence without a claim, an
extraction miss, counts as wrong), ``macro_f1`` over the verdict labels occurring there,
per-label precision, recall and F1, ``supported_precision`` and ``extraction_recall`` (the
share with at least one claim). Claims found in ``not_checkworthy`` sentences are
``extra_claims``: listed, and counted only in the ``confusion`` table (gold x predicted,
every gold line). ``disagreements`` lists every gold sentence whose prediction differs.
"""

from __future__ import annotations

import logging
import re
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claims.errors import InputError
from claims.eval.files import jsonl_rows
from claims.eval.metrics import accuracy, confusion, f1_per_label, macro_f1
from claims.eval.verdicts import VERDICT_LABELS
from claims.ingest import read_input
from claims.models import Claim, Document, Verdict
from claims.pipeline import verify
from claims.progress import track
from claims.score.verdict import best_evidence, best_source_text
from claims.settings import CorpusSource, Settings, SourcesSettings
from claims.sources.corpus import load_corpus
from claims.store import open_store

__all__ = ["NOT_CHECKWORTHY", "SPLITS", "GoldSentence", "assign_claims", "desk_pool", "desk_settings", "desk_summary",
           "desk_table", "evaluate_desk", "judged_sentences", "load_desk", "locate_sentence", "split_articles",
           "top_claim"]

log = logging.getLogger(__name__)

NOT_CHECKWORTHY = "not_checkworthy"
GOLD_LABELS = (*VERDICT_LABELS, NOT_CHECKWORTHY)
SENTENCE_RULE = ("a claim belongs to the gold sentence its span overlaps most; where several claims fall in one "
                 "sentence, the verdict of the claim with the highest check-worthiness is the sentence's")


@dataclass
class GoldSentence:
    """One line of ``gold.jsonl``, located in its article's text (``start``/``end``)."""

    line: int
    article: str
    sentence: str
    verdict: str
    why: str = ""
    start: int = -1
    end: int = -1
    claims: list[Claim] = field(default_factory=list)


@dataclass
class DeskFolder:
    """A desk folder read and checked by :func:`load_desk`."""

    directory: Path
    corpus: Path
    documents: dict[str, Document]  # article name -> its document as the pipeline reads it
    gold: list[GoldSentence]
    corpus_documents: int
    unlabelled_articles: list[str]


# -- reading and checking the folder ------------------------------------------------------------


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
                         "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " "})


def _normalised(text: str) -> tuple[str, list[int]]:
    """``text`` with quotes and dashes unified, NFKC, whitespace runs as one space and
    case folded, and for each character of the result its offset in ``text``."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        ch = unicodedata.normalize("NFKC", ch.translate(_QUOTES)).casefold()
        if not ch:
            continue
        if ch.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                offsets.append(i)
            continue
        for c in ch:
            chars.append(c)
            offsets.append(i)
    while chars and chars[-1] == " ":
        chars.pop(), offsets.pop()
    return "".join(chars), offsets


def _norm(text: str) -> str:
    return _normalised(text)[0].strip()


def locate_sentence(sentence: str, text: str, taken: set[tuple[int, int]]) -> tuple[int, int] | None:
    """The span of ``sentence`` in ``text`` not already ``taken`` (a sentence that occurs
    twice is matched in order): exactly, else normalised."""
    start = text.find(sentence)
    while start >= 0:
        span = (start, start + len(sentence))
        if span not in taken:
            return span
        start = text.find(sentence, start + 1)
    norm_text, offsets = _normalised(text)
    needle = _norm(sentence)
    if not needle:
        return None
    at = norm_text.find(needle)
    while at >= 0:
        span = (offsets[at], offsets[at + len(needle) - 1] + 1)
        if span not in taken:
            return span
        at = norm_text.find(needle, at + 1)
    return None


def _article_path(articles: Path, name: str, where: str) -> Path:
    path = (articles / name).resolve()
    if articles.resolve() not in path.parents:
        raise InputError(f"{where}: article {name!r} is not inside {articles}: name a file in articles/")
    if not path.is_file():
        raise InputError(f"{where}: article {name!r} not found in {articles}: name a file in articles/")
    return path


def load_desk(directory: Path, settings: Settings) -> DeskFolder:
    """Read and check the whole folder before anything runs: every problem is one
    :class:`InputError` line naming the file (and the line of ``gold.jsonl``)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"desk folder {directory} not found: give a folder with corpus/, articles/ and gold.jsonl")
    corpus, articles, gold_file = directory / "corpus", directory / "articles", directory / "gold.jsonl"
    for folder in (corpus, articles):
        if not folder.is_dir():
            raise InputError(f"{directory} has no {folder.name}/ folder: a desk folder holds corpus/, articles/ "
                             "and gold.jsonl")
    if not gold_file.is_file():
        raise InputError(f"{directory} has no gold.jsonl: one JSON line per article sentence "
                         '{"article", "sentence", "verdict", "why"}')
    loaded = load_corpus(corpus, settings.max_input_bytes)
    if loaded.errors:
        first = loaded.errors[0]
        raise InputError(f"corpus file {first.target} cannot be used ({first.error}): fix or remove it")
    if not loaded.documents:
        raise InputError(f"{corpus} holds no documents (.md, .txt or .markdown files)")

    gold: list[GoldSentence] = []
    documents: dict[str, Document] = {}
    for number, row in jsonl_rows(gold_file):
        where = f"{gold_file}:{number}"
        if not isinstance(row, dict):
            raise InputError(f"{where}: expected a JSON object with article, sentence, verdict and why")
        missing = [k for k in ("article", "sentence", "verdict") if k not in row]
        if missing:
            raise InputError(f"{where}: missing {', '.join(missing)}: each line needs article, sentence, verdict "
                             "and why")
        article, sentence, verdict, why = row["article"], row["sentence"], row["verdict"], row.get("why") or ""
        if not isinstance(article, str) or not article.strip():
            raise InputError(f"{where}: article must be a file name in articles/")
        if not isinstance(sentence, str) or not sentence.strip():
            raise InputError(f"{where}: sentence must be the sentence's text")
        if not isinstance(why, str):
            raise InputError(f"{where}: why must be a string")
        label = str(verdict).strip().lower()
        if label not in GOLD_LABELS:
            raise InputError(f"{where}: verdict {verdict!r} is not one of {', '.join(GOLD_LABELS)}")
        if article not in documents:
            documents[article] = read_input(str(_article_path(articles, article, where)), settings)
        gold.append(GoldSentence(number, article, sentence.strip(), label, why))
    if not gold:
        raise InputError(f"{gold_file} holds no sentences")

    taken: dict[str, set[tuple[int, int]]] = {}
    for g in gold:
        spans = taken.setdefault(g.article, set())
        span = locate_sentence(g.sentence, documents[g.article].text, spans)
        if span is None:
            raise InputError(f"{gold_file}:{g.line}: sentence {_short(g.sentence)!r} not found in article "
                             f"{g.article!r}: copy it from the article as written")
        spans.add(span)
        g.start, g.end = span

    named = {(articles / name).resolve() for name in documents}
    unlabelled = sorted(str(p.relative_to(articles)) for p in articles.rglob("*")
                        if p.is_file() and p.suffix.lower() in {".md", ".txt", ".markdown"} and p.resolve() not in named)
    return DeskFolder(directory, corpus, documents, gold, len(loaded.documents), unlabelled)


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def desk_settings(settings: Settings, corpus: Path, db: Path) -> Settings:
    """``settings`` with ``corpus`` as the only evidence source (every web backend off,
    whatever they said) and the DuckDB file ``db`` as the store."""
    sources = SourcesSettings(corpus=CorpusSource(enabled=True, path=Path(corpus)))
    return settings.model_copy(update={"db": Path(db), "store": None, "sources": sources})


# -- matching claims to gold sentences --------------------------------------------------------------


def assign_claims(claims: list[Claim], sentences: list[GoldSentence]) -> list[Claim]:
    """Give each claim to the gold sentence its span overlaps most (else, by normalised
    containment, to the first that holds it or that it holds); the claims that fit none."""
    outside = []
    for claim in claims:
        overlaps = [(min(claim.end, g.end) - max(claim.start, g.start), k) for k, g in enumerate(sentences)]
        best = max(overlaps, default=(0, -1))
        if best[0] > 0:
            sentences[best[1]].claims.append(claim)
            continue
        text = _norm(claim.text)
        home = next((g for g in sentences if text in _norm(g.sentence) or _norm(g.sentence) in text), None)
        if home is None:
            outside.append(claim)
        else:
            home.claims.append(claim)
    return outside


def top_claim(sentence: GoldSentence) -> Claim | None:
    """The claim whose verdict is the sentence's: the most check-worthy (first on a tie)."""
    return max(sentence.claims, key=lambda c: c.checkworthiness, default=None)


# -- figures -------------------------------------------------------------------------------------


def judged_sentences(folders: list[Path], split: str, settings: Settings) -> Iterator[tuple[GoldSentence, Claim, Verdict]]:
    """(gold sentence, its claim, the claim's verdict) of every check-worthy gold sentence of
    the split's articles that got a verdict, folder by folder, each article checked as
    :func:`evaluate_desk` checks it (on a database of its own, removed afterwards). For
    scripts that read more of a verdict than ``claims eval desk`` reports."""
    for folder in folders:
        desk = load_desk(Path(folder), settings)
        chosen = set(split_articles(sorted({g.article for g in desk.gold}), split))
        with tempfile.TemporaryDirectory(prefix="claims-desk-") as tmp:
            for k, article in enumerate(sorted(chosen)):
                gold = [g for g in desk.gold if g.article == article]
                config = desk_settings(settings, desk.corpus, Path(tmp) / f"{k}.duckdb")
                report = verify(desk.documents[article], config, store=open_store(config))
                verdicts = {v.claim_id: v for v in report.verdicts}
                assign_claims(list(report.claims), gold)
                for g in gold:
                    claim = top_claim(g)
                    if g.verdict != NOT_CHECKWORTHY and claim is not None and claim.id in verdicts:
                        yield g, claim, verdicts[claim.id]


def _r(x: float) -> float:
    return round(float(x), 4)


def _per_label(gold: list[str], pred: list[str]) -> dict[str, dict[str, Any]]:
    f1 = f1_per_label(gold, pred, VERDICT_LABELS)
    out = {}
    for label in VERDICT_LABELS:
        tp = sum(g == p == label for g, p in zip(gold, pred))
        predicted = sum(p == label for p in pred)
        actual = sum(g == label for g in gold)
        out[label] = {"precision": _r(tp / predicted) if predicted else None,
                      "recall": _r(tp / actual) if actual else None,
                      "f1": _r(f1[label]), "gold": actual, "predicted": predicted}
    return out


def _claim_row(claim: Claim | None, verdict: Verdict | None) -> dict[str, Any]:
    if claim is None:
        return {"confidence": None, "claim": None, "checkable": None, "rationale": None, "best_source": None}
    best = best_evidence(verdict) if verdict is not None else None
    return {"confidence": _r(verdict.confidence) if verdict else None, "claim": claim.text,
            "checkable": claim.checkable or claim.text, "rationale": verdict.rationale if verdict else None,
            "best_source": best_source_text(best) or None}


SPLITS = ("all", "dev", "test")


def split_articles(articles: list[str], split: str) -> list[str]:
    """The articles of one half of a desk set: sorted by name, the 1st, 3rd, 5th, ... are
    ``dev`` (rules are written and tuned on them) and the 2nd, 4th, ... ``test`` (reported,
    never tuned on); ``all`` keeps every article. Splitting by article keeps every sentence
    of a story, and the corpus documents it draws on, on one side."""
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    ordered = sorted(articles)
    if split == "all":
        return ordered
    return ordered[0::2] if split == "dev" else ordered[1::2]


def evaluate_desk(directory: Path, settings: Settings, *, keep: Path | None = None, split: str = "all") -> dict:
    """Check every article of the desk folder ``directory`` against its corpus and compare
    the verdicts with ``gold.jsonl`` sentence by sentence (see the module's docstring).

    ``keep``: a folder to write the articles' DuckDB files into (one per article, named
    after it) and leave there for inspection; by default they go into a temporary folder
    that is removed afterwards. ``split``: ``dev`` or ``test`` checks one half of the
    articles only (:func:`split_articles`)."""
    started = time.perf_counter()
    desk = load_desk(Path(directory), settings)
    chosen = set(split_articles(sorted({g.article for g in desk.gold}), split))
    desk.gold = [g for g in desk.gold if g.article in chosen]
    by_article: dict[str, list[GoldSentence]] = {}
    for g in desk.gold:
        by_article.setdefault(g.article, []).append(g)

    verdicts: dict[str, Verdict] = {}
    outside: list[dict[str, Any]] = []
    runs: dict[str, dict[str, Any]] = {}
    source_errors: set[str] = set()
    with ExitStack() as stack:
        if keep is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="claims-desk-")))
        else:
            folder = Path(keep)
            folder.mkdir(parents=True, exist_ok=True)
        for article in track(list(by_article), "articles"):
            db = folder / (re.sub(r"[^\w.-]+", "_", article) + ".duckdb")
            config = desk_settings(settings, desk.corpus, db)
            # the pipeline function `claims check` runs, on this article's own database
            report = verify(desk.documents[article], config, store=open_store(config),
                            source=str(desk.directory / "articles" / article))
            verdicts.update({v.claim_id: v for v in report.verdicts})
            source_errors.update(f"{e.backend}: {e.target}: {e.error}" for e in report.errors)
            runs[article] = {"run_id": report.run_id, "claims": len(report.claims),
                             "database": str(db) if keep is not None else None}
            for stray in assign_claims(list(report.claims), by_article[article]):
                outside.append({"article": article, "claim": stray.text,
                                "predicted": verdicts[stray.id].label if stray.id in verdicts else None})

    # one per gold line: (gold sentence, predicted label, its claim, its verdict)
    rows: list[tuple[GoldSentence, str, Claim | None, Verdict | None]] = []
    for g in desk.gold:
        claim = top_claim(g)
        verdict = verdicts.get(claim.id) if claim is not None else None
        predicted: str = NOT_CHECKWORTHY if claim is None else (verdict.label if verdict else "not_checked")
        rows.append((g, predicted, claim, verdict))

    checkworthy = [r for r in rows if r[0].verdict != NOT_CHECKWORTHY]
    gold_cw = [r[0].verdict for r in checkworthy]
    pred_cw = [r[1] for r in checkworthy]
    labels = [label for label in VERDICT_LABELS if label in set(gold_cw)]
    per_label = _per_label(gold_cw, pred_cw)
    found = sum(bool(r[0].claims) for r in checkworthy)

    extra = [{"article": g.article, "sentence": g.sentence, "predicted": p, "claims": len(g.claims),
              **_claim_row(c, v)} for g, p, c, v in rows if g.verdict == NOT_CHECKWORTHY and g.claims]

    per_article = {}
    for article, sentences in by_article.items():
        mine = [r for r in checkworthy if r[0].article == article]
        agreed = sum(r[0].verdict == r[1] for r in mine)
        per_article[article] = {
            "sentences": len(sentences), "checkworthy": len(mine), "agreed": agreed,
            "pairs": [[r[0].verdict, r[1]] for r in mine],  # (gold, predicted) of each check-worthy sentence
            "agreement": _r(agreed / len(mine)) if mine else None,
            "extraction_recall": _r(sum(bool(r[0].claims) for r in mine) / len(mine)) if mine else None,
            **runs[article]}

    disagreements = [{"article": g.article, "line": g.line, "sentence": g.sentence, "gold": g.verdict,
                      "predicted": p, "claims_in_sentence": len(g.claims), **_claim_row(c, v), "why": g.why}
                     for g, p, c, v in rows if p != g.verdict]

    refuted_gold = [r for r in checkworthy if r[0].verdict == "refuted"]
    false_supported = sum(r[1] == "supported" for r in refuted_gold)
    return {
        "data": str(desk.directory),
        "split": split,
        "articles": len(by_article),
        "corpus_documents": desk.corpus_documents,
        "gold_sentences": len(rows),
        "checkworthy_sentences": len(checkworthy),
        "gold_labels": dict(sorted(Counter(r[0].verdict for r in rows).items())),
        "claims": sum(run["claims"] for run in runs.values()),
        "sentence_rule": SENTENCE_RULE,
        "agreement": _r(accuracy(gold_cw, pred_cw)) if checkworthy else None,
        "macro_f1": _r(macro_f1(gold_cw, pred_cw, labels)) if labels else None,
        "macro_f1_labels": labels,
        "per_label": per_label,
        "supported_precision": per_label["supported"]["precision"],
        "refuted_recall": per_label["refuted"]["recall"],
        # false claims (gold refuted) called supported: the worst error, as a share of them
        "false_supported": false_supported,
        "false_supported_share": _r(false_supported / len(refuted_gold)) if refuted_gold else None,
        "extraction_recall": _r(found / len(checkworthy)) if checkworthy else None,
        "extraction_misses": len(checkworthy) - found,
        "extra_claims": sum(e["claims"] for e in extra),
        "extra_claim_sentences": extra,
        "claims_outside_gold": outside,
        "confusion": confusion([r[0].verdict for r in rows], [r[1] for r in rows]),
        "per_article": per_article,
        "disagreements": disagreements,
        "unlabelled_articles": desk.unlabelled_articles,
        "source_errors": sorted(source_errors),
        "databases": str(Path(keep)) if keep is not None else None,
        "seconds": round(time.perf_counter() - started, 2),
    }


# -- the text summary ------------------------------------------------------------------------------


def _fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def desk_summary(result: dict) -> str:
    """The figures of :func:`evaluate_desk` as a few lines of plain text: the figures, the
    per-label table, the confusion table, the articles and each disagreement."""
    cw = result["checkworthy_sentences"]
    agreed = sum(a["agreed"] for a in result["per_article"].values())
    found = cw - result["extraction_misses"]
    lines = [
        (f"Desk evaluation of {result['data']} ({result.get('split', 'all')} articles): {_count(result['articles'], 'article')}, {result['gold_sentences']} gold "
         f"sentences ({cw} check-worthy), {result['claims']} claims, {result['corpus_documents']} corpus "
         f"documents, {result['seconds']:.1f} s"),
        "",
        f"  agreement            {_fmt(result['agreement'])}  ({agreed} of {cw} check-worthy sentences)",
        f"  macro-F1             {_fmt(result['macro_f1'])}  (over {', '.join(result['macro_f1_labels']) or 'none'})",
        f"  supported precision  {_fmt(result['supported_precision'])}",
        f"  refuted recall       {_fmt(result['refuted_recall'])}",
        (f"  false -> supported   {result['false_supported']}"
         + (f"  ({_fmt(result['false_supported_share'])} of the refuted sentences)"
            if result['false_supported_share'] is not None else "")),
        f"  extraction recall    {_fmt(result['extraction_recall'])}  ({found} of {cw} have a claim)",
        (f"  extra claims         {result['extra_claims']}  (in not_checkworthy sentences; "
         f"{len(result['claims_outside_gold'])} claims outside every gold sentence)"),
        "",
        f"  {'label':<20} {'precision':>9} {'recall':>7} {'F1':>5} {'gold':>5} {'pred.':>5}",
    ]
    for label, m in result["per_label"].items():
        lines.append(f"  {label:<20} {_fmt(m['precision']):>9} {_fmt(m['recall']):>7} {_fmt(m['f1']):>5} "
                     f"{m['gold']:>5} {m['predicted']:>5}")
    columns = [c for c in GOLD_LABELS if any(c in row for row in result["confusion"].values())]
    columns += sorted({c for row in result["confusion"].values() for c in row} - set(columns))
    short = {"supported": "supp.", "refuted": "refut.", "conflicting": "confl.", "not_enough_evidence": "NEE",
             NOT_CHECKWORTHY: "not_cw"}
    lines += ["", "  confusion (rows: gold, columns: predicted)",
              f"  {'':<20} " + " ".join(f"{short.get(c, c[:7]):>7}" for c in columns)]
    for gold in [g for g in GOLD_LABELS if g in result["confusion"]]:
        row = result["confusion"][gold]
        lines.append(f"  {gold:<20} " + " ".join(f"{row.get(c, 0):>7}" for c in columns))
    lines += ["", "  per article"]
    for article, a in result["per_article"].items():
        lines.append(f"  {article:<30} agreement {_fmt(a['agreement'])} ({a['agreed']} of {a['checkworthy']}), "
                     f"{a['claims']} claims" + (f", {a['database']}" if a.get("database") else ""))
    lines += ["", f"Disagreements ({len(result['disagreements'])}):"]
    for d in result["disagreements"]:
        conf = "" if d["confidence"] is None else f" ({d['confidence']:.2f})"
        lines.append(f"- {d['article']}: {d['sentence']}")
        lines.append(f"    gold {d['gold']}, predicted {d['predicted']}{conf}"
                     + (f"; why: {d['why']}" if d["why"] else ""))
        if d["checkable"] and d["checkable"] != d["sentence"]:
            lines.append(f"    checked as: {d['checkable']}")
        if d["rationale"]:
            lines.append(f"    rationale: {d['rationale']}" + (f" [best: {d['best_source']}]" if d["best_source"] else ""))
    if result["source_errors"]:
        lines += ["", "Source errors:"] + [f"- {e}" for e in result["source_errors"]]
    return "\n".join(lines)


def desk_pool(results: list[dict]) -> dict:
    """The figures of several :func:`evaluate_desk` results (or parts of them: only their
    ``per_article`` is read) pooled over their check-worthy sentences (each sentence counts
    once, whatever its set)."""
    pairs = [tuple(pair) for r in results for a in r["per_article"].values() for pair in a["pairs"]]
    cw = len(pairs)
    agreed = sum(g == p for g, p in pairs)
    said_supported = [g for g, p in pairs if p == "supported"]
    refuted = [p for g, p in pairs if g == "refuted"]
    false_supported = sum(p == "supported" for p in refuted)
    return {"sets": len(results), "checkworthy_sentences": cw, "agreed": agreed,
            "agreement": _r(agreed / cw) if cw else None,
            "supported_precision": _r(said_supported.count("supported") / len(said_supported)) if said_supported
            else None,
            "refuted_recall": _r(refuted.count("refuted") / len(refuted)) if refuted else None,
            "false_supported": false_supported,
            "false_supported_share": _r(false_supported / len(refuted)) if refuted else None}


def desk_table(rows: list[tuple[str, dict]]) -> str:
    """One line per (name, result or pooled figures): agreement, supported precision,
    refuted recall and false claims called supported."""
    lines = [f"  {'set':<44} {'agree':>6} {'supp.P':>6} {'ref.R':>6} {'F->S':>5} {'n':>4}"]
    for name, r in rows:
        lines.append(f"  {name[-44:]:<44} {_fmt(r['agreement']):>6} {_fmt(r['supported_precision']):>6} "
                     f"{_fmt(r['refuted_recall']):>6} {r['false_supported']:>5} {r['checkworthy_sentences']:>4}")
    return "\n".join(lines)
