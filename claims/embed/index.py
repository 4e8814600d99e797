"""Whole-store retrieval: top-k passages for a claim among every passage in the store.

Layout, in a folder beside the database (``<db>.vectors/<model>/``):

* ``vectors.f32``: the L2-normalised vectors, float32, row-major, append-only; read
  through a memory map, so opening the index costs nothing and the OS page cache holds
  what is used (1M x 384 = 1.5 GB on disk);
* ``ids.txt``: the passage id of each row, one per line, append-only;
* ``meta.json``: model, dimension, row count (written last, atomically: a reader never
  sees rows whose vectors are not complete);
* ``ivf.faiss``: above ``ann_min_rows`` rows, an approximate index (faiss IVF with 8-bit
  scalar-quantised codes: 384 bytes a row in memory). It proposes ``rerank`` candidates
  per query, which are re-scored exactly from the float32 rows, so the returned scores
  are true cosines and only the candidate set is approximate (recall@10 against brute
  force is measured in ``benchmarks/retrieval_bench.py``).

Below ``ann_min_rows`` the search is exact brute force over the memory map, in blocks.
New passages are appended with :meth:`VectorIndex.add` (or :meth:`VectorIndex.update`
from the store); the IVF centroids stay those of the first build, so rebuild with
:meth:`VectorIndex.build` when the store has grown several-fold.

faiss-cpu is the approximate index: a well-kept library, where a hand-written IVF in
numpy was the alternative (about as fast to search, slower to build).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from claims.errors import ConfigError, StoreError
from claims.store import Store

if TYPE_CHECKING:  # pragma: no cover
    import faiss

__all__ = ["VectorIndex", "brute_force_top_k", "index_folder"]

log = logging.getLogger(__name__)

_BLOCK = 65_536  # rows per block of brute force


def index_folder(store: Store, model: str) -> Path:
    """Where the index of ``model``'s vectors for this database lives."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model).strip("-") or "model"
    return store.side_path(".vectors") / slug


