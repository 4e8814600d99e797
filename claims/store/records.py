"""Rows the store reads and writes that are not pipeline models (those are in
:mod:`claims.models`): plain value objects, defined here, below the store's table modules,
so that the store and its callers (the fetcher, monitoring, search, the report) share them
without importing each other."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from claims.models import FeedEntry, utcnow

__all__ = ["CacheEntry", "ClaimedEntries", "FetchRecord", "PassageSource", "QueryResult", "ReportRows"]


@dataclass
class QueryResult:
    """The columns and rows of a user's query."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


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
    fetched_at: datetime = field(default_factory=utcnow)

    @property
    def ok(self) -> bool:
        return self.error_class is None


@dataclass(frozen=True)
class CacheEntry:
    """What the last full download of a URL returned, for a conditional GET (``http_cache``)."""

    url: str
    etag: str | None
    last_modified: str | None
    content_type: str | None
    encoding: str | None
    text: str
    nbytes: int


@dataclass
class ClaimedEntries:
    """The feed entries a monitoring run took, and how many of the others were skipped, by reason."""

    claimed: list[FeedEntry] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PassageSource:
    """A stored passage with the source it was cut from (for whole-store search)."""

    passage_id: str
    text: str
    outlet: str | None
    url: str | None
    published_at: datetime | None


@dataclass
class ReportRows:
    """What the HTML report reads, view by view (rows as dicts keyed by column)."""

    verdicts: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    document_texts: dict[str, str]
    quantity_reports: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    changes: dict[str, dict[str, Any]]
