"""What a warm one-off ``claims check`` costs, and where the time goes.

``wall``: runs ``claims check examples/seed-article.txt`` as a user does, a new process each
time, on one database (so every run after the first is a warm rerun: OS caches, the
embedding cache, PREFECT_HOME all in place), and prints the median wall time. With
``--baseline DIR`` (a checkout of an earlier commit, e.g. ``git worktree add /tmp/base
3ab949b``) it runs that checkout's ``claims`` command the same way, interleaved, on its own
database, and prints the ratio measured in this one run.

``profile``: one process, step by step: importing the command, importing Prefect, loading
the model, a library run, then the same run as the ``verify-document`` flow without a
Prefect API (Prefect's ephemeral server, as every ``claims check`` started before), twice:
the first pays the server's start, the second only the task round-trips.

    .venv/bin/python benchmarks/check_wall.py wall --repeat 5 [--baseline /tmp/base] [--fresh-db]
    .venv/bin/python benchmarks/check_wall.py profile
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed-article.txt"
CORPUS = ROOT / "examples" / "corpus"


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMS_", "PREFECT_API"))}
    env.update({"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "DO_NOT_TRACK": "1",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_HOME": str(home),
                "CLAIMS_SOURCES__CORPUS__PATH": str(CORPUS)})
    return env


def _run(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {proc.stderr[-2000:]}")
    return wall


def wall(repeat: int, baseline: Path | None, fresh_db: bool) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="claims-check-wall-"))
    claims = str(Path(sys.executable).parent / "claims")
    commands = {"now": [claims, "--db", str(tmp / "now.duckdb"), "check", str(SEED)]}
    envs = {"now": _env(tmp / "prefect")}
    if baseline is not None:
        # the earlier checkout's command (its entry point: claims_cli.app:main, or flows.cli:main
        # before the CLI had its own package), its modules found before this checkout's editable install
        entry = "claims_cli.app" if (baseline / "claims_cli" / "app.py").is_file() else "flows.cli"
        start = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in "
                 f"type(f).__module__]; sys.path.insert(0, {str(baseline)!r}); from {entry} import main; main()")
        commands["baseline"] = [sys.executable, "-c", start, "--db", str(tmp / "baseline.duckdb"), "check", str(SEED)]
        envs["baseline"] = _env(tmp / "prefect")
    first = {name: _run(cmd, envs[name]) for name, cmd in commands.items()}  # cold: fills every cache
    walls: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(repeat):
        for name, cmd in commands.items():
            if fresh_db:  # a new database each run: nothing cached, the model loaded every time
                cmd = [str(tmp / f"{name}{i}.duckdb") if part.endswith(f"{name}.duckdb") else part for part in cmd]
            walls[name].append(_run(cmd, envs[name]))
    result: dict[str, object] = {
        "command": "claims check examples/seed-article.txt"
                   + (" (a new database each run)" if fresh_db else " (same database each time)"),
        "first_run_s": {k: round(v, 2) for k, v in first.items()},
        "warm_runs_s": {k: [round(w, 2) for w in v] for k, v in walls.items()},
        "warm_median_s": {k: round(statistics.median(v), 2) for k, v in walls.items()},
    }
    if baseline is not None:
        result["baseline_over_now"] = round(statistics.median(walls["baseline"]) / statistics.median(walls["now"]), 2)
    return result


def profile() -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="claims-check-profile-"))
    os.environ.update({"HF_HUB_OFFLINE": "1", "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                       "PREFECT_HOME": str(tmp / "prefect"), "PREFECT_LOGGING_LEVEL": "WARNING"})
    os.environ.pop("PREFECT_API_URL", None)
    steps: dict[str, float] = {}

    def step(name: str, fn):  # noqa: ANN001, ANN202
        start = time.perf_counter()
        value = fn()
        steps[name] = round(time.perf_counter() - start, 3)
        return value

    step("import_command", lambda: __import__("claims_cli.app"))
    from claims import pipeline
    from claims.embed import embedder_for
    from claims.ingest import read_input
    from claims.settings import load_settings

    def settings(name: str):  # noqa: ANN202
        return load_settings(None, db=str(tmp / f"{name}.duckdb"), sources={"corpus": {"path": str(CORPUS)}})

    warm = settings("warm")
    document = read_input(str(SEED), warm)
    step("first_run_library_cold_caches", lambda: pipeline.verify(document, warm))  # loads the model, fills caches
    report = step("library_run_warm", lambda: pipeline.verify(document, warm))
    step("import_prefect_and_flows", lambda: __import__("flows.verify"))
    from flows.verify import verify_document

    overrides = {"db": str(warm.db), "sources": {"corpus": {"path": str(CORPUS)}}}
    step("flow_run_warm_first_in_process", lambda: verify_document(str(SEED), document=document, overrides=overrides))
    step("flow_run_warm_second", lambda: verify_document(str(SEED), document=document, overrides=overrides))
    embedder = embedder_for(warm)
    return {
        "steps_s": steps,
        "model_load_s": round(embedder.load_seconds, 3),
        "library_run_warm_stage_s": {k: round(v, 3) for k, v in report.timings.items()},
        "prefect_server_start_s": round(steps["flow_run_warm_first_in_process"] - steps["flow_run_warm_second"], 3),
        "task_round_trips_s": round(steps["flow_run_warm_second"] - steps["library_run_warm"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    w = sub.add_parser("wall", help="the command's wall time, warm, against an earlier checkout")
    w.add_argument("--repeat", type=int, default=5)
    w.add_argument("--baseline", type=Path, help="a checkout of an earlier commit")
    w.add_argument("--fresh-db", action="store_true", help="a new database for every run (nothing cached)")
    sub.add_parser("profile", help="imports, model load, Prefect start, task round-trips, work")
    args = parser.parse_args()
    result = wall(args.repeat, args.baseline, args.fresh_db) if args.what == "wall" else profile()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
