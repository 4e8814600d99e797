"""Writers on a DuckLake (PostgreSQL catalog) against writers on a local DuckDB file.

The same ``--articles`` articles (made from a few templates on the example corpus' topics:
different outlets, figures and dates, so that every article gathers the same corpus
documents and the writers upsert the same documents, passages and embeddings at once) are
verified by 1, 2 and 4 writer processes (``--writers``), each taking every n-th article,
once into a new local DuckDB file and once into a new lake, interleaved, in this one run.
The lake's catalog is a PostgreSQL server started here (``scripts/lake.sh`` in a temporary
folder, on a free port); its data folder is local too, so the figures are the store's cost
without a network.

A writer is a long-lived process, as a Prefect worker's flow run or ``claims monitor`` is:
it opens the store, loads the embedding model (not counted), waits until every writer is
ready, then runs the library's ``verify_source`` on its articles one after another. Wall
time is from that common start to the last writer's end. Printed per writer count and
store: articles per minute, the ratio lake/file, the commit races each lake writer lost and
ran again (``Store.conflicts``, the retries of ``lake_write_retries``), and the write path's
share of the writers' time, two ways:

* ``store stages``: the pipeline stages that only store (``store_input``, ``store_verdicts``;
  the timings every run keeps in ``runs.stats`` and ``claims check --json`` reports), over the
  articles' wall time;
* ``all writes``: every store method that writes (``start_run``, ``upsert_documents``,
  ``upsert_claims``, ``write_vectors``, ``upsert_passages``, ``record_document_passages``,
  ``write_stance``, ``write_fetches``, ``save_verdicts``, ``finish_run``; retries and their
  waits included), timed in the writer, over the same wall time: the store stages plus the
  writes inside extract, gather, passages and judge.

    .venv/bin/python benchmarks/lake_bench.py [--articles 24] [--writers 1 2 4] [--keep]

Needs PostgreSQL (``make postgres``). The machine's cores bound what more writers can
gain on either store: compare the ratios, not the absolute rates, across machines.

Two runs here, one after the other on an otherwise idle 2-core machine, 40 articles:
articles/min file 75 / 76 / 70 and 72 / 66 / 68 with 1 / 2 / 4 writers, lake 70 / 61 / 53
and 67 / 53 / 54: lake/file 0.93 / 0.81 / 0.76 and 0.94 / 0.80 / 0.78. The lake writers
lost 0 / 20 / 109 and 0 / 29 / 96 commit races (each transaction run again whole; none gave
up). Store stages 14% / 9% / 8% of the lake writers' time (file 14% / 9-10% / 13-34%: with
4 writers the file's writers queue on its lock in store_verdicts); all writes 66% / 54-55% /
62% (file 65% / 41-48% / 60-69%). With two cores, more writers add no throughput on either
store; the lake's extra time is in extract (claims and embedding-cache merges under a
guard, their retries).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "examples" / "corpus"
LAKE_SCRIPT = ROOT / "scripts" / "lake.sh"
sys.path.insert(0, str(ROOT))  # the articles the lake tests use

from tests.articles import articles

WRITE_METHODS = ("start_run", "finish_run", "upsert_documents", "upsert_claims", "upsert_passages", "write_vectors",
                 "record_document_passages", "write_stance", "write_fetches", "save_verdicts")
STORE_STAGES = ("store_input", "store_verdicts")

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMS_", "PREFECT_API"))}
    env.update({"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "DO_NOT_TRACK": "1",
                "CLAIMS_SOURCES__CORPUS__PATH": str(CORPUS)})
    return env


# -- one writer process ------------------------------------------------------------------------


def writer(files: list[str], ready: Path, go: Path) -> None:
    """Run in a writer process: open the store (settings from CLAIMS_*), load the model, say
    ready, wait for the start, verify ``files`` in turn; print what it measured as JSON."""
    from claims import pipeline
    from claims.embed import embedder_for
    from claims.settings import load_settings
    from claims.store import open_store

    settings = load_settings(None)
    store = open_store(settings)
    embedder_for(settings).encode(["warm up"])  # the model is loaded before the clock starts
    spent = {"writes": 0.0}
    depth = [0]

    def timed(name: str) -> Any:
        method = getattr(store, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            depth[0] += 1
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:  # a write inside another is counted once
                    spent["writes"] += time.perf_counter() - start
        return call

    for name in WRITE_METHODS:
        if hasattr(store, name):
            setattr(store, name, timed(name))
    ready.touch()
    while not go.exists():
        time.sleep(0.02)
    articles = []
    for path in files:
        before, start = spent["writes"], time.perf_counter()
        report = pipeline.verify_source(path, settings, store=store)
        wall = time.perf_counter() - start
        articles.append({"wall": wall, "writes": spent["writes"] - before, "timings": report.timings,
                         "claims": len(report.claims), "verdicts": len(report.verdicts)})
    print(json.dumps({"articles": articles, "conflicts": getattr(store, "conflicts", None), "end": time.time()}))


# -- the comparison ------------------------------------------------------------------------------


def run_writers(files: list[Path], n_writers: int, env: dict[str, str], folder: Path) -> dict[str, Any]:
    folder.mkdir(parents=True)
    go = folder / "go"
    procs = []
    for i in range(n_writers):
        share = [str(f) for f in files[i::n_writers]]
        procs.append(subprocess.Popen(
            [sys.executable, __file__, "_writer", "--ready", str(folder / f"ready{i}"), "--go", str(go), *share],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    deadline = time.monotonic() + 600
    while not all((folder / f"ready{i}").exists() for i in range(n_writers)):
        failed = [p for p in procs if p.poll() is not None]
        if failed or time.monotonic() > deadline:
            raise SystemExit(f"a writer did not start: {failed[0].communicate()[1][-3000:] if failed else 'timeout'}")
        time.sleep(0.05)
    start = time.time()
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=3600)
        if proc.returncode != 0:
            raise SystemExit(f"a writer failed: {err[-3000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    wall = max(r["end"] for r in results) - start
    articles = [a for r in results for a in r["articles"]]
    busy = sum(a["wall"] for a in articles)
    stages = sum(a["timings"].get(s, 0.0) for a in articles for s in STORE_STAGES)
    conflicts = [r["conflicts"] for r in results]
    return {
        "wall_s": wall,
        "articles_per_min": len(articles) / wall * 60,
        "article_s_median": statistics.median(a["wall"] for a in articles),
        "store_stages_share": stages / busy,
        "all_writes_share": sum(a["writes"] for a in articles) / busy,
        "conflicts": None if None in conflicts else sum(conflicts),
        "verdicts": sum(a["verdicts"] for a in articles),
        "stage_s": {k: round(sum(a["timings"].get(k, 0.0) for a in articles), 2)
                    for k in sorted({k for a in articles for k in a["timings"]})},
    }


def start_postgres(folder: Path) -> tuple[int, dict[str, str]]:
    folder.mkdir(parents=True)
    folder.chmod(0o755)  # as root the server runs as `postgres`, which must reach its cluster
    env = {**os.environ, "LAKE_PORT": str(_free_port())}
    started = subprocess.run([str(LAKE_SCRIPT), "start", str(folder)], check=False, env=env, capture_output=True, text=True,
                             timeout=180)
    if started.returncode != 0:
        raise SystemExit(f"scripts/lake.sh start failed: {started.stderr.strip()}")
    return int((folder / "port").read_text()), env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=24, help="articles verified per writer count and store")
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 2, 4], help="writer process counts")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (stores, logs)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="claims-lake-bench-"))
    tmp.chmod(0o755)
    files = articles(tmp / "articles", args.articles)
    pg = tmp / "pg"
    port, pg_env = start_postgres(pg)
    pg_bin = max(Path("/usr/lib/postgresql").glob("*/bin/createdb")).parent
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    try:
        for n in args.writers:
            for kind in ("file", "lake"):  # interleaved: the machine's load falls on both alike
                env = _env()
                if kind == "file":
                    env["CLAIMS_DB"] = str(tmp / f"file-{n}.duckdb")
                else:
                    db = f"bench_{n}"
                    subprocess.run([str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", db],
                                   check=True, timeout=60)
                    (tmp / f"lake-{n}").mkdir()
                    env["CLAIMS_STORE"] = f"ducklake:postgres:dbname={db} host=127.0.0.1 port={port} user=postgres"
                    env["CLAIMS_LAKE_DATA_PATH"] = f"{tmp / f'lake-{n}'}/"
                # the schema made once, before the clock (a new store's first open migrates it)
                subprocess.run([sys.executable, "-c", ("from claims.settings import load_settings; "
                                 "from claims.store import open_store; open_store(load_settings(None))")],
                               env=env, cwd=ROOT, check=True, timeout=600)
                rows[(n, kind)] = run_writers(files, n, env, tmp / f"run-{kind}-{n}")
                r = rows[(n, kind)]
                print(f"  {n} writer(s), {kind}: {r['wall_s']:.1f} s, {r['articles_per_min']:.1f} articles/min",
                      file=sys.stderr, flush=True)
    finally:
        subprocess.run([str(LAKE_SCRIPT), "stop", str(pg)], check=False, env=pg_env, capture_output=True, timeout=120)
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print(f"{args.articles} articles per run; {os.cpu_count()} CPU cores; lake = DuckLake on PostgreSQL "
          f"(127.0.0.1) with a local data folder; file = one local DuckDB file")
    head = (f"{'writers':>7}  {'store':<5} {'wall s':>7} {'art/min':>8} {'lake/file':>9} {'art. s (med)':>12} "
            f"{'store stages':>12} {'all writes':>10} {'retries':>7}")
    print(head)
    print("-" * len(head))
    for n in args.writers:
        for kind in ("file", "lake"):
            r = rows[(n, kind)]
            ratio = r["articles_per_min"] / rows[(n, "file")]["articles_per_min"]
            retries = "-" if kind == "file" or r["conflicts"] is None else str(r["conflicts"])
            print(f"{n:>7}  {kind:<5} {r['wall_s']:>7.1f} {r['articles_per_min']:>8.1f} "
                  f"{ratio if kind == 'lake' else 1.0:>9.2f} {r['article_s_median']:>12.2f} "
                  f"{r['store_stages_share']:>12.1%} {r['all_writes_share']:>10.1%} {retries:>7}")
    print("lake/file: articles per minute on the lake over those on the file, same writer count; "
          "store stages: store_input + store_verdicts over the articles' wall time; all writes: every store "
          "write method's time (retries included) over the same; retries: commit races lost and run again")
    print("stage seconds (sum over articles):")
    for (n, kind), r in rows.items():
        print(f"  {n} {kind}: {json.dumps(r['stage_s'])}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_writer":
        sub = argparse.ArgumentParser()
        sub.add_argument("_writer")
        sub.add_argument("--ready", type=Path, required=True)
        sub.add_argument("--go", type=Path, required=True)
        sub.add_argument("files", nargs="+")
        a = sub.parse_args()
        writer(a.files, a.ready, a.go)
    else:
        main()
