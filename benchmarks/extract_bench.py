"""Extraction speed: splitting, check-worthiness scoring (with its sentence features),
quantity parsing, structure and the checkable text of a synthetic set of news articles, as
sentences per second and as a ratio to embedding the same sentences in the same run (the
baseline: the cost the pipeline pays anyway). The aim is extraction under 10% of it.

    .venv/bin/python benchmarks/extract_bench.py [--articles 1000] [--seed 0]

The articles are generated deterministically from templates (datelines, headlines,
quotes, abbreviations, figures with hedges, ranges, money and percentages), so every run
measures the same text. Prints one JSON object; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PLACES = ["Kursk", "Kyiv", "Seoul", "Pyongyang", "Moscow", "Beijing", "Washington", "Brussels", "Kharkiv"]
ACTORS = ["the Pentagon", "Ukraine's military intelligence", "South Korea's spy agency", "U.S. officials",
          "Gen. Mark Milley", "Mr. Zelensky", "the Kremlin", "NATO's secretary general", "analysts"]
UNITS = ["troops", "North Korean soldiers", "special-forces soldiers", "civilians", "drones", "missiles",
         "artillery shells", "refugees", "tanks"]
HEDGES = ["", "about ", "some ", "more than ", "at least ", "up to ", "nearly ", "an estimated ", "roughly "]
VAGUE = ["thousands of", "hundreds of", "dozens of", "tens of thousands of", "several thousand"]
FILLERS = [
    "The situation remains tense, diplomats say.",
    "Talks are expected to resume next week.",
    "It was not immediately clear how the figures were compiled.",
    "Officials declined to comment further.",
    "The move drew sharp criticism from Western capitals.",
    "China has remained silent on the matter.",
]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _figure(rng: random.Random) -> str:
    n = rng.choice([1_500, 3_000, 8_000, 10_000, 12_000, 250, 40, 1_200_000])
    style = rng.random()
    if style < 0.15:
        return f"between {n:,} and {int(n * 1.2):,} {rng.choice(UNITS)}"
    if style < 0.3:
        return f"{rng.choice(VAGUE)} {rng.choice(UNITS)}"
    if style < 0.4:
        return f"${rng.choice([1.2, 3, 60, 0.5])} billion"
    if style < 0.5:
        return f"{rng.choice([2.5, 4.6, 12, 30])}%"
    return f"{rng.choice(HEDGES)}{n:,} {rng.choice(UNITS)}"


def make_articles(n: int, seed: int = 0) -> list[str]:
    """``n`` synthetic news articles, the same for the same seed."""
    rng = random.Random(seed)
    months = ["Jan.", "Feb.", "Oct.", "Nov.", "Dec."]
    articles = []
    for _ in range(n):
        place = rng.choice(PLACES)
        lines = [f"{_cap(rng.choice(ACTORS))} reports {_figure(rng)} near {place}",
                 f"{place.upper()}, {rng.choice(months)} {rng.randint(1, 28)} (Wire)"]
        paragraph = []
        for _ in range(rng.randint(6, 12)):
            kind = rng.random()
            if kind < 0.35:
                paragraph.append(f"{_cap(rng.choice(ACTORS))} said {_figure(rng)} had been sent to "
                                 f"{rng.choice(PLACES)} on {rng.choice(months)} {rng.randint(1, 28)}.")
            elif kind < 0.55:
                paragraph.append(f'"We have seen {_figure(rng)} moving," {rng.choice(ACTORS)} told reporters.')
            elif kind < 0.7:
                paragraph.append(f"According to {rng.choice(ACTORS)}, {_figure(rng)} were deployed in "
                                 f"{rng.randint(2019, 2024)}.")
            else:
                paragraph.append(rng.choice(FILLERS))
        lines.append(" ".join(paragraph))
        articles.append("\n".join(lines))
    return articles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    from claims.extract import quantities
    from claims.extract.checkable import checkable_text
    from claims.extract.checkworthiness import CheckworthinessModel
    from claims.extract.quantities import parse_quantities
    from claims.extract.sentences import split_sentences
    from claims.extract.structure import claim_type, find_attribution, find_entities
    from claims.embed import load_embedder

    articles = make_articles(args.articles, args.seed)
    model = CheckworthinessModel.load()
    embedder = load_embedder(model.embedding_model)
    embedder.encode(["warm up"])

    t0 = time.perf_counter()
    sentences = [s.text for text in articles for s in split_sentences(text)]
    t_split = time.perf_counter() - t0

    t0 = time.perf_counter()
    vectors = embedder.encode(sentences)
    t_embed = time.perf_counter() - t0

    quantities._parse_short.cache_clear()  # each step parses afresh (the parse is memoised)
    t0 = time.perf_counter()
    scores = model.score(sentences, embeddings=vectors)
    t_score = time.perf_counter() - t0

    quantities._parse_short.cache_clear()
    t0 = time.perf_counter()
    parsed = [parse_quantities(s) for s in sentences]
    t_parse = time.perf_counter() - t0

    claims = [i for i in range(len(sentences)) if scores[i] >= model.threshold]
    t0 = time.perf_counter()
    for i in claims:  # only claims get a checkable text
        checkable_text(sentences[i], previous=sentences[i - 1] if i else None)
    t_checkable = time.perf_counter() - t0

    t0 = time.perf_counter()
    for s, qs in zip(sentences, parsed):
        claim_type(s, qs)
        find_attribution(s)
        find_entities(s)
    t_structure = time.perf_counter() - t0

    n = len(sentences)
    extract = t_split + t_score + t_parse
    everything = extract + t_structure + t_checkable

    def rate(seconds: float) -> float:
        return round(n / seconds, 1) if seconds > 0 else float("inf")

    print(json.dumps({
        "articles": len(articles),
        "sentences": n,
        "quantities": sum(len(q) for q in parsed),
        "above_threshold": len(claims),
        "model_features": list(model.features),
        "seconds": {"split": round(t_split, 3), "score": round(t_score, 3), "parse": round(t_parse, 3),
                    "structure": round(t_structure, 3), "checkable": round(t_checkable, 3),
                    "embed": round(t_embed, 3)},
        "sentences_per_second": {"split": rate(t_split), "score": rate(t_score), "parse": rate(t_parse),
                                 "structure": rate(t_structure), "split+score+parse": rate(extract),
                                 "embed": rate(t_embed)},
        "ratio_split_score_parse_to_embed": round(extract / t_embed, 4),
        "ratio_with_structure_to_embed": round((extract + t_structure) / t_embed, 4),
        "ratio_all_extraction_to_embed": round(everything / t_embed, 4),
    }, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
