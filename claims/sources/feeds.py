"""RSS/Atom feeds: their entries, and the articles the entries link to.

Feeds are untrusted input: an entry without a usable link (missing, relative to nothing,
``javascript:``, ``file:``) is skipped and reported, and the feed's other entries are kept.
The linked articles go through the same fetcher (safety checks, robots, limits) as
everything else.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import time
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import feedparser

from claims.errors import ClaimsError, FetchError
from claims.models import Document, FeedEntry
from claims.sources.base import SourceError, SourceResult
from claims.sources.html import gather_pages
from claims.sources.http import Fetcher
from claims.sources.queries import canonical_url
from claims.sources.safety import redact_url
from claims.sources.text import in_date_range
from claims.sources.urls import ClaimIndependentBackend

__all__ = ["FeedEntry", "FeedsBackend", "parse_feed", "read_feed"]

log = logging.getLogger(__name__)


def _when(entry: feedparser.FeedParserDict) -> datetime | None:
    # dict.get: feedparser's own lookup maps updated->published with a DeprecationWarning.
    parsed = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    if not parsed:
        return None
    try:
        when = datetime(*parsed[:6])
    except (TypeError, ValueError):
        return None
    return when if in_date_range(when) else None  # 9999-12-31 or 0001-01-01: no entry's date


def parse_feed(text: str, feed_url: str) -> tuple[list[FeedEntry], list[str]]:
    """The usable entries of a feed body and a list of problems with the skipped ones.

    The body is handed to feedparser as a stream: given a string, feedparser would treat
    text that looks like a URL or a file name as something to open itself."""
    parsed = feedparser.parse(
        io.BytesIO(text.encode("utf-8")),
        response_headers={"content-location": feed_url, "content-type": "application/xml; charset=utf-8"},
    )
    if not parsed.entries and not parsed.feed.get("title"):
        reason = parsed.get("bozo_exception") or "no entries and no feed title"
        raise FetchError(f"{redact_url(feed_url)} is not an RSS/Atom feed ({reason}): check the feed URL")
    entries: list[FeedEntry] = []
    problems: list[str] = []
    seen: set[str] = set()
    for position, entry in enumerate(parsed.entries, start=1):
        link = (entry.get("link") or "").strip()
        if not link:
            problems.append(f"entry {position} has no link")
            continue
        link = urljoin(feed_url, link)
        if urlsplit(link).scheme.lower() not in ("http", "https"):
            problems.append(f"entry {position} links to a non-http URL ({urlsplit(link).scheme}:)")
            continue
        url = canonical_url(link)
        if url in seen:
            continue
        seen.add(url)
        title = (entry.get("title") or "").strip() or None
        summary = (entry.get("summary") or "").strip() or None
        entries.append(FeedEntry(feed_url=redact_url(feed_url), url=url, title=title, summary=summary,
                                 published=_when(entry), entry_id=str(entry.get("id") or url)))
    return entries, problems


async def read_feed(fetcher: Fetcher, url: str) -> list[FeedEntry]:
    """Fetch one feed and return its usable entries (broken ones logged and skipped).
    Raises FetchError/RefusedURLError when the feed itself cannot be read."""
    result = await fetcher.fetch(url, backend="feeds")
    entries, problems = parse_feed(result.text, result.final_url)
    for problem in problems:
        log.warning("feed %s: skipped %s", redact_url(url), problem)
    return entries


class FeedsBackend(ClaimIndependentBackend):
    """Articles linked from the configured feeds (``sources.feeds``), once per run."""

    name = "feeds"

    def __init__(self, fetcher: Fetcher, feeds: list[str], *, max_entries: int = 50) -> None:
        super().__init__()
        self.fetcher = fetcher
        self.feeds = list(feeds)
        self.max_entries = max_entries

    async def _one_feed(self, feed_url: str) -> SourceResult:
        result = SourceResult()
        started = time.monotonic()
        try:
            fetched = await self.fetcher.fetch(feed_url, backend=self.name)
            entries, problems = parse_feed(fetched.text, fetched.final_url)
        except ClaimsError as exc:
            result.errors.append(SourceError(self.name, redact_url(feed_url), str(exc)))
            return result
        for problem in problems:
            result.errors.append(SourceError(self.name, redact_url(feed_url), f"skipped {problem}"))
        entries = entries[: self.max_entries]
        pages = await gather_pages(self.fetcher, [e.url for e in entries], backend=self.name,
                                   source_kind="feed")
        by_url = {e.url: e for e in entries}
        for document in pages.documents:
            entry = by_url.get(document.url or "")
            result.documents.append(_with_entry(document, entry) if entry else document)
        result.errors.extend(pages.errors)
        log.info("feed %s: %d entries, %d articles, %d problems in %.1fs", redact_url(feed_url),
                 len(entries), len(pages.documents), len(result.errors), time.monotonic() - started)
        return result

    async def collect(self) -> SourceResult:
        merged = SourceResult()
        for part in await asyncio.gather(*(self._one_feed(f) for f in self.feeds)):
            merged.extend(part)
        return merged


def _with_entry(document: Document, entry: FeedEntry) -> Document:
    """Fill what the page lacked (title, date) from the feed entry."""
    return dataclasses.replace(
        document,
        title=document.title or entry.title,
        published_at=document.published_at or entry.published,
    )
