"""Top-10 whole-store retrieval at 10k, 100k and 1M passages: latency and recall@10.

For each size, synthetic passage vectors are written into a ``VectorIndex`` (the same
files and code the pipeline uses), then queries are answered one at a time, as the
pipeline does per claim, and compared with exact brute force (numpy, float32, the same
rows). Printed per size: build seconds, ms per query for the index and for brute force,
their ratio, and recall@10 against brute force (aim at 1M: under 50 ms, recall >= 0.95).

The vectors are not uniform noise, on which no approximate index can beat a full scan,
but clustered like sentence embeddings: 2,000 subjects with sub-topics, each passage a
noisy point near its sub-topic (nearest-neighbour cosines of 0.6-0.8, as in MiniLM
embeddings of news text); queries are new points on the same subjects.

    .venv/bin/python benchmarks/retrieval_bench.py            # 10k, 100k, 1M (about 5 min)
    .venv/bin/python benchmarks/retrieval_bench.py --quick    # 10k, 100k
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


class Synthetic:
    """Clustered unit vectors: subject centre + sub-topic offset + per-text noise."""

    def __init__(self, dim: int = 384, subjects: int = 2000, subtopics: int = 8, seed: int = 0,
                 noise: float = 0.8) -> None:
        rng = np.random.default_rng(seed)
        self.dim = dim
        self.noise = noise
        self.centres = _unit(rng.standard_normal((subjects, dim))).astype(np.float32)
        self.offsets = (rng.standard_normal((subjects, subtopics, dim)) / np.sqrt(dim) * 0.7).astype(np.float32)

    def sample(self, n: int, seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        subject = rng.integers(len(self.centres), size=n)
        sub = rng.integers(self.offsets.shape[1], size=n)
        noise = rng.standard_normal((n, self.dim)).astype(np.float32) / np.sqrt(self.dim) * self.noise
        return _unit(self.centres[subject] + self.offsets[subject, sub] + noise).astype(np.float32)


def run_size(n: int, synthetic: Synthetic, queries: np.ndarray, folder: Path, k: int = 10) -> dict:
    from claims.embed.index import VectorIndex, brute_force_top_k

    start = time.perf_counter()
    index = VectorIndex.create(folder, model="synthetic", dimension=synthetic.dim)
    block = 100_000
    for first in range(0, n, block):
        size = min(block, n - first)
        index._append([f"p{first + i}" for i in range(size)], synthetic.sample(size, seed=first + 1))
    index._finish_add(retrain=True)
    build_s = time.perf_counter() - start
    index = VectorIndex.open(folder)  # as a new process would: memory-mapped vectors
    matrix = np.asarray(index._map(), dtype=np.float32)  # brute force on an in-memory copy

    index.search(queries[:5], k)  # warm-up (page cache, faiss threads)
    found, latencies = [], []
    for q in queries:
        t = time.perf_counter()
        ids, _ = index.search(q[None, :], k)
        latencies.append(time.perf_counter() - t)
        found.append(ids[0])
    exact_lat = []
    exact_rows = []
    for q in queries[: min(len(queries), 50)]:
        t = time.perf_counter()
        rows, _ = brute_force_top_k(q[None, :], matrix, k)
        exact_lat.append(time.perf_counter() - t)
    exact_rows, _ = brute_force_top_k(queries, matrix, k)
    recall = float(np.mean([len({f"p{r}" for r in row} & set(got)) / k for row, got in zip(exact_rows, found)]))
    ms = 1000 * float(np.median(latencies))
    exact_ms = 1000 * float(np.median(exact_lat))
    return {
        "passages": n, "mode": "ivf-sq8 + exact re-rank" if index._ivf is not None else "exact (memory map)",
        "build_s": round(build_s, 1), "ms_per_query": round(ms, 2), "p95_ms": round(1000 * float(np.quantile(latencies, 0.95)), 2),
        "brute_force_ms_per_query": round(exact_ms, 2), "speedup_vs_brute_force": round(exact_ms / ms, 2),
        f"recall@{k}": round(recall, 4), "queries": len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="10k and 100k only")
    parser.add_argument("--noise", type=float, default=0.8,
                        help="per-text noise around a sub-topic (higher: flatter, harder neighbourhoods)")
    parser.add_argument("--keep", type=Path, default=None, help="build the indexes here and keep them")
    args = parser.parse_args()
    sizes = [10_000, 100_000] if args.quick else args.sizes
    synthetic = Synthetic(noise=args.noise)
    queries = synthetic.sample(args.queries, seed=999_999_999)
    root = args.keep or Path(tempfile.mkdtemp(prefix="claims-retrieval-bench-"))
    results = []
    try:
        for n in sizes:
            results.append(run_size(n, synthetic, queries, root / f"n{n}"))
            print(json.dumps(results[-1]), flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(json.dumps({"retrieval": results}, indent=1))


if __name__ == "__main__":
    main()
