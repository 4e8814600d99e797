"""The fetcher's two tables: ``fetches`` (every HTTP attempt, and every refusal before a
request) and ``http_cache`` (validators and text of the last full download of a URL, for
conditional GETs). The buffering that keeps these writes to a few transactions per run is
the fetcher's (:class:`claims.sources.fetchlog.FetchLog`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple

from claims.models import utcnow
from claims.store.connection import Database, retry_on_conflict
from claims.store.records import CacheEntry, FetchRecord

__all__ = ["FetchLogTable"]

_FETCH_COLUMNS = (
    "run_id, url, host, backend, attempt, status, error_class, error, bytes, truncated, "
    "duration_ms, from_cache, etag, last_modified, content_type, fetched_at"
)


class FetchLogTable(Database):
    """Writes and reads of ``fetches`` and ``http_cache``."""

    def http_cache_urls(self) -> set[str]:
        """Every URL with stored validators (read once per run, so that uncached URLs skip the lookup)."""
        with self.connect() as con:
            return {row[0] for row in con.execute("SELECT url FROM http_cache").fetchall()}

    def http_cache_entry(self, url: str) -> CacheEntry | None:
        """The stored validators and text for ``url``."""
        with self.connect() as con:
            row = con.execute(
                "SELECT url, etag, last_modified, content_type, encoding, text, nbytes FROM http_cache WHERE url = ?",
                [url]).fetchone()
        return CacheEntry(*row) if row else None

    @retry_on_conflict
    def write_fetches(self, run_id: str | None, records: Sequence[FetchRecord],
                      cache: Sequence[CacheEntry] = ()) -> None:
        """Append attempts to ``fetches`` and upsert ``http_cache`` entries, in one transaction."""
        if not records and not cache:
            return
        with self.transaction() as con:
            if records:
                con.executemany(
                    f"INSERT INTO fetches ({_FETCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(run_id, *astuple(r)) for r in records],
                )
            if cache:
                now = utcnow()
                con.executemany(
                    "INSERT INTO http_cache (url, etag, last_modified, content_type, encoding, "
                    "text, nbytes, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, "
                    "last_modified = excluded.last_modified, content_type = excluded.content_type, "
                    "encoding = excluded.encoding, text = excluded.text, nbytes = excluded.nbytes, "
                    "fetched_at = excluded.fetched_at",
                    [(*astuple(e), now) for e in cache],
                )
