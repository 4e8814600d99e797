"""The fetcher's two tables: the log of every HTTP attempt and the conditional-GET cache.

Writes are buffered and flushed in one short transaction per batch (and at the end of the
run), so logging 1,000 attempts costs a handful of transactions, not 1,000. A store that
cannot be written (locked too long, broken file) never fails a fetch: the error is logged
and the records are kept for the next flush.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import astuple, dataclass, field
from datetime import UTC, datetime

import duckdb

from claims.errors import StoreError
from claims.store.db import Store

__all__ = ["CacheEntry", "FetchLog", "FetchRecord"]

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class FetchRecord:
    """One HTTP attempt (or one refusal before any request), as stored in ``fetches``."""

    url: str
    host: str | None
    backend: str
    attempt: int = 1
    status: int | None = None
    error_class: str | None = None
    error: str | None = None
    bytes: int = 0
    truncated: bool = False
    duration_ms: float = 0.0
    from_cache: bool = False
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    fetched_at: datetime = field(default_factory=_utcnow)

    @property
    def ok(self) -> bool:
        return self.error_class is None


@dataclass(frozen=True)
class CacheEntry:
    """What the last full download of a URL returned, for a conditional GET."""

    url: str
    etag: str | None
    last_modified: str | None
    content_type: str | None
    encoding: str | None
    text: str
    nbytes: int


_FETCH_COLUMNS = (
    "run_id, url, host, backend, attempt, status, error_class, error, bytes, truncated, "
    "duration_ms, from_cache, etag, last_modified, content_type, fetched_at"
)


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
            with self.store.connect() as con:
                return {row[0] for row in con.execute("SELECT url FROM http_cache").fetchall()}
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
            with self.store.connect() as con:
                row = con.execute(
                    "SELECT url, etag, last_modified, content_type, encoding, text, nbytes "
                    "FROM http_cache WHERE url = ?",
                    [url],
                ).fetchone()
        except (StoreError, duckdb.Error) as exc:  # a cache miss is always safe
            log.warning("http cache lookup failed, fetching in full: %s", str(exc).splitlines()[0])
            return None
        return CacheEntry(*row) if row else None

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
            with self.store.transaction() as con:
                if records:
                    con.executemany(
                        f"INSERT INTO fetches ({_FETCH_COLUMNS}) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [(self.run_id, *astuple(r)) for r in records],
                    )
                if cache:
                    now = _utcnow()
                    con.executemany(
                        "INSERT INTO http_cache (url, etag, last_modified, content_type, encoding, "
                        "text, nbytes, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, "
                        "last_modified = excluded.last_modified, content_type = excluded.content_type, "
                        "encoding = excluded.encoding, text = excluded.text, nbytes = excluded.nbytes, "
                        "fetched_at = excluded.fetched_at",
                        [(*astuple(e), now) for e in cache.values()],
                    )
        except (StoreError, duckdb.Error) as exc:  # never fail a fetch for want of a log row
            log.warning("could not write %d fetch records: %s", len(records), str(exc).splitlines()[0])
            with self._lock:
                self._pending[:0] = records
                for url, entry in cache.items():
                    self._pending_cache.setdefault(url, entry)
