#!/usr/bin/env python
"""Contrastive claim-passage pairs from real news sentences, for the stance cross-encoder.

    python scripts/make_contrastive_pairs.py --out ../pairs            # seed 13, default counts
    python scripts/make_contrastive_pairs.py --out ../pairs --per-kind 3000

Each sentence of a source document becomes a *claim*; its *passage* is the window of 2-3
sentences around it in the same document (FactCC-style rule-made pairs):

* **support**: the sentence itself (``identical``), with a clause dropped
  (``clause_dropped``), or with a figure rounded as people round (``rounded``: "about
  40%" for 39.6%, "nearly 1,900" for 1,874);
* **refute**: exactly one detail changed: a number's value (``number_value``), its scale
  (``number_scale``: million/billion) or kind (``number_kind``: % vs percentage points), a
  date, month, weekday, year or period (``date``), a named thing swapped for another of the
  same document (``entity_swap``), the speaker of a quote swapped (``speaker_swap``), a
  word turned to its opposite (``antonym``), a negation added or removed (``negation``), a
  quantifier changed (``quantifier``);
* **neutral**: the sentence against another window of the same document that shares
  words with it but neither restates nor contradicts it (``same_document``);
* with ``--cross-outlet N``, **paraphrase**: FNC-1 bodies that agree with or discuss one
  headline are reports of one story by several outlets; a sentence of one body against the
  window of another body's sentence that says the same in other words (``other_outlet``,
  support: embedding cosine at least 0.82, not a near copy, every figure and every name of
  the claim in that sentence) and the same sentence with one detail changed that the other
  outlet's passage states (``other_outlet_changed``, refute: a figure, date, name, speaker,
  an opposite, a negation or a quantifier; the kind in ``change``).

Sources (from ``--data``, ../shared/data): FNC-1 ``train_bodies.csv`` and
``competition_test_bodies.csv``; AVeriTeC ``train.json`` answers, explanations and
justifications; LIAR-PLUS justifications; Climate-FEVER evidence sentences. Of the three
verdict benchmarks (AVeriTeC, LIAR-PLUS, Climate-FEVER) only the **dev half** of their
claims is read (the hash ``claims eval`` splits by), so their test halves stay unseen. The
desk sets are never read.

**Split by source document**: a document goes to ``dev`` exactly when its group (FNC-1
body, benchmark claim) is in the 15% that :func:`claims.eval.stance.held_back` keeps back
from the stance mix, so the two held-back parts agree. Outputs in ``--out``:
``contrastive-train.jsonl``, ``contrastive-dev.jsonl`` (one JSON object a line: claim,
passage, label, kind, source, source_doc) and ``manifest.json`` (the seed, the counts per
kind, label, source and split, and the input files' sha256). Every word list lives in
``scripts/data/contrastive_lexicon.json``. Sentences are split and named things found
with the pipeline's own ``claims.extract`` helpers (no spaCy in the environment).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claims.eval.judging import hash_split
from claims.eval.stance import StancePair, held_back
from claims.extract.sentences import split_sentences
from claims.extract.structure import find_entities

LEXICON_PATH = ROOT / "scripts" / "data" / "contrastive_lexicon.json"
SUPPORT_KINDS = ("identical", "clause_dropped", "rounded")
REFUTE_KINDS = ("number_value", "number_scale", "number_kind", "date", "entity_swap", "speaker_swap", "antonym",
                "negation", "quantifier")
NEUTRAL_KINDS = ("same_document",)
# a sentence against another outlet's report of the same story (--cross-outlet)
CROSS_KINDS = ("other_outlet", "other_outlet_changed")
KINDS = SUPPORT_KINDS + REFUTE_KINDS + NEUTRAL_KINDS + CROSS_KINDS
LABEL_OF = {**{k: "support" for k in SUPPORT_KINDS}, **{k: "refute" for k in REFUTE_KINDS}, "same_document": "neutral",
            "other_outlet": "support", "other_outlet_changed": "refute"}

_WORD = re.compile(r"[A-Za-z0-9]+")
# a figure: 1,874 / 39.6 / 250 (not part of a word, a code or a longer number)
_NUMBER = re.compile(r"(?<![\w.,/$-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w,/-]|\.\d)")
_YEAR = re.compile(r"(?<![\w$.,])(19[5-9]\d|20[0-3]\d)(?![\w%,.]\d?)")


def load_lexicon(path: Path = LEXICON_PATH) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Document:
    doc_id: str  # e.g. fnc-1-train:123
    source: str  # fnc-1 | averitec | liar-plus | climate-fever
    group: str  # the stance mix's group of this document (decides the split)
    sentences: tuple[str, ...]


# ---------------------------------------------------------------- reading the sources


def _sentences(text: str) -> list[str]:
    return [" ".join(s.text.split()) for s in split_sentences(" ".join(text.split()))]


def fnc_documents(path: Path, tag: str) -> Iterator[Document]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            body_id = row["Body ID"].strip()
            yield Document(f"fnc-1-{tag}:{body_id}", "fnc-1", f"body:{body_id}", tuple(_sentences(row["articleBody"])))


def averitec_documents(path: Path) -> Iterator[Document]:
    for number, row in enumerate(json.loads(path.read_text(encoding="utf-8"))):
        claim = str(row.get("claim") or "").strip()
        if not claim or hash_split(claim) != "dev":
            continue
        texts: list[str] = []
        for q in row.get("questions") or []:
            for a in q.get("answers") or []:
                if a.get("answer_type") != "Boolean" and a.get("answer"):
                    texts.append(str(a["answer"]))
                if a.get("boolean_explanation"):
                    texts.append(str(a["boolean_explanation"]))
        if row.get("justification"):
            texts.append(str(row["justification"]))
        sentences = [s for t in texts for s in _sentences(t)]
        yield Document(f"averitec:{number}", "averitec", f"claim:{claim}", tuple(sentences))


def liar_documents(path: Path) -> Iterator[Document]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        claim = str(row.get("claim") or "").strip()
        if not claim or hash_split(claim) != "dev" or not row.get("justification"):
            continue
        yield Document(f"liar-plus:{path.stem}:{row.get('id')}", "liar-plus", f"claim:{claim}",
                       tuple(_sentences(str(row["justification"]))))


def climate_fever_documents(path: Path) -> Iterator[Document]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if hash_split(row["claim"]) != "dev":
            continue
        sentences = [" ".join(str(e["evidence"]).split()) for e in row["evidences"]]
        yield Document(f"climate-fever:{row['claim_id']}", "climate-fever", f"claim:{row['claim_id']}",
                       tuple(sentences))


def input_files(data: Path) -> dict[str, Path]:
    return {
        "fnc-1-train": data / "stance" / "fnc-1" / "train_bodies.csv",
        "fnc-1-test": data / "stance" / "fnc-1" / "competition_test_bodies.csv",
        "averitec": data / "averitec" / "train.json",
        "liar-plus-val": data / "liar-plus" / "val2.jsonl",
        "liar-plus-test": data / "liar-plus" / "test2.jsonl",
        "climate-fever": data / "climate-fever" / "climate-fever-dev.jsonl",
    }


def read_documents(data: Path) -> list[Document]:
    files = input_files(data)
    for name, path in files.items():
        if not path.is_file():
            raise SystemExit(f"Error: {path} not found ({name}): give --data the shared data folder")
        if "desk" in path.parts:
            raise SystemExit("Error: the desk sets measure the result: they are never read")
    docs = [*fnc_documents(files["fnc-1-train"], "train"), *fnc_documents(files["fnc-1-test"], "test"),
            *averitec_documents(files["averitec"]), *liar_documents(files["liar-plus-val"]),
            *liar_documents(files["liar-plus-test"]), *climate_fever_documents(files["climate-fever"])]
    return [d for d in docs if d.sentences]


def split_of(doc: Document) -> str:
    return "dev" if held_back(StancePair("", "", "neutral", doc.source, doc.group)) else "train"


# ---------------------------------------------------------------- perturbations


def _case_like(new: str, old: str) -> str:
    return new[:1].upper() + new[1:] if old[:1].isupper() else new


def _replace_word(sentence: str, word: str, new: str, rng: random.Random) -> str | None:
    """``sentence`` with one whole-word occurrence of ``word`` (any case) replaced."""
    hits = list(re.finditer(rf"(?<![\w'-]){re.escape(word)}(?![\w'-])", sentence, flags=re.IGNORECASE))
    if not hits:
        return None
    m = rng.choice(hits)
    return sentence[:m.start()] + _case_like(new, m.group(0)) + sentence[m.end():]


def _value(text: str) -> float:
    return float(text.replace(",", ""))


def _format_like(value: float, original: str) -> str:
    decimals = len(original.split(".")[1]) if "." in original else 0
    text = f"{value:,.{decimals}f}" if ("," in original or (value >= 10000 and decimals == 0)) else f"{value:.{decimals}f}"
    return text


def _figures(sentence: str) -> list[re.Match]:
    """Figures that are amounts (not years, not codes after a capitalised word)."""
    out = []
    for m in _NUMBER.finditer(sentence):
        if _YEAR.fullmatch(m.group(1)):
            continue
        before = sentence[:m.start()].rstrip()
        prev = before.split()[-1] if before.split() else ""
        if prev[:1].isupper() and prev not in ("$", "US$") and before:
            continue  # "Flight 370", "May 5", "Route 66": a name or a date
        out.append(m)
    return out


def round_figure(sentence: str, lex: dict, rng: random.Random) -> str | None:
    """A figure rounded and hedged as people round it (39.6% -> about 40%, 1,874 -> nearly 1,900)."""
    choices = []
    for m in _figures(sentence):
        raw = m.group(1)
        value = _value(raw)
        if "." in raw:
            rounded = float(round(value)) if value >= 10 else round(value, 0 if value >= 3 else 1)
            shown = f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded}"
        elif value >= 100:
            digits = len(str(int(value))) - 2
            rounded = float(round(value / 10**digits) * 10**digits)
            shown = f"{rounded:,.0f}"
        else:
            continue
        if rounded == value or rounded <= 0 or abs(rounded - value) / value > 0.1:
            continue
        before = sentence[:m.start()]
        if re.search(r"\b(?:about|around|nearly|almost|over|some|approximately|roughly|more than|less than|"
                     r"fewer than|under|just)\s+\$?$", before, flags=re.IGNORECASE):
            continue
        hedge = rng.choice(lex["round_up"] if rounded > value else lex["round_down"])
        start = m.start() - 1 if before.endswith("$") else m.start()
        prefix = "$" if before.endswith("$") else ""
        choices.append(sentence[:start] + f"{hedge} {prefix}{shown}" + sentence[m.end():])
    return rng.choice(choices) if choices else None


def drop_clause(sentence: str, lex: dict, rng: random.Random) -> str | None:
    """One clause, parenthesis or lead-in dropped (what is left still holds)."""
    words = "|".join(re.escape(w) for w in lex["drop_clause_words"])
    options: list[str] = []
    for m in re.finditer(rf",\s+(?:{words})\s[^,;()]+,\s+", sentence):
        options.append(sentence[:m.start()] + " " + sentence[m.end():])
    for m in re.finditer(r"\s*\([^()]{3,}\)", sentence):
        options.append(sentence[:m.start()] + sentence[m.end():])
    m = re.search(rf",\s+(?:{words})\s[^;()]+?(?=[.!?][\"'”]?$)", sentence)
    if m:
        options.append(sentence[:m.start()] + sentence[m.end():])
    lead = "|".join(re.escape(w) for w in lex["drop_lead"])
    m = re.match(rf"(?:{lead}),\s+(\w)", sentence)
    if m:
        options.append(m.group(1).upper() + sentence[m.end():])
    verbs = "|".join(lex["speech_verbs"])
    m = re.search(rf",[\"'”]?\s+(?:[A-Z][\w.'-]*\s+){{1,4}}(?:{verbs})(?:\s+(?:on\s+)?\w+day)?\.$", sentence)
    if m and sentence[:1] not in "\"“'":  # "X happened, police said." -> "X happened."
        options.append(sentence[:m.start()] + ".")
    m = re.search(r"[,;]\s+and\s+", sentence)
    if m and len(sentence[:m.start()].split()) >= 6 and len(sentence[m.end():].split()) >= 4:
        options.append(sentence[:m.start()] + ".")
    options = [" ".join(o.split()) for o in options]
    options = [o for o in options if len(o.split()) >= 5 and o != sentence]
    return rng.choice(options) if options else None


def change_number(sentence: str, lex: dict, rng: random.Random) -> str | None:
    figures = _figures(sentence)
    if not figures:
        return None
    m = rng.choice(figures)
    raw = m.group(1)
    value = _value(raw)
    if value == 0:
        new = float(rng.choice([3, 5, 10]))
    elif "." not in raw and value < 20:
        new = float(rng.choice([v for v in range(1, 31) if abs(v - value) >= max(2, value * 0.3)]))
    else:
        new = value * rng.choice([0.4, 0.5, 0.6, 1.5, 1.8, 2.0, 2.5, 3.0])
    shown = _format_like(new, raw)
    if shown == raw:
        return None
    return sentence[:m.start()] + shown + sentence[m.end():]


def change_scale(sentence: str, lex: dict, rng: random.Random) -> str | None:
    options = []
    for a, b in lex["scales"]:
        for old, new in ((a, b), (b, a)):
            if re.search(rf"\d\s+{old}\b", sentence):
                options.append((old, new))
    if not options:
        return None
    old, new = rng.choice(options)
    hits = list(re.finditer(rf"(?<=\d)(\s+){old}\b", sentence))
    m = rng.choice(hits)
    return sentence[:m.start()] + m.group(1) + new + sentence[m.end():]


def change_kind(sentence: str, lex: dict, rng: random.Random) -> str | None:
    """% <-> percentage points, only where the figure is a change (rose 5% / 5 points)."""
    change = "|".join(lex["change_words"])
    points = lex["points_word"]
    for word, new in [(points, "%")] + [(w, points) for w in lex["percent_words"]]:
        for m in re.finditer(rf"(\d(?:[\d.,]*\d)?)({re.escape(word)})(?!\w)", sentence):
            if re.search(rf"\b(?:{change})\s+(?:by\s+|about\s+|nearly\s+|almost\s+)?$", sentence[:m.start()],
                         flags=re.IGNORECASE):
                return sentence[:m.start()] + m.group(1) + new + sentence[m.end():]
    return None


def change_date(sentence: str, lex: dict, rng: random.Random) -> str | None:
    options: list[Callable[[], str | None]] = []
    years = list(_YEAR.finditer(sentence))
    if years:
        def year() -> str:
            m = rng.choice(years)
            new = int(m.group(1)) + rng.choice([-3, -2, -1, 1, 2, 3])
            return sentence[:m.start()] + str(new) + sentence[m.end():]
        options.append(year)
    for names in (lex["months"], lex["weekdays"]):
        found = [n for n in names if re.search(rf"\b{n}\b", sentence) and not (n == "May" and
                 not re.search(r"\bMay\s+\d", sentence))]
        if found:
            def name(found: list[str] = found, names: list[str] = names) -> str | None:
                old = rng.choice(found)
                return _replace_word(sentence, old, rng.choice([n for n in names if n != old]), rng)
            options.append(name)
    for group in lex["periods"]:
        found = [p for p in group if re.search(rf"\b{re.escape(p)}\b", sentence, flags=re.IGNORECASE)]
        if found:
            def period(found: list[str] = found, group: list[str] = group) -> str | None:
                old = rng.choice(found)
                return _replace_word(sentence, old, rng.choice([p for p in group if p != old]), rng)
            options.append(period)
    if not options:
        return None
    return rng.choice(options)()


def _entity_ok(entity: str, lex: dict) -> bool:
    words = entity.split()
    blocked = set(lex["months"]) | set(lex["weekdays"]) | set(lex["not_entities"])
    return bool(words) and not any(w in blocked for w in words) and not any(ch.isdigit() for ch in entity) \
        and len(entity) >= 3


def _unrelated(a: str, b: str) -> bool:
    """Two names that share no word (so "Obama" is not swapped for "Barack Obama")."""
    wa = {w.lower() for w in _WORD.findall(a)}
    wb = {w.lower() for w in _WORD.findall(b)}
    return not (wa & wb) and a.lower() not in b.lower() and b.lower() not in a.lower()


def swap_entity(sentence: str, lex: dict, rng: random.Random, pool: list[str], passage: str) -> str | None:
    """A named thing of the sentence swapped for another of the same document (one of the
    passage's own when there is one: a misattribution the passage shows)."""
    mine = [e for e in find_entities(sentence) if _entity_ok(e, lex) and re.search(rf"\b{re.escape(e)}\b", sentence)]
    if not mine:
        return None
    old = rng.choice(mine)
    others = [e for e in pool if _entity_ok(e, lex) and all(_unrelated(e, m) for m in mine)
              and abs(len(e.split()) - len(old.split())) <= 1]
    if not others:
        return None
    near = [e for e in others if e in passage]
    new = rng.choice(near or others)
    hits = list(re.finditer(rf"\b{re.escape(old)}\b", sentence))
    m = rng.choice(hits)
    return sentence[:m.start()] + new + sentence[m.end():]


def _people(entities: list[str], sentences: tuple[str, ...], lex: dict) -> list[str]:
    """The document's speakers: names said to speak ("X said", "said X", "according to X")
    or named with a title ("Minister X")."""
    titles = "|".join(re.escape(t) for t in lex["person_titles"])
    verbs = "|".join(lex["speech_verbs"])
    text = " ".join(sentences)
    out = []
    for e in entities:
        p = re.escape(e)
        if re.search(rf"\b(?:{titles})\.?\s+{p}\b|\b{p}\s+(?:{verbs})\b|\b(?:said|says|according to)\s+{p}\b",
                     text):
            out.append(e)
    return out


def swap_speaker(sentence: str, lex: dict, rng: random.Random, people: list[str]) -> str | None:
    """Who said it swapped: "X said" / "said X" / "according to X" with another person of the document."""
    verbs = "|".join(lex["speech_verbs"])
    candidates = []
    for person in people:
        p = re.escape(person)
        for pattern in (rf"\b{p}\b(?=(?:,[^,]{{1,60}},)?\s+(?:{verbs})\b)", rf"(?<=\b(?:said|says)\s){p}\b",
                        rf"(?<=\baccording to\s){p}\b"):
            candidates.extend((m, person) for m in re.finditer(pattern, sentence))
    if not candidates:
        return None
    m, person = rng.choice(candidates)
    others = [p for p in people if _unrelated(p, person) and p not in sentence]
    if not others:
        return None
    return sentence[:m.start()] + rng.choice(others) + sentence[m.end():]


def flip_antonym(sentence: str, lex: dict, rng: random.Random) -> str | None:
    options = []
    for a, b in lex["antonyms"]:
        for old, new in ((a, b), (b, a)):
            if re.search(rf"(?<![\w'-]){re.escape(old)}(?![\w'-])", sentence, flags=re.IGNORECASE):
                options.append((old, new))
    if not options:
        return None
    old, new = rng.choice(options)
    return _replace_word(sentence, old, new, rng)


def flip_negation(sentence: str, lex: dict, rng: random.Random) -> str | None:
    neg = lex["negation"]
    lower = sentence.lower()
    if any(s in lower for s in neg["skip_if"]):
        return None
    options: list[str] = []
    for short, full in neg["contractions"].items():
        for m in re.finditer(rf"\b{re.escape(short)}\b", sentence, flags=re.IGNORECASE):
            options.append(sentence[:m.start()] + _case_like(full, m.group(0)) + sentence[m.end():])
    for m in re.finditer(r"\b(\w+) not\b ", sentence):
        if m.group(1).lower() in neg["add_after"]:
            options.append(sentence[:m.start()] + m.group(1) + " " + sentence[m.end():])
    for m in re.finditer(r"\bnever\s", sentence):
        options.append(sentence[:m.start()] + sentence[m.end():])
    if not options:  # add one
        have = {"has", "have", "had"}
        for m in re.finditer(r"\b(\w+) (\w+)\b", sentence):
            aux, nxt = m.group(1), m.group(2)
            if aux.lower() not in neg["add_after"] or nxt.lower() in ("not", "never", "no", "to") or not nxt.isalpha():
                continue
            if aux.lower() in have and not (nxt.endswith("ed") or nxt.lower() in neg["participle_after_have"]):
                continue
            options.append(sentence[:m.start()] + f"{aux} not {nxt}" + sentence[m.end():])
            break
    return rng.choice(options) if options else None


def change_quantifier(sentence: str, lex: dict, rng: random.Random) -> str | None:
    found: list[tuple[int, int, str]] = []
    for old, new in lex["quantifiers"].items():
        for m in re.finditer(rf"(?<![\w'-]){re.escape(old)}(?=\s+([A-Za-z]+))", sentence, flags=re.IGNORECASE):
            before = sentence[:m.start()].rstrip().lower()
            if old in ("most", "all", "some", "many") and (before.endswith(("the", "a", "at", "of", "and"))
                                                             or m.group(1).lower() in ("of", "but", "too", "over",
                                                                                       "the", "these", "those")):
                continue
            found.append((m.start(), m.end(), _case_like(new, m.group(0))))
    # the longest phrase wins ("all the" over "all")
    options = [sentence[:a] + new + sentence[b:] for a, b, new in found
               if not any(x <= a and b <= y and (x, y) != (a, b) for x, y, _ in found)]
    return rng.choice(options) if options else None


# ---------------------------------------------------------------- pairs from a document


def _content(text: str, stop: frozenset[str]) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in stop and len(w) > 2}


