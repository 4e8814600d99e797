"""The ``feed_items`` table: one row per canonical URL of a monitored feed's entry, with
its status (``running``, ``completed``, ``failed``, ``duplicate``, ``stored``), attempts
and the runs that took and verified it (migration 004). URLs are stored without their
secrets (:func:`claims.redact.scrub_url`); the entries handed back keep theirs, to fetch.

Taking entries is one short write transaction that reads the entries' rows and marks the
ones it takes ``running`` with the taking run's id; DuckDB lets one process write at a
time and the store serialises a process's transactions, so two runs never take the same
article. A run killed mid-article leaves its rows ``running``; they are taken again once
the lease has passed since the claim.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from claims.models import Document, FeedEntry, utcnow
from claims.redact import scrub_text, scrub_url
from claims.store.connection import Database, retry_on_conflict
from claims.store.records import ClaimedEntries

__all__ = ["DONE_STATUSES", "FeedItemsTable"]

DONE_STATUSES = ("completed", "duplicate", "stored")


class FeedItemsTable(Database):
    """Writes and reads of ``feed_items``."""

    @retry_on_conflict
    def claim_feed_entries(self, entries: Sequence[FeedEntry], run_id: str, *, lease: timedelta,
                           max_attempts: int, now: datetime | None = None) -> ClaimedEntries:
        """Take for run ``run_id``, in one transaction, the entries that are new or whose
        earlier attempt failed (fewer than ``max_attempts`` times) or was abandoned (taken
        longer than ``lease`` ago). An entry whose URL is a stored document with claims is
        recorded as ``stored`` and skipped; see :mod:`claims.monitor` for the rules."""
        result = ClaimedEntries()
        if not entries:
            return result
        now = now or utcnow()
        lease_start = now - lease
        keys = {e.url: scrub_url(e.url) for e in entries}  # stored without the URL's secrets
        urls = list(keys.values())
        skipped: Counter[str] = Counter()
        with self.transaction() as con:
            state = {row[0]: row[1:] for row in con.execute(
                "SELECT canonical_url, status, attempts, claimed_at FROM feed_items "
                "WHERE canonical_url IN (SELECT unnest(?::VARCHAR[]))", [urls]).fetchall()}
            verified = dict(con.execute(
                "SELECT d.url, d.id FROM documents d WHERE d.url IN (SELECT unnest(?::VARCHAR[])) "
                "AND EXISTS (SELECT 1 FROM claims c WHERE c.document_id = d.id)", [urls]).fetchall())
            stored_rows, claim_rows = [], []
            for e in entries:
                key = keys[e.url]
                row = state.get(key)
                if row is None and key in verified:
                    skipped["stored"] += 1
                    stored_rows.append((key, scrub_url(e.feed_url), key, e.title, e.published, verified[key], now, now))
                    continue
                if row is not None:
                    status, attempts, claimed_at = row
                    if status in DONE_STATUSES:
                        skipped[status] += 1
                        continue
                    if status == "failed" and attempts >= max_attempts:
                        skipped["failed_too_often"] += 1
                        continue
                    if status == "running" and claimed_at is not None and claimed_at > lease_start:
                        skipped["running_elsewhere"] += 1
                        continue
                claim_rows.append((key, scrub_url(e.feed_url), key, e.title, e.published, run_id, now, now))
                result.claimed.append(e)
            if stored_rows:
                con.executemany(
                    "INSERT INTO feed_items (canonical_url, feed_url, entry_url, title, published_at, status, "
                    "document_id, first_seen, processed_at) VALUES (?, ?, ?, ?, ?, 'stored', ?, ?, ?) "
                    "ON CONFLICT DO NOTHING", stored_rows)
            if claim_rows:
                con.executemany(
                    "INSERT INTO feed_items (canonical_url, feed_url, entry_url, title, published_at, status, "
                    "attempts, monitor_run_id, first_seen, claimed_at) VALUES (?, ?, ?, ?, ?, 'running', 1, ?, ?, ?) "
                    "ON CONFLICT (canonical_url) DO UPDATE SET status = 'running', error = NULL, "
                    "attempts = feed_items.attempts + 1, monitor_run_id = excluded.monitor_run_id, "
                    "claimed_at = excluded.claimed_at", claim_rows)
        result.skipped = dict(skipped)
        return result

    @retry_on_conflict
    def record_feed_outcome(self, url: str, monitor_run_id: str, *, status: str, error: str | None,
                            document_id: str | None, run_id: str | None, content_hash: str | None,
                            title: str | None) -> None:
        """What became of an entry taken by ``monitor_run_id``."""
        with self.transaction() as con:
            con.execute(
                "UPDATE feed_items SET status = ?, error = ?, document_id = ?, run_id = ?, content_hash = ?, "
                "title = coalesce(title, ?), processed_at = ? WHERE canonical_url = ? AND monitor_run_id = ?",
                [status, error and scrub_text(error), document_id, run_id, content_hash, title, utcnow(),
                 scrub_url(url), monitor_run_id])

    @retry_on_conflict
    def take_article(self, url: str, monitor_run_id: str, document: Document) -> str | None:
        """Record that entry ``url``, taken by ``monitor_run_id``, is the article ``document``
        (its text's hash and its id), unless another entry that run took is the same article
        (same text, or same final URL): then that entry's document id, and ``url`` is a copy
        not to verify again. One transaction, so two copies fetched at once are told apart."""
        url = scrub_url(url)
        with self.transaction() as con:
            first = con.execute(
                "SELECT document_id FROM feed_items WHERE monitor_run_id = ? AND canonical_url <> ? "
                "AND (content_hash = ? OR document_id = ?) ORDER BY claimed_at, canonical_url LIMIT 1",
                [monitor_run_id, url, document.content_hash, document.id]).fetchall()
            if first:
                return str(first[0][0])
            con.execute("UPDATE feed_items SET content_hash = ?, document_id = ? "
                        "WHERE canonical_url = ? AND monitor_run_id = ?",
                        [document.content_hash, document.id, url, monitor_run_id])
        return None

    def verified_copy(self, document: Document) -> str | None:
        """The id of a stored document with claims that has this text or this URL, if any."""
        with self.connect() as con:
            rows = con.execute(
                "SELECT d.id FROM documents d WHERE (d.content_hash = ? OR d.id = ?) "
                "AND EXISTS (SELECT 1 FROM claims c WHERE c.document_id = d.id) ORDER BY d.id LIMIT 1",
                [document.content_hash, document.id]).fetchall()
        return rows[0][0] if rows else None
