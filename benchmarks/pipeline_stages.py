"""Where the main job's time goes, and what the embedding adapter costs.

Runs the seed article against the example corpus
1. through the library (``claims.pipeline.verify``: stage timings, no orchestrator),
2. through the ``verify-document`` Prefect flow (same settings, model already loaded),
and prints each stage's share of the flow's wall time, Prefect's own share (flow wall time
minus the library's), and the pipeline's embedding throughput against calling
``SentenceTransformer.encode`` directly on the same texts, as a ratio from this one run.

    .venv/bin/python benchmarks/pipeline_stages.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each kind (median reported)")
    args = parser.parse_args()

    from claims import pipeline
    from claims.embed import embedder_for
    from claims.ingest import read_input
    from claims.settings import load_settings

    tmp = Path(tempfile.mkdtemp(prefix="claims-bench-"))
    os.environ.setdefault("PREFECT_HOME", str(tmp / "prefect"))

    def fresh_settings(name: str):
        return load_settings(None, db=str(tmp / f"{name}.duckdb"),
                             sources={"corpus": {"enabled": True, "path": str(ROOT / "examples/corpus")}})

    t0 = time.perf_counter()
    embedder = embedder_for(fresh_settings("warm"))
    embedder.loaded()
    load_model_s = time.perf_counter() - t0

    # 1. library runs, each on a new database (a first run: everything is embedded)
    lib_walls, stage_runs = [], []
    for i in range(args.repeat):
        settings = fresh_settings(f"lib{i}")
        doc = read_input(str(ROOT / "examples/seed-article.txt"), settings)
        start = time.perf_counter()
        report = pipeline.verify(doc, settings)
        lib_walls.append(time.perf_counter() - start)
        stage_runs.append(report.timings)

    # 2. flow runs on new databases; the first one also starts Prefect's ephemeral server
    from flows.verify import verify_document

    flow_walls = []
    first_flow = None
    for i in range(args.repeat + 1):
        settings = fresh_settings(f"flow{i}")
        start = time.perf_counter()
        verify_document(str(ROOT / "examples/seed-article.txt"),
                        overrides={"db": str(settings.db), "sources": settings.sources.model_dump(mode="json")})
        wall = time.perf_counter() - start
        if i == 0:
            first_flow = wall
        else:
            flow_walls.append(wall)

    lib_wall = statistics.median(lib_walls)
    flow_wall = statistics.median(flow_walls)
    stages = {name: statistics.median(run.get(name, 0.0) for run in stage_runs) for name in stage_runs[0]}
    prefect_s = max(0.0, flow_wall - lib_wall)
    shares = {name: round(100 * s / flow_wall, 1) for name, s in stages.items()}
    shares["prefect_orchestration"] = round(100 * prefect_s / flow_wall, 1)

    # 3. embedding throughput: adapter vs SentenceTransformer.encode on the same texts
    from claims.score.passages import passages_for
    from claims.sources.corpus import load_corpus

    texts = [p.text for p in passages_for(load_corpus(ROOT / "examples/corpus").documents)]
    texts = (texts * (1 + 1000 // max(1, len(texts))))[:1000]
    st = embedder.loaded().model  # the same SentenceTransformer instance

    def timed(fn) -> float:
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
        return best

    direct_s = timed(lambda: st.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False))
    adapter_s = timed(lambda: embedder.encode(texts))

    print(json.dumps({
        "input": "examples/seed-article.txt vs examples/corpus",
        "model_load_s": round(load_model_s, 2),
        "library_run_s_median": round(lib_wall, 3),
        "flow_run_s_median": round(flow_wall, 3),
        "first_flow_run_s_incl_prefect_server_start": round(first_flow or 0.0, 2),
        "stage_seconds_median": {k: round(v, 3) for k, v in stages.items()},
        "share_of_flow_wall_time_percent": shares,
        "embedding": {
            "texts": len(texts),
            "direct_sentences_per_s": round(len(texts) / direct_s, 1),
            "pipeline_sentences_per_s": round(len(texts) / adapter_s, 1),
            "pipeline_to_direct_ratio": round(direct_s / adapter_s, 3),
        },
    }, indent=2))


if __name__ == "__main__":
    main()