def usable(sentence: str) -> bool:
    words = sentence.split()
    if len(sentence) > 300 or not sentence.isascii() and sum(not c.isascii() for c in sentence) > 10:
        return False  # a claim must leave room for its passage in 128 tokens
    if not 8 <= len(words) <= 45 or not sentence[:1].isupper() and sentence[:1] not in "\"“'":
        return False
    if not re.search(r"[.!?][\"'”)]?$", sentence) or "http" in sentence or "@" in sentence:
        return False
    caps = sum(1 for w in words if w[:1].isupper())
    return caps / len(words) < 0.6 and "?" not in sentence


def window(sentences: tuple[str, ...], i: int, rng: random.Random, max_words: int = 90) -> str:
    """Sentence ``i`` with one or two neighbours (2-3 sentences), at most ``max_words`` words."""
    before = rng.choice([0, 1, 1, 2])
    after = rng.choice([0, 1, 1]) if before else rng.choice([1, 2])
    lo, hi = max(0, i - before), min(len(sentences), i + after + 1)
    chosen = list(range(lo, hi))
    while len(" ".join(sentences[j] for j in chosen).split()) > max_words and len(chosen) > 1:
        chosen.remove(chosen[0] if chosen[0] != i else chosen[-1])
    return " ".join(sentences[j] for j in chosen)


