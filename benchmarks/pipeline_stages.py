"""Where the main job's time goes: each stage's share, the judge stage against an earlier
checkout, the embedding adapter against SentenceTransformer.encode.

Runs the seed article against the example corpus through the library
(``claims.pipeline.verify``, a new database each run, the model already loaded) and prints
the median seconds and share of each stage.

``--baseline DIR`` (a checkout of an earlier commit: ``git worktree add /tmp/base REV``)
runs the same library runs with that checkout's code in a child process, interleaved with
runs of this checkout in another, and ``claims check examples/seed-article.txt`` of both as
a user runs it (a new process each time, warm: the same database again), and prints the
ratios measured in this one run: how much slower or faster the judge stage and the whole
command are now.

``--flow`` adds runs of the ``verify-document`` Prefect flow (Prefect's own share).

    .venv/bin/python benchmarks/pipeline_stages.py [--repeat 3] [--baseline /tmp/base] [--flow]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed-article.txt"
CORPUS = ROOT / "examples" / "corpus"

# One measurement in a child process: library runs of the seed with the code found first on
# sys.path (this checkout's, or a baseline's put before the editable install).
_CHILD = textwrap.dedent("""
    import json, statistics, sys, tempfile, time
    from pathlib import Path
    code, repeat, seed, corpus = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    if code:
        sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__module__]
        sys.path.insert(0, code)
    from claims import pipeline
    from claims.ingest import read_input
    from claims.settings import load_settings
    tmp = Path(tempfile.mkdtemp(prefix="claims-stages-"))
    def settings(name):
        return load_settings(None, db=str(tmp / f"{name}.duckdb"),
                             sources={"corpus": {"enabled": True, "path": corpus}})
    warm = settings("warm")
    pipeline.verify(read_input(seed, warm), warm)  # loads the model, fills the OS caches
    walls, stages = [], []
    for i in range(repeat):
        s = settings(f"run{i}")
        start = time.perf_counter()
        report = pipeline.verify(read_input(seed, s), s)
        walls.append(time.perf_counter() - start)
        stages.append(report.timings)
    names = sorted({k for run in stages for k in run})
    print(json.dumps({"wall_s": statistics.median(walls),
                      "stages_s": {n: statistics.median(r.get(n, 0.0) for r in stages) for n in names},
                      "labels": report.label_counts()}))
