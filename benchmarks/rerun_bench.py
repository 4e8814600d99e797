"""A rerun on unchanged inputs against the first run.

The seed article is verified against a corpus of ``--docs`` documents (the example corpus
plus deterministic variants of it, so there is real embedding work), once on a new
database and again on the same database. The second run must embed nothing (every text is
in the embedding cache, every passage stored), cut no document again (unchanged texts are
read back from ``document_passages``), judge no stance again (``stance_cache``) and still
write one new verdict per claim. Prints both wall times, their ratio, and what each run
embedded, cut and judged. Model loads (embedder, stance model) happen before either run.

    .venv/bin/python benchmarks/rerun_bench.py [--docs 200]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent


def build_corpus(folder: Path, n_docs: int) -> None:
    """The example corpus, then variants (sentences shuffled, new outlet and date) up to n_docs."""
    sources = sorted((ROOT / "examples" / "corpus").glob("*.md"))
    rng = random.Random(7)
    for path in sources:
        shutil.copy(path, folder / path.name)
    i = 0
    while len(list(folder.glob("*.md"))) < n_docs:
        src = sources[i % len(sources)].read_text(encoding="utf-8")
        head, body = src.split("---\n", 2)[1], src.split("---\n", 2)[2]
        paragraphs = [p for p in body.split("\n\n") if p.strip()]
        rng.shuffle(paragraphs)
        head = "\n".join(
            f"url: https://variant{i}.example.net/story" if line.startswith("url:") else
            f"outlet: Variant Outlet {i % 37}" if line.startswith("outlet:") else line
            for line in head.splitlines())
        (folder / f"variant-{i:04d}.md").write_text(f"---\n{head}\n---\n" + "\n\n".join(paragraphs), encoding="utf-8")
        i += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    args = parser.parse_args()

    from claims import pipeline
    from claims.ingest import read_input
    from claims.settings import load_settings
    from claims.embed import embedder_for
    from claims.store import open_store, run_user_query

    tmp = Path(tempfile.mkdtemp(prefix="claims-rerun-"))
    corpus = tmp / "corpus"
    corpus.mkdir()
    build_corpus(corpus, args.docs)
    settings = load_settings(None, db=str(tmp / "bench.duckdb"),
                             sources={"corpus": {"enabled": True, "path": str(corpus)}})
    embedder_for(settings).loaded()  # model loads are not part of either run
    pipeline.stance_model_for(settings).predict(["warm-up"], ["warm-up"], np.zeros((1, 384), np.float32),
                                                np.zeros((1, 384), np.float32))
    doc = read_input(str(ROOT / "examples" / "seed-article.txt"), settings)

    def run() -> tuple[float, dict]:
        start = time.perf_counter()
        report = pipeline.verify(doc, settings)
        return time.perf_counter() - start, report

    store = open_store(settings)

    def stance_rows() -> int:
        return run_user_query(store, "SELECT count(*) FROM stance_cache").rows[0][0]

    first_s, first = run()
    stance_rows_after_first = stance_rows()
    second_s, second = run()
    stance_rows_after_second = stance_rows()
    verdicts = run_user_query(store, "SELECT count(*) FROM verdicts").rows[0][0]
    print(json.dumps({
        "corpus_documents": args.docs,
        "passages": first.counts.get("passages"),
        "claims": len(first.claims),
        "first_run_s": round(first_s, 2),
        "rerun_s": round(second_s, 2),
        "first_to_rerun_ratio": round(first_s / second_s, 1),
        "texts_embedded_first_run": first.counts.get("embedded"),
        "texts_embedded_rerun": second.counts.get("embedded"),
        "documents_cut_first_run": first.counts.get("documents_cut"),
        "documents_cut_rerun": second.counts.get("documents_cut"),
        "stance_pairs_judged_first_run": stance_rows_after_first,
        "stance_pairs_judged_rerun": stance_rows_after_second - stance_rows_after_first,
        "stance_model": pipeline.stance_model_for(settings).name,
        "verdict_rows_after_two_runs": verdicts,
        "rerun_stage_seconds": {k: round(v, 3) for k, v in second.timings.items()},
    }, indent=2))


if __name__ == "__main__":
    main()