def neutral_passage(doc: Document, i: int, stop: frozenset[str], rng: random.Random) -> str | None:
    """Another window of the document about the same subject that does not settle sentence i:
    it shares 2+ content words (or a name) with it but at most half of them, and none of its figures."""
    claim = doc.sentences[i]
    words = _content(claim, stop)
    numbers = set(_NUMBER.findall(claim))
    names = {e for e in find_entities(claim)}
    best: tuple[float, str] | None = None
    for j in range(len(doc.sentences)):
        if abs(j - i) < 3:
            continue
        text = " ".join(doc.sentences[j:j + 2])
        if len(text.split()) > 90:
            text = doc.sentences[j]
        shared = words & _content(text, stop)
        named = any(n in text for n in names)
        if (len(shared) < 2 and not named) or len(shared) > 0.4 * max(1, len(words)):
            continue
        if numbers & set(_NUMBER.findall(text)):
            continue
        score = len(shared) + (1 if named else 0) + rng.random() * 0.5
        if best is None or score > best[0]:
            best = (score, text)
    return best[1] if best else None


def perturb(kind: str, sentence: str, passage: str, lex: dict, rng: random.Random, pool: list[str],
            people: list[str]) -> str | None:
    """The claim of this ``kind`` made from ``sentence`` (None where the kind does not apply)."""
    if kind == "identical":
        return sentence
    if kind == "entity_swap":
        return swap_entity(sentence, lex, rng, pool, passage)
    if kind == "speaker_swap":
        return swap_speaker(sentence, lex, rng, people)
    return {"clause_dropped": drop_clause, "rounded": round_figure, "number_value": change_number,
            "number_scale": change_scale, "number_kind": change_kind, "date": change_date,
            "antonym": flip_antonym, "negation": flip_negation, "quantifier": change_quantifier}[kind](sentence, lex, rng)


