"""What a warm ``claims search`` costs, and where the time goes.

``wall``: runs ``claims search "North Korean troops" -k 5`` as a user does, a new process
each time, on a copy of the seed database (``claims check examples/seed-article.txt``,
made once in a temporary folder, or ``--db FILE``), and prints the median wall time and
each run's peak memory. The first run of each command is left out of the median (it
fills the OS caches, the vector index and, now, the embedding cache with the query's
vector); the warm runs follow, interleaved. With ``--baseline DIR`` (a checkout of an
earlier commit, e.g. ``git worktree add /tmp/search-base HEAD``) it runs that checkout's
``claims`` the same way on its own copy of the database and prints the ratio measured in
this one run.

The split (the same children, timed inside): importing the command, opening the store,
loading the embedding model (0 when it is never loaded), and the search itself (the index,
the query's vector, cutting and ranking the candidate sentences), for a query never
searched before on that database (``new_query``) and for the same query again
(``warm_query``), for this checkout and the baseline.

    .venv/bin/python benchmarks/search_bench.py wall --repeat 5 [--baseline /tmp/search-base] [--db FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed-article.txt"
CORPUS = ROOT / "examples" / "corpus"
QUERY = "North Korean troops"
K = "5"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMS_", "PREFECT_API"))}
    env.update({"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "DO_NOT_TRACK": "1",
                "CLAIMS_SOURCES__CORPUS__PATH": str(CORPUS)})
    return env


def _python(checkout: Path | None, code: str) -> list[str]:
    """A ``python -c`` command running ``code`` with this checkout's modules, or with those
    of ``checkout`` found before this checkout's editable install."""
    if checkout is None:
        return [sys.executable, "-c", code]
    start = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in "
             f"type(f).__module__]; sys.path.insert(0, {str(checkout)!r}); ")
    return [sys.executable, "-c", start + code]


def _claims(checkout: Path | None, db: Path, *args: str) -> list[str]:
    """The ``claims`` command (``claims_cli.app:main``) of this checkout or of ``checkout``."""
    return _python(checkout, "from claims_cli.app import main; main()") + ["--db", str(db), *args]


def _run(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(command, check=False, env=_env(), cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} ... failed: {proc.stderr[-2000:]}")
    return wall, proc.stdout


def _copy_db(source: Path, target: Path) -> Path:
    """A copy of the database file and of the vector index beside it."""
    shutil.copy2(source, target)
    vectors = source.with_name(source.name + ".vectors")
    if vectors.is_dir():
        shutil.copytree(vectors, target.with_name(target.name + ".vectors"))
    return target


# One search in this process, timed step by step: run by ``_split`` in a new process.
_SPLIT = """
import json, resource, sys, time
started = time.perf_counter()
import claims_cli.app
imported = time.perf_counter()
from claims.embed import embedder_for
from claims.search import search_store
from claims.settings import load_settings
from claims.store import open_store
settings = load_settings(None, db=sys.argv[1])
store = open_store(settings)
opened = time.perf_counter()
embedder = embedder_for(settings)
hits = search_store(store, embedder, [sys.argv[2]], int(sys.argv[3]))
searched = time.perf_counter()
print(json.dumps({"import_s": imported - started, "open_store_s": opened - imported,
                  "model_load_s": embedder.load_seconds,
                  "search_s": searched - opened - embedder.load_seconds,
                  "model_loaded": embedder.is_loaded, "hits": len(hits),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _split(checkout: Path | None, db: Path) -> dict[str, dict[str, object]]:
    """The split of a new query's search (the first on ``db``) and of the same search again."""
    steps = {}
    for case in ("new_query", "warm_query"):
        _, stdout = _run(_python(checkout, _SPLIT) + [str(db), QUERY, K])
        steps[case] = {k: round(v, 3) if isinstance(v, float) else v for k, v in json.loads(stdout).items()}
    return steps


def _seed_db(folder: Path) -> Path:
    db = folder / "seed.duckdb"
    _run(_claims(None, db, "check", str(SEED)))
    return db


def wall(repeat: int, baseline: Path | None, db: Path | None) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="claims-search-bench-"))
    seed = db if db is not None else _seed_db(tmp)
    checkouts: dict[str, Path | None] = {"now": None}
    if baseline is not None:
        checkouts["baseline"] = baseline
    split = {name: _split(checkout, _copy_db(seed, tmp / f"split-{name}.duckdb")) for name, checkout in checkouts.items()}
    commands = {name: _claims(checkout, _copy_db(seed, tmp / f"{name}.duckdb"), "search", QUERY, "-k", K)
                for name, checkout in checkouts.items()}
    first = {name: round(_run(cmd)[0], 2) for name, cmd in commands.items()}  # fills the caches
    walls: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            walls[name].append(_run(cmd)[0])
    result: dict[str, object] = {
        "command": f'claims search "{QUERY}" -k {K} (a new process each run, the same database)',
        "first_run_s": first,
        "warm_runs_s": {k: [round(w, 2) for w in v] for k, v in walls.items()},
        "warm_median_s": {k: round(statistics.median(v), 2) for k, v in walls.items()},
        "split_s": split,
    }
    if baseline is not None:
        result["baseline_over_now"] = round(statistics.median(walls["baseline"]) / statistics.median(walls["now"]), 2)
    shutil.rmtree(tmp, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    w = sub.add_parser("wall", help="the command's wall time, warm, against an earlier checkout, and its split")
    w.add_argument("--repeat", type=int, default=5)
    w.add_argument("--baseline", type=Path, help="a checkout of an earlier commit (its claims_cli)")
    w.add_argument("--db", type=Path, help="the database to copy (default: the seed article checked into a new one)")
    args = parser.parse_args()
    print(json.dumps(wall(args.repeat, args.baseline, args.db), indent=2))


if __name__ == "__main__":
    main()