def brute_force_top_k(queries: np.ndarray, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k by inner product: (row indices, scores), best first; -1 pads short rows."""
    queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
    n = len(vectors)
    best_idx = np.full((len(queries), k), -1, dtype=np.int64)
    best_score = np.full((len(queries), k), -np.inf, dtype=np.float32)
    for start in range(0, n, _BLOCK):
        block = np.asarray(vectors[start:start + _BLOCK], dtype=np.float32)
        scores = queries @ block.T
        take = min(k, scores.shape[1])
        part = np.argpartition(-scores, take - 1, axis=1)[:, :take]
        cand_score = np.concatenate([best_score, np.take_along_axis(scores, part, axis=1)], axis=1)
        cand_idx = np.concatenate([best_idx, part + start], axis=1)
        order = np.argsort(-cand_score, axis=1, kind="stable")[:, :k]
        best_score = np.take_along_axis(cand_score, order, axis=1)
        best_idx = np.take_along_axis(cand_idx, order, axis=1)
    return best_idx, best_score


def _faiss():  # the faiss module
    try:  # lazy: faiss only above ann_min_rows; exact search below it needs numpy alone
        import faiss
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ConfigError("whole-store retrieval needs faiss-cpu: pip install faiss-cpu") from exc
    return faiss


class VectorIndex:
    """Vectors of one model's passages, searchable by cosine similarity."""

    def __init__(self, folder: Path, *, model: str, dimension: int, ann_min_rows: int = 200_000,
                 nprobe: int = 256, rerank: int = 100) -> None:
        self.folder = Path(folder)
        self.model = model
        self.dimension = dimension
        self.ann_min_rows = ann_min_rows
        self.nprobe = nprobe
        self.rerank = rerank
        self._ids: list[str] = []
        self._known: set[str] = set()
        self._count = 0
        self._matrix: np.memmap | None = None
        self._ivf: faiss.IndexIVF | None = None  # the approximate index, above ann_min_rows

    # -- files -----------------------------------------------------------------------------

    @property
    def _vectors_path(self) -> Path:
        return self.folder / "vectors.f32"

    def _write_meta(self) -> None:
        meta = {"model": self.model, "dimension": self.dimension, "count": self._count,
                "ann": self._ivf is not None, "nlist": int(self._ivf.nlist) if self._ivf is not None else 0}
        tmp = self.folder / "meta.json.tmp"
        tmp.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp, self.folder / "meta.json")

    def _map(self) -> np.ndarray:
        if self._count == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self._matrix is None or len(self._matrix) != self._count:
            self._matrix = np.memmap(self._vectors_path, dtype=np.float32, mode="r",
                                     shape=(self._count, self.dimension))
        return self._matrix

    @classmethod
    def create(cls, folder: Path, *, model: str, dimension: int, **options: int) -> VectorIndex:
        """An empty index in ``folder`` (its old contents removed)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("vectors.f32", "ids.txt", "ivf.faiss", "meta.json"):
            (folder / name).unlink(missing_ok=True)
        index = cls(folder, model=model, dimension=dimension, **options)
        index._vectors_path.touch()
        (folder / "ids.txt").touch()
        index._write_meta()
        return index

    @classmethod
    def open(cls, folder: Path, **options: int) -> VectorIndex:
        """The index stored in ``folder``."""
        folder = Path(folder)
        meta_path = folder / "meta.json"
        if not meta_path.is_file():
            raise StoreError(f"no vector index in {folder}: build it with VectorIndex.build (claims index)")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        index = cls(folder, model=meta["model"], dimension=int(meta["dimension"]), **options)
        index._count = int(meta["count"])
        with (folder / "ids.txt").open(encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        index._ids = lines[: index._count]
        if len(lines) > index._count or index._vectors_path.stat().st_size > index._count * index.dimension * 4:
            # A writer died between appending rows and recording them: drop the unrecorded tail.
            log.warning("vector index %s has unrecorded rows from an interrupted write: dropping them", folder)
            os.truncate(index._vectors_path, index._count * index.dimension * 4)
            (folder / "ids.txt").write_text("".join(f"{pid}\n" for pid in index._ids), encoding="utf-8")
        index._known = set(index._ids)
        if meta.get("ann") and (folder / "ivf.faiss").is_file():
            ivf = _faiss().read_index(str(folder / "ivf.faiss"))
            index._ivf = ivf
            if ivf.ntotal != index._count:
                log.warning("approximate index out of step with the vectors (%d vs %d rows): retraining",
                            ivf.ntotal, index._count)
                index._train_ann()
        return index

    @classmethod
    def build(cls, store: Store, model: str, *, folder: Path | None = None, **options: int) -> VectorIndex:
        """(Re)build the index of every passage the store holds a ``model`` vector for."""
        folder = folder or index_folder(store, model)
        index: VectorIndex | None = None
        for ids, vectors in store.passage_vectors(model):
            if index is None:
                index = cls.create(folder, model=model, dimension=vectors.shape[1], **options)
            index._append(ids, vectors)
        if index is None:
            raise StoreError(f"the store {store.label} holds no passage vectors for model {model!r}: "
                             "run `claims check` first")
        index._finish_add(retrain=True)
        log.info("vector index %s: %d rows (%s)", folder, len(index), "ivf" if index._ivf is not None else "exact")
        return index

    # -- adding ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._count

    def _append(self, ids: Sequence[str], vectors: np.ndarray) -> int:
        keep = []
        for i, pid in enumerate(ids):
            if pid not in self._known:
                self._known.add(pid)
                keep.append(i)
        if not keep:
            return 0
        rows = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32)[keep])
        if rows.shape[1] != self.dimension:
            raise ConfigError(f"vectors have {rows.shape[1]} dimensions, the index {self.dimension}: "
                              "use one index per model")
        with self._vectors_path.open("ab") as handle:
            handle.write(rows.tobytes())
        new_ids = [ids[i] for i in keep]
        with (self.folder / "ids.txt").open("a", encoding="utf-8") as handle:
            handle.write("".join(f"{pid}\n" for pid in new_ids))
        self._ids.extend(new_ids)
        if self._ivf is not None:
            self._ivf.add(rows)
        self._count += len(keep)
        self._matrix = None
        return len(keep)

    def _finish_add(self, retrain: bool = False) -> None:
        if self._count >= self.ann_min_rows and (self._ivf is None or retrain):
            self._train_ann()
        if self._ivf is not None:
            _faiss().write_index(self._ivf, str(self.folder / "ivf.faiss"))
        self._write_meta()

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> int:
        """Append passages not yet indexed (by id); returns how many were added."""
        added = self._append(ids, vectors)
        if added:
            self._finish_add()
        return added

    def update(self, store: Store) -> int:
        """Add the store's passages that are not in the index yet."""
        added = 0
        for ids, vectors in store.passage_vectors(self.model, exclude=self._known):
            added += self._append(ids, vectors)
        if added:
            self._finish_add()
        return added

    def _train_ann(self) -> None:
        faiss = _faiss()
        matrix = self._map()
        nlist = int(min(4096, max(64, 2 ** round(np.log2(np.sqrt(self._count))))))
        rng = np.random.default_rng(0)
        sample_size = min(self._count, nlist * 64)
        sample = np.asarray(matrix[np.sort(rng.choice(self._count, sample_size, replace=False))], dtype=np.float32)
        quantizer = faiss.IndexFlatIP(self.dimension)
        ivf = faiss.IndexIVFScalarQuantizer(quantizer, self.dimension, nlist, faiss.ScalarQuantizer.QT_8bit,
                                            faiss.METRIC_INNER_PRODUCT)
        ivf.cp.seed = 0
        ivf.train(sample)
        for start in range(0, self._count, _BLOCK):
            ivf.add(np.asarray(matrix[start:start + _BLOCK], dtype=np.float32))
        self._ivf = ivf
        log.info("trained IVF (%d lists) on %d of %d rows", nlist, sample_size, self._count)

    # -- searching -------------------------------------------------------------------------

    def search(self, query_vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k passages per query: (ids, cosine scores), both (n_queries, k), best first.

        Where the index holds fewer than k rows, ids are "" and scores -inf."""
        queries = np.atleast_2d(np.asarray(query_vectors, dtype=np.float32))
        if queries.shape[1] != self.dimension:
            raise ConfigError(f"queries have {queries.shape[1]} dimensions, the index {self.dimension}")
        matrix = self._map()
        if self._ivf is None or self._count < self.ann_min_rows:
            rows, scores = brute_force_top_k(queries, matrix, k)
        else:
            rows, scores = self._search_ann(self._ivf, queries, matrix, k)
        ids = np.empty(rows.shape, dtype=object)
        for (i, j), row in np.ndenumerate(rows):
            ids[i, j] = self._ids[row] if row >= 0 else ""
        return ids, scores

    def _search_ann(self, ivf: faiss.IndexIVF, queries: np.ndarray, matrix: np.ndarray,
                    k: int) -> tuple[np.ndarray, np.ndarray]:
        ivf.nprobe = self.nprobe
        _, candidates = ivf.search(queries, max(k, self.rerank))
        rows = np.full((len(queries), k), -1, dtype=np.int64)
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        for i, cand in enumerate(candidates):
            cand = np.unique(cand[cand >= 0])  # sorted: friendlier to the memory map
            if cand.size == 0:
                continue
            exact = np.asarray(matrix[cand], dtype=np.float32) @ queries[i]
            order = np.argsort(-exact, kind="stable")[:k]
            rows[i, :len(order)] = cand[order]
            scores[i, :len(order)] = exact[order]
        return rows, scores