RARE_KINDS = ("rounded", "number_kind", "number_scale", "speaker_swap", "number_value", "date", "quantifier")


def pairs_of(doc: Document, lex: dict, rng: random.Random, counts: Counter, per_doc: int,
             rare_cap: int = 0) -> list[dict]:
    """Up to ``per_doc`` sentences of ``doc``, each giving at most one pair per label; the
    kind is the least-used one that applies (so kinds stay as even as the text allows).
    The document's other sentences are tried for the rare kinds only (figures, dates,
    speakers, quantifiers), while a kind has fewer than ``rare_cap`` pairs."""
    stop = frozenset(lex["stopwords"])
    pool = list(dict.fromkeys(e for s in doc.sentences for e in find_entities(s)))
    people = _people(pool, doc.sentences, lex)
    order = [i for i, s in enumerate(doc.sentences) if usable(s)]
    rng.shuffle(order)
    out: list[dict] = []

    def add(claim: str, passage: str, kind: str) -> None:
        out.append({"claim": claim, "passage": passage, "label": LABEL_OF[kind], "kind": kind,
                    "source": doc.source, "source_doc": doc.doc_id})
        counts[kind] += 1

    for rank, i in enumerate(order):
        rare_only = rank >= per_doc
        if rare_only and all(counts[k] >= rare_cap for k in RARE_KINDS):
            break
        sentence = doc.sentences[i]
        passage = window(doc.sentences, i, rng)
        if len(doc.sentences) == 1 or passage == sentence:
            passage = sentence  # a lone evidence sentence: the claim against itself
        for kinds in (SUPPORT_KINDS, REFUTE_KINDS):
            if rare_only:
                kinds = tuple(k for k in kinds if k in RARE_KINDS and counts[k] < rare_cap)
            ranked = sorted(kinds, key=lambda k: (counts[k], rng.random()))
            for kind in ranked:
                made = perturb(kind, sentence, passage, lex, rng, pool, people)
                if made and (kind == "identical" or made != sentence):
                    add(" ".join(made.split()), passage, kind)
                    break
        other = None if rare_only else neutral_passage(doc, i, stop, rng)
        if other:
            add(sentence, other, "same_document")
    return out


