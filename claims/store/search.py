"""Reads for whole-store search: every passage's vector for one model, in blocks (to build
or update the vector index kept beside the database), and passages with their sources."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from claims.store.connection import Database
from claims.store.records import PassageSource

__all__ = ["SearchTable"]

BLOCK_ROWS = 65_536  # rows per block read from the store


class SearchTable(Database):
    """Passage vectors and passage sources for :mod:`claims.search`."""

    def passage_vectors(self, model: str, exclude: set[str] | frozenset[str] = frozenset(),
                        block: int = BLOCK_ROWS) -> Iterator[tuple[list[str], np.ndarray]]:
        """(ids, vectors) blocks of the passages with a ``model`` vector, by id order,
        leaving out the ids in ``exclude``.

        A passage's vector is its own column when written by this model, else the embedding
        cache's vector for its text (the cache is keyed by the SHA-256 of the text)."""
        if not self.exists():
            return
        with self.connect(read_only=True) as con:
            has_cache = bool(con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'embedding_cache'").fetchall()[0][0])
            source = ("coalesce(CASE WHEN p.model = $model THEN p.embedding END, c.embedding)"
                      if has_cache else "CASE WHEN p.model = $model THEN p.embedding END")
            join = ("LEFT JOIN embedding_cache c ON c.model = $model AND c.text_hash = sha256(p.text)"
                    if has_cache else "")
            dimension = con.execute(
                f"SELECT len({source}) FROM passages p {join} WHERE {source} IS NOT NULL LIMIT 1",
                {"model": model}).fetchall()
            if not dimension:
                return
            dim = int(dimension[0][0])
            last = ""
            while True:
                result = con.execute(
                    f"SELECT p.id, ({source})::FLOAT[{dim}] AS e FROM passages p {join} "
                    f"WHERE p.id > $last AND {source} IS NOT NULL AND len({source}) = {dim} "
                    f"ORDER BY p.id LIMIT {int(block)}",
                    {"model": model, "last": last},
                ).fetchnumpy()
                ids = result["id"].tolist()
                if not ids:
                    return
                last = ids[-1]
                keep = [i for i, pid in enumerate(ids) if pid not in exclude]
                if keep:
                    yield [ids[i] for i in keep], np.stack([result["e"][i] for i in keep]).astype(np.float32)
                if len(ids) < block:
                    return

    def passage_sources(self, passage_ids: Sequence[str]) -> dict[str, PassageSource]:
        """These passages with the outlet, URL and date of their documents, by passage id."""
        if not passage_ids:
            return {}
        with self.connect() as con:
            rows = con.execute(
                "SELECT p.id, p.text, d.outlet, d.url, d.published_at FROM passages p "
                "JOIN documents d ON d.id = p.document_id WHERE p.id IN (SELECT unnest(?::VARCHAR[]))",
                [sorted(set(passage_ids))]).fetchall()
        return {r[0]: PassageSource(*r) for r in rows}
