"""The store: one DuckDB file, with the SQL of each concern in a module of its own.

    connection  Database: connections (retried while another process holds the lock),
                transactions, migrations and the schema version
    runs        the runs table
    documents   documents and passages
    verdicts    claims and their verdict history (verdicts, evidence)
    feeds       feed_items (monitored feeds)
    sentences   every sentence of a checked article: its score, and why it was skipped
    caches      embedding_cache, stance_cache, document_passages
    search      passage vectors and sources for whole-store search
    fetchlog    fetches and http_cache
    reports     the views read for the HTML report and ClaimReview
    catalog     the tables and views, their columns and row counts
    queries     users' read-only SQL; export: Parquet

:class:`Store` is all of them on one file. Code outside the store opens it with
:func:`open_store` (settings' path and lock timeout, migrated) and calls its methods;
nothing outside ``claims/store/`` writes SQL.
"""

from __future__ import annotations

from claims.errors import ConfigError
from claims.settings import Settings
from claims.store.caches import CachesTable
from claims.store.catalog import CatalogTable
from claims.store.documents import DocumentsTable
from claims.store.feeds import FeedItemsTable
from claims.store.fetchlog import FetchLogTable
from claims.store.lake import LakeDatabase
from claims.store.reports import ReportsTable
from claims.store.runs import RunsTable
from claims.store.search import SearchTable
from claims.store.sentences import SentencesTable
from claims.store.verdicts import VerdictsTable

__all__ = ["LakeStore", "Store", "open_store"]


class Store(RunsTable, DocumentsTable, VerdictsTable, FeedItemsTable, CachesTable, SearchTable, FetchLogTable,
            ReportsTable, SentencesTable, CatalogTable):
    """One DuckDB file. Cheap to create; opens a connection per short transaction."""


class LakeStore(Store, LakeDatabase):
    """The same tables in a DuckLake (:mod:`claims.store.lake`): same methods, same SQL."""


def open_store(settings: Settings, *, migrate: bool = True, at: int | None = None) -> Store:
    """The settings' store: the DuckLake named by ``store`` when set, else the DuckDB file
    ``db``; migrated to this version's schema unless ``migrate`` is false (read-only use of
    a store that must already exist). ``at``: a lake's snapshot, read-only (time travel)."""
    store: Store
    if settings.store:
        store = LakeStore(settings.store, settings.lake_data_path, lock_timeout=settings.lock_timeout,
                          write_retries=settings.lake_write_retries, at=at)
    elif at is not None:
        raise ConfigError("--at needs a DuckLake store (the store setting): a DuckDB file keeps no snapshots")
    else:
        store = Store(settings.db, lock_timeout=settings.lock_timeout)
    if migrate and at is None:
        store.migrate()
    return store