# ---------------------------------------------------------------- pairs across outlets

PARAPHRASE_COSINE = 0.82  # below it, two outlets' sentences are often on one subject, not one statement
NEAR_COPY = 0.75  # content-word Jaccard above it: the same wire copy, not a paraphrase


def stance_files(data: Path) -> dict[str, Path]:
    """FNC-1's headline-body stances, which group the bodies into stories (--cross-outlet)."""
    return {"fnc-1-train-stances": data / "stance" / "fnc-1" / "train_stances.csv",
            "fnc-1-test-stances": data / "stance" / "fnc-1" / "competition_test_stances.csv"}


def fnc_stories(data: Path) -> list[list[str]]:
    """The FNC-1 bodies that agree with or discuss each headline (reports of one story),
    as document ids; bodies that disagree are left out (they may contradict)."""
    stories: dict[tuple[str, str], list[str]] = defaultdict(list)
    for tag, path in zip(("train", "test"), stance_files(data).values()):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["Stance"] in ("agree", "discuss"):
                    stories[(tag, row["Headline"])].append(f"fnc-1-{tag}:{row['Body ID'].strip()}")
    return [sorted(set(bodies)) for _, bodies in sorted(stories.items()) if len(set(bodies)) >= 2]


def _names_in(sentence: str, passage: str) -> bool:
    """Every name of ``sentence`` has a word (3+ letters) in ``passage``."""
    lower = passage.lower()
    for entity in find_entities(sentence):
        words = [w.lower() for w in _WORD.findall(entity) if len(w) > 2]
        if words and not any(w in lower for w in words):
            return False
    return True


