"""What the interactive commands cost, now against a baseline checkout, measured in one run.

Each command runs as a user runs it, a new process each time (wall time by the clock, peak
memory by ``/usr/bin/time``'s maximum resident set size), the two checkouts interleaved,
each on its own database made by one cold ``claims check`` of the seed first:

    --help                      the command's start alone
    query                       claims query "select count(*) from latest_verdicts"
    search (new text)           claims search "<a text never searched before>" -k 5
    check (warm)                claims check examples/seed-article.txt, again on its database
    POST /check (warm server)   the seed's text to a running `claims serve` (when the checkout has it)

The baseline is a git worktree of ``--ref`` (default ``HEAD~1``, made in a temporary
folder and removed after), or a checkout given with ``--baseline DIR``. Both run with this
virtual environment; each checkout's own code is found first on ``sys.path``.

    .venv/bin/python benchmarks/interactive_bench.py [--ref REF | --baseline DIR] [--repeat 5]
        [--env CLAIMS_EMBEDDING_BACKEND=onnx]             # a setting for both checkouts
        [--baseline-env CLAIMS_EMBEDDING_BACKEND=torch]   # ... overridden for the baseline
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
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed-article.txt"
CORPUS = ROOT / "examples" / "corpus"
TIME = "/usr/bin/time"

# Runs the `claims` command of the checkout at sys.argv[1] (its code first on sys.path,
# ahead of this project's editable install)
_LAUNCH = ("import sys; root = sys.argv.pop(1); "
           "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in type(f).__module__]; "
           "sys.path.insert(0, root); sys.argv[0] = 'claims'; "
           "from claims_cli.app import main; main()")


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMS_", "PREFECT_API"))}
    env.update({"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "DO_NOT_TRACK": "1",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_HOME": str(home),
                "CLAIMS_SOURCES__CORPUS__PATH": str(CORPUS)})
    return env


class Checkout:
    """One checkout's `claims` command, on its own database."""

    def __init__(self, name: str, root: Path, tmp: Path, env: dict[str, str]) -> None:
        self.name = name
        self.root = root
        self.db = tmp / f"{name}.duckdb"
        self.env = {**_env(tmp / "prefect"), **env}
        self.tmp = tmp

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-c", _LAUNCH, str(self.root), "--db", str(self.db), *args]

    def run(self, *args: str) -> tuple[float, float]:
        """(wall seconds, peak memory in MB) of one ``claims ARGS`` process."""
        out = self.tmp / f"time-{uuid.uuid4().hex}.txt"
        start = time.perf_counter()
        proc = subprocess.run([TIME, "-f", "%M", "-o", str(out), *self.command(*args)], env=self.env, cwd=self.tmp,
                              capture_output=True, text=True, timeout=900, check=False)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"{self.name}: claims {' '.join(args)} failed: {proc.stderr[-2000:]}")
        peak_kb = float(out.read_text().split()[-1])
        out.unlink()
        return wall, peak_kb / 1024

    def has(self, command: str) -> bool:
        return (self.root / "claims_cli" / f"{command}.py").is_file()


class Server:
    """A checkout's `claims serve` on a free port of 127.0.0.1, for the POST /check figure."""

    def __init__(self, checkout: Checkout) -> None:
        self.proc = subprocess.Popen(checkout.command("serve", "--port", "0"), env=checkout.env, cwd=checkout.tmp,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert self.proc.stderr is not None
        line = ""
        while not line.startswith("serving"):
            line = self.proc.stderr.readline()
            if not line:
                raise SystemExit(f"{checkout.name}: claims serve did not start")
        self.url = line.split()[1]

    def check(self, text: str) -> float:
        body = json.dumps({"text": text}).encode()
        request = urllib.request.Request(f"{self.url}/check", data=body, headers={"content-type": "application/json"})
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=600) as response:
            response.read()
        return time.perf_counter() - start

    def peak_mb(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
        return float(line.split()[1]) / 1024

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


def _summary(samples: list[tuple[float, float]]) -> dict[str, float]:
    return {"wall_s": round(statistics.median(w for w, _ in samples), 3),
            "peak_mb": round(max(m for _, m in samples), 1)}


def bench(checkouts: list[Checkout], repeat: int) -> dict[str, object]:
    seed_text = SEED.read_text(encoding="utf-8")
    cold = {c.name: c.run("check", str(SEED)) for c in checkouts}  # the database, every cache filled
    results: dict[str, dict[str, list[tuple[float, float]]]] = {c.name: {} for c in checkouts}
    for i in range(repeat):
        new_text = f"North Korean troops crossed a river near Kursk, report {i} {uuid.uuid4().hex[:8]} said"
        for c in checkouts:
            for label, args in (("--help", ["--help"]),
                                ("query", ["query", "select count(*) from latest_verdicts"]),
                                ("search (new text)", ["search", new_text, "-k", "5"]),
                                ("check (warm)", ["check", str(SEED)])):
                results[c.name].setdefault(label, []).append(c.run(*args))
    for c in checkouts:
        if not c.has("serve"):
            continue
        server = Server(c)
        try:
            server.check(seed_text)  # the first request of the server's life
            walls = [server.check(seed_text) for _ in range(repeat)]
            results[c.name]["POST /check (warm server)"] = [(w, server.peak_mb()) for w in walls]
        finally:
            server.stop()
    table: dict[str, dict[str, object]] = {}
    for label in results[checkouts[0].name]:
        row: dict[str, object] = {}
        for c in checkouts:
            if label in results[c.name]:
                row[c.name] = _summary(results[c.name][label])
        if len(row) == 2:
            now, base = (row[c.name] for c in checkouts)
            assert isinstance(now, dict) and isinstance(base, dict)
            row["baseline_over_now"] = round(base["wall_s"] / now["wall_s"], 2)
        table[label] = row
    return {"repeat": repeat, "cold_check": {k: _summary([v]) for k, v in cold.items()},
            "checkouts": {c.name: str(c.root) for c in checkouts}, "commands": table}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="HEAD~1", help="the baseline: a worktree of this git ref (default HEAD~1)")
    parser.add_argument("--baseline", type=Path, help="the baseline: an existing checkout instead of --ref")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command (the median is printed)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for both checkouts (a CLAIMS_ setting), repeatable")
    parser.add_argument("--baseline-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the baseline only (after --env), repeatable")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="claims-interactive-"))
    worktree: Path | None = None
    baseline = args.baseline
    if baseline is None:
        worktree = tmp / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(worktree), args.ref],
                       check=True)
        baseline = worktree
    try:
        env = dict(item.split("=", 1) for item in args.env)
        base_env = {**env, **dict(item.split("=", 1) for item in args.baseline_env)}
        checkouts = [Checkout("now", ROOT, tmp, env), Checkout("baseline", baseline.resolve(), tmp, base_env)]
        result = bench(checkouts, args.repeat)
        result["baseline_ref"] = args.ref if worktree is not None else None
        result["env"] = {"now": env, "baseline": base_env}
        print(json.dumps(result, indent=2))
    finally:
        if worktree is not None:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=False)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
