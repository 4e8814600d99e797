"""The store: one DuckDB file, with the SQL of each concern in a module of its own.

    connection  Database: connections (retried while another process holds the lock),
                transactions, migrations and the schema version
    runs        the runs table
    documents   documents and passages
    verdicts    claims and their verdict history (verdicts, evidence)
    feeds       feed_items (monitored feeds)
    caches      embedding_cache, stance_cache, document_passages
    search      passage vectors and sources for whole-store search
    fetchlog    fetches and http_cache
    reports     the views read for the HTML report and ClaimReview
    queries     users' read-only SQL; export: Parquet

:class:`Store` is all of them on one file. Code outside the store opens it with
:func:`open_store` (settings' path and lock timeout, migrated) and calls its methods;
nothing outside ``claims/store/`` writes SQL.
"""

from __future__ import annotations

from claims.settings import Settings
from claims.store.caches import CachesTable
from claims.store.documents import DocumentsTable
from claims.store.feeds import FeedItemsTable
from claims.store.fetchlog import FetchLogTable
from claims.store.reports import ReportsTable
from claims.store.runs import RunsTable
from claims.store.search import SearchTable
from claims.store.verdicts import VerdictsTable

__all__ = ["Store", "open_store"]


class Store(RunsTable, DocumentsTable, VerdictsTable, FeedItemsTable, CachesTable, SearchTable, FetchLogTable,
            ReportsTable):
    """One DuckDB file. Cheap to create; opens a connection per short transaction."""


def open_store(settings: Settings, *, migrate: bool = True) -> Store:
    """The settings' database (``db``, ``lock_timeout``), migrated to this version's schema
    unless ``migrate`` is false (read-only use of a file that must already exist)."""
    store = Store(settings.db, lock_timeout=settings.lock_timeout)
    if migrate:
        store.migrate()
    return store