def _removed_words(sentence: str, changed: str) -> list[str]:
    """The words of ``sentence`` that ``changed`` no longer has (the detail that was changed)."""
    left = Counter(_WORD.findall(changed))
    out = []
    for word in _WORD.findall(sentence):
        if left[word]:
            left[word] -= 1
        else:
            out.append(word)
    return out


CROSS_CHANGES = ("number_value", "number_scale", "date", "entity_swap", "speaker_swap", "antonym", "negation",
                 "quantifier")


def cross_outlet_pairs(docs: list[Document], stories: list[list[str]], lex: dict, rng: random.Random,
                       encode: Callable[[list[str]], "object"]) -> list[dict]:
    """``other_outlet`` and ``other_outlet_changed`` pairs (module docstring): for each usable
    sentence of a body, at most one paraphrase in another body of one of its stories (the
    closest), and at most one changed claim against it. Both bodies are in one split."""
    import numpy as np

    stop = frozenset(lex["stopwords"])
    by_id = {d.doc_id: d for d in docs}
    keys = sorted({(b, i) for story in stories for b in story if b in by_id
                   for i, s in enumerate(by_id[b].sentences) if usable(s)})
    if not keys:
        return []
    vectors = np.asarray(encode([by_id[b].sentences[i] for b, i in keys]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    row_of = {k: n for n, k in enumerate(keys)}
    split = {d.doc_id: split_of(d) for d in docs}
    best: dict[tuple[str, int], tuple[float, tuple[str, int]]] = {}
    for story in stories:
        items = [(b, i) for b in story if b in by_id for i in range(len(by_id[b].sentences)) if (b, i) in row_of]
        if len(items) < 2:
            continue
        sims = vectors[[row_of[k] for k in items]] @ vectors[[row_of[k] for k in items]].T
        for a, claim_key in enumerate(items):
            for b, other_key in enumerate(items):
                score = float(sims[a, b])
                if claim_key[0] == other_key[0] or score < PARAPHRASE_COSINE:
                    continue
                if split[claim_key[0]] != split[other_key[0]]:
                    continue
                if claim_key not in best or score > best[claim_key][0]:
                    claim = by_id[claim_key[0]].sentences[claim_key[1]]
                    other = by_id[other_key[0]].sentences[other_key[1]]
                    wa, wb = _content(claim, stop), _content(other, stop)
                    if len(wa & wb) > NEAR_COPY * max(1, len(wa | wb)):
                        continue
                    if not set(_NUMBER.findall(claim)) <= set(_NUMBER.findall(other)) or not _names_in(claim, other):
                        continue
                    best[claim_key] = (score, other_key)
    out: list[dict] = []
    counts: Counter = Counter()
    for claim_key in sorted(best):
        _, (body, j) = best[claim_key]
        doc, other_doc = by_id[claim_key[0]], by_id[body]
        sentence = doc.sentences[claim_key[1]]
        passage = window(other_doc.sentences, j, rng)
        base = {"passage": passage, "source": "fnc-1", "source_doc": doc.doc_id, "passage_doc": other_doc.doc_id}
        out.append({"claim": sentence, "label": "support", "kind": "other_outlet", **base})
        pool = list(dict.fromkeys(e for s in other_doc.sentences for e in find_entities(s)))
        people = _people(pool, other_doc.sentences, lex)
        for change in sorted(CROSS_CHANGES, key=lambda k: (counts[k], rng.random())):
            made = perturb(change, sentence, passage, lex, rng, pool, people)
            if not made or made == sentence:
                continue
            removed = _removed_words(sentence, made)
            if change not in ("antonym", "negation", "quantifier") and not all(w in passage for w in removed):
                continue  # the changed detail must be one the other outlet states
            out.append({"claim": " ".join(made.split()), "label": "refute", "kind": "other_outlet_changed",
                        "change": change, **base})
            counts[change] += 1
            break
    return out


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cap_kinds(rows: list[dict], per_kind: dict[str, int], rng: random.Random) -> list[dict]:
    """At most ``per_kind[kind]`` rows of each kind (a seeded sample), in a seeded order."""
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
    out: list[dict] = []
    for kind in KINDS:
        chosen = by_kind.get(kind, [])
        rng.shuffle(chosen)
        out.extend(chosen[:per_kind.get(kind, len(chosen))])
    rng.shuffle(out)
    return out


def generate(data: Path, *, seed: int = 13, per_doc: int = 4, per_kind: dict[str, int] | None = None,
             lexicon: dict | None = None, cross_outlet: int = 0,
             encode: Callable[[list[str]], object] | None = None) -> tuple[dict[str, list[dict]], dict]:
    """({"train": rows, "dev": rows}, manifest). ``cross_outlet``: at most that many training
    pairs of each cross-outlet kind (0: none), found with the sentence embedder ``encode``."""
    lex = lexicon or load_lexicon()
    rng = random.Random(seed)
    counts: Counter = Counter()
    rare_cap = int(max((per_kind or {}).values(), default=0) / 0.85)
    split_rows: dict[str, list[dict]] = {"train": [], "dev": []}
    docs = read_documents(data)
    for doc in docs:
        split_rows[split_of(doc)].extend(pairs_of(doc, lex, rng, counts, per_doc, rare_cap))
    caps = dict(per_kind or {})
    if cross_outlet:
        if encode is None:
            raise ValueError("cross-outlet pairs need a sentence embedder")
        cross_rng = random.Random(seed + 1)  # the other kinds' pairs stay as without them
        fnc = [d for d in docs if d.source == "fnc-1"]
        split = {d.doc_id: split_of(d) for d in fnc}
        for row in cross_outlet_pairs(fnc, fnc_stories(data), lex, cross_rng, encode):
            split_rows[split[row["source_doc"]]].append(row)
        caps.update({k: cross_outlet for k in CROSS_KINDS})
    dev_caps = {k: max(1, int(v * 0.15 / 0.85)) for k, v in caps.items()}
    out = {"train": cap_kinds(split_rows["train"], caps, rng), "dev": cap_kinds(split_rows["dev"], dev_caps, rng)}
    manifest = {
        "seed": seed,
        "per_doc": per_doc,
        "per_kind_cap": caps,
        "cross_outlet": cross_outlet,
        "documents": dict(Counter(f"{split_of(d)}:{d.source}" for d in docs)),
        "counts": {split: {
            "pairs": len(rows),
            "by_label": dict(sorted(Counter(r["label"] for r in rows).items())),
            "by_kind": {k: c for k, c in ((k, sum(1 for r in rows if r["kind"] == k)) for k in KINDS)},
            "by_source": dict(sorted(Counter(r["source"] for r in rows).items())),
            "by_source_kind": {s: dict(sorted(Counter(r["kind"] for r in rows if r["source"] == s).items()))
                               for s in sorted({r["source"] for r in rows})},
        } for split, rows in out.items()},
        "inputs": {name: {"path": str(path), "sha256": sha256(path)} for name, path in input_files(data).items()
                   | (stance_files(data) if cross_outlet else {}).items()},
        "lexicon_sha256": sha256(LEXICON_PATH) if lexicon is None else None,
    }
    return out, manifest


def load_pairs(path: Path, label_source: bool = True) -> list[StancePair]:
    """A generated file as stance pairs whose source is ``contrastive-<kind>`` (per-kind figures)."""
    pairs = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            pairs.append(StancePair(row["claim"], row["passage"], row["label"],
                                    f"contrastive-{row['kind']}" if label_source else "contrastive",
                                    group=row["source_doc"]))
    return pairs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT.parent / "pairs")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--per-doc", type=int, default=4, help="sentences used per source document")
    ap.add_argument("--per-kind", type=int, default=450,
                    help="training pairs per kind at most (dev: the 15/85 share of it); 0: no cap")
    ap.add_argument("--cross-outlet", type=int, default=0, metavar="N",
                    help="also N training pairs of each cross-outlet kind (paraphrases across FNC-1 bodies of one "
                         "story, and their one-detail changes), found with the packaged sentence embedder; 0: none")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    caps: dict[str, int] = {}
    if args.per_kind:
        refute_total = args.per_kind * len(REFUTE_KINDS)
        caps = {k: args.per_kind for k in REFUTE_KINDS}
        # support and neutral as many as refute in all: the three labels balanced
        # support and neutral about as many as refute in all (the three labels balanced); the
        # verbatim sentence at most a third of support (it is the easy case)
        caps.update({"identical": refute_total // 3, "clause_dropped": refute_total, "rounded": refute_total})
        caps["same_document"] = refute_total * 3 // 4
    encode = None
    if args.cross_outlet:
        from claims.embed.loader import load_embedder
        from claims.settings import Settings

        encode = load_embedder(Settings().model, backend="auto").encode
    rows, manifest = generate(args.data, seed=args.seed, per_doc=args.per_doc, per_kind=caps,
                              cross_outlet=args.cross_outlet, encode=encode)
    args.out.mkdir(parents=True, exist_ok=True)
    for split, items in rows.items():
        with (args.out / f"contrastive-{split}.jsonl").open("w", encoding="utf-8") as handle:
            for row in items:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(manifest["counts"], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
