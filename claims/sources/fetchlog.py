"""The fetcher's record of a run: every HTTP attempt and the conditional-GET cache, kept in
memory and written to the store's ``fetches`` and ``http_cache`` tables
(:mod:`claims.store.fetchlog`).

Writes are buffered and flushed in one short transaction per batch (and at the end of the
run), so logging 1,000 attempts costs a handful of transactions, not 1,000. A store that
cannot be written (locked too long, broken file) never fails a fetch: the error is logged
and the records are kept for the next flush.
"""

from __future__ import annotations

import logging
import threading

import duckdb

from claims.errors import StoreError
from claims.store import Store
from claims.store.records import CacheEntry, FetchRecord

__all__ = ["FetchLog"]

log = logging.getLogger(__name__)


class FetchLog:
    """Buffered writer of ``fetches`` rows and ``http_cache`` entries (sync; call from a
    worker thread inside async code). ``records`` keeps this run's attempts in memory too."""

    def __init__(self, store: Store | None, run_id: str | None, *, batch_size: int = 200) -> None:
        self.store = store
        self.run_id = run_id
        self.batch_size = batch_size
        self.records: list[FetchRecord] = []
        self._pending: list[FetchRecord] = []
        self._pending_cache: dict[str, CacheEntry] = {}
        self._lock = threading.Lock()

    def add(self, record: FetchRecord) -> bool:
        """Buffer one attempt; True when the buffer is full and should be flushed."""
        with self._lock:
            self.records.append(record)
            if self.store is None:
                return False
            self._pending.append(record)
            return len(self._pending) >= self.batch_size

    def put_cache(self, entry: CacheEntry) -> None:
        if self.store is not None:
            with self._lock:
                self._pending_cache[entry.url] = entry

    def cached_urls(self) -> set[str]:
        """Every URL with stored validators, read once so that uncached URLs skip the lookup."""
        if self.store is None:
            return set()
        try:
            return self.store.http_cache_urls()
        except (StoreError, duckdb.Error) as exc:
            log.warning("http cache unreadable, fetching in full: %s", str(exc).splitlines()[0])
            return set()

    def get_cache(self, url: str) -> CacheEntry | None:
        """The stored validators and text for ``url`` (this run's pending ones first)."""
        if self.store is None:
            return None
        with self._lock:
            pending = self._pending_cache.get(url)
        if pending is not None:
            return pending
        try:
            return self.store.http_cache_entry(url)
        except (StoreError, duckdb.Error) as exc:  # a cache miss is always safe
            log.warning("http cache lookup failed, fetching in full: %s", str(exc).splitlines()[0])
            return None

    def flush(self) -> None:
        """Write buffered rows in one transaction; on failure keep them for the next try."""
        if self.store is None:
            return
        with self._lock:
            records, self._pending = self._pending, []
            cache, self._pending_cache = self._pending_cache, {}
        if not records and not cache:
            return
        try:
            self.store.write_fetches(self.run_id, records, list(cache.values()))
        except (StoreError, duckdb.Error) as exc:  # never fail a fetch for want of a log row
            log.warning("could not write %d fetch records: %s", len(records), str(exc).splitlines()[0])
            with self._lock:
                self._pending[:0] = records
                for url, entry in cache.items():
                    self._pending_cache.setdefault(url, entry)