""")


def _child(code: Path | None, repeat: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(code or ""), str(repeat), str(SEED), str(CORPUS)],
                          capture_output=True, text=True, timeout=1800, cwd=ROOT,
                          env={**os.environ, "PREFECT_HOME": tempfile.mkdtemp(prefix="claims-bench-prefect-")})
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child ({code or 'this checkout'}) failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _check_command(code: Path | None, db: Path) -> list[str]:
    if code is None:
        return [str(Path(sys.executable).parent / "claims"), "--db", str(db), "check", str(SEED)]
    start = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in "
             f"type(f).__module__]; sys.path.insert(0, {str(code)!r}); from claims_cli.app import main; main()")
    return [sys.executable, "-c", start, "--db", str(db), "check", str(SEED)]


def _timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed: {proc.stderr[-2000:]}")
    return time.perf_counter() - start


def _shares(result: dict) -> dict:
    wall = result["wall_s"]
    return {name: round(100 * s / wall, 1) for name, s in result["stages_s"].items()}


def compare(baseline: Path, repeat: int) -> dict:
    """This checkout against ``baseline``: library stage timings and the warm command."""
    runs: dict[str, list[dict]] = {"now": [], "baseline": []}
    for _ in range(2):  # interleaved, so both see the same machine load
        runs["now"].append(_child(None, repeat))
        runs["baseline"].append(_child(baseline, repeat))
    merged = {}
    for name, results in runs.items():
        stages = sorted({k for r in results for k in r["stages_s"]})
        merged[name] = {"wall_s": statistics.median(r["wall_s"] for r in results),
                        "stages_s": {k: statistics.median(r["stages_s"].get(k, 0.0) for r in results) for k in stages},
                        "labels": results[-1]["labels"]}
    tmp = Path(tempfile.mkdtemp(prefix="claims-bench-check-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMS_", "PREFECT_API"))}
    env.update({"PREFECT_HOME": str(tmp / "prefect"), "CLAIMS_SOURCES__CORPUS__PATH": str(CORPUS)})
    commands = {"now": _check_command(None, tmp / "now.duckdb"),
                "baseline": _check_command(baseline, tmp / "baseline.duckdb")}
    for command in commands.values():
        _timed(command, env)  # the first run of each fills its database and caches
    walls: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            walls[name].append(_timed(command, env))
    check = {name: statistics.median(w) for name, w in walls.items()}
    judge_now, judge_base = merged["now"]["stages_s"].get("judge", 0.0), merged["baseline"]["stages_s"].get("judge", 0.0)
    return {
        "baseline": str(baseline),
        "library_run_s": {k: round(v["wall_s"], 3) for k, v in merged.items()},
        "judge_stage_s": {"now": round(judge_now, 3), "baseline": round(judge_base, 3)},
        "judge_share_percent": {k: _shares(v).get("judge") for k, v in merged.items()},
        "stage_seconds": {k: {n: round(s, 3) for n, s in v["stages_s"].items()} for k, v in merged.items()},
        "labels": {k: v["labels"] for k, v in merged.items()},
        "judge_now_over_baseline": round(judge_now / judge_base, 2) if judge_base else None,
        "check_command_warm_s": {k: round(v, 2) for k, v in check.items()},
        "check_now_over_baseline": round(check["now"] / check["baseline"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each kind (median reported)")
    parser.add_argument("--baseline", type=Path, help="a checkout of an earlier commit to compare with")
    parser.add_argument("--flow", action="store_true", help="also time the verify-document Prefect flow")
    args = parser.parse_args()

    report = {"input": "examples/seed-article.txt vs examples/corpus"}
    now = _child(None, args.repeat)
    report["library_run_s_median"] = round(now["wall_s"], 3)
    report["stage_seconds_median"] = {k: round(v, 3) for k, v in now["stages_s"].items()}
    report["share_of_library_run_percent"] = _shares(now)
    if args.baseline is not None:
        report["against_baseline"] = compare(args.baseline, args.repeat)

    from claims.embed import embedder_for
    from claims.score.passages import passages_for
    from claims.settings import load_settings
    from claims.sources.corpus import load_corpus

    if args.flow:
        from flows.verify import verify_document

        tmp = Path(tempfile.mkdtemp(prefix="claims-bench-flow-"))
        os.environ.setdefault("PREFECT_HOME", str(tmp / "prefect"))
        walls = []
        for i in range(args.repeat + 1):
            start = time.perf_counter()
            verify_document(str(SEED), overrides={"db": str(tmp / f"flow{i}.duckdb"),
                                                  "sources": {"corpus": {"enabled": True, "path": str(CORPUS)}}})
            walls.append(time.perf_counter() - start)
        flow = statistics.median(walls[1:])
        report["flow_run_s_median"] = round(flow, 3)
        report["first_flow_run_s_incl_prefect_server_start"] = round(walls[0], 2)
        report["prefect_share_of_flow_percent"] = round(100 * max(0.0, flow - now["wall_s"]) / flow, 1)

    # the embedding adapter against SentenceTransformer.encode on the same texts
    embedder = embedder_for(load_settings(None, db=str(Path(tempfile.mkdtemp()) / "e.duckdb"))).loaded()
    texts = [p.text for p in passages_for(load_corpus(CORPUS).documents)]
    texts = (texts * (1 + 1000 // max(1, len(texts))))[:1000]

    def best_of_two(fn) -> float:  # noqa: ANN001
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
        return best

    direct_s = best_of_two(lambda: embedder.model.encode(texts, batch_size=64, normalize_embeddings=True,
                                                          show_progress_bar=False))
    adapter_s = best_of_two(lambda: embedder.encode(texts))
    report["embedding"] = {"texts": len(texts), "direct_sentences_per_s": round(len(texts) / direct_s, 1),
                           "pipeline_sentences_per_s": round(len(texts) / adapter_s, 1),
                           "pipeline_to_direct_ratio": round(direct_s / adapter_s, 3)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
