"""Wikipedia through the MediaWiki action API: full-text search, then plain-text extracts.

``list=search`` finds page titles for a query; ``prop=extracts&explaintext=1`` (the
TextExtracts extension) returns each page's text without markup, and ``prop=info&inprop=url``
its canonical URL. Whole-page extracts come one page per request (TextExtracts allows several
only for intros), so the number of pages per query is kept small (``max_results``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from claims.errors import ClaimsError, FetchError
from claims.models import Document
from claims.settings import WikipediaSource
from claims.sources.base import SourceError, SourceRequest, SourceResult
from claims.sources.http import Fetcher
from claims.sources.queries import canonical_url

__all__ = ["WikipediaBackend", "api_url"]

log = logging.getLogger(__name__)

MAX_QUERIES = 2
MIN_EXTRACT_CHARS = 40


def api_url(settings: WikipediaSource) -> str:
    """The API endpoint: ``base_url`` when set, else the language's Wikipedia."""
    return settings.base_url or f"https://{settings.language}.wikipedia.org/w/api.php"


class WikipediaBackend:
    """Pages found by the claim's queries, as plain text (source_kind ``wikipedia``)."""

    name = "wikipedia"

    def __init__(self, fetcher: Fetcher, settings: WikipediaSource) -> None:
        self.fetcher = fetcher
        self.settings = settings
        self.endpoint = api_url(settings)
        self._searches: dict[str, asyncio.Future[list[str]]] = {}
        self._pages: dict[str, asyncio.Future[Document | None]] = {}

    async def _api(self, params: dict[str, Any]) -> dict[str, Any]:
        base = {"action": "query", "format": "json", "formatversion": "2", "utf8": "1"}
        data = await self.fetcher.get_json(self.endpoint, {**base, **params}, backend=self.name)
        if not isinstance(data, dict):
            raise FetchError(f"wikipedia: {self.endpoint} did not answer a JSON object: check base_url")
        if "error" in data:
            error = data["error"]
            raise FetchError(f"wikipedia API error {error.get('code')}: {error.get('info')}; check the query "
                              "or base_url")
        return data

    async def _search(self, query: str) -> list[str]:
        data = await self._api({"list": "search", "srsearch": query, "srlimit": str(self.settings.max_results),
                                "srprop": ""})
        return [hit["title"] for hit in data.get("query", {}).get("search", []) if hit.get("title")]

    async def _page(self, title: str) -> Document | None:
        data = await self._api({"prop": "extracts|info", "explaintext": "1", "exsectionformat": "plain",
                                "inprop": "url", "redirects": "1", "titles": title})
        pages = data.get("query", {}).get("pages", [])
        if isinstance(pages, dict):  # formatversion=1 shape, from older wikis
            pages = list(pages.values())
        for page in pages:
            text = (page.get("extract") or "").strip()
            if page.get("missing") or len(text) < MIN_EXTRACT_CHARS:
                continue
            url = page.get("fullurl") or f"{self.endpoint.rsplit('/w/', 1)[0]}/wiki/{page.get('title', title).replace(' ', '_')}"
            # No published_at: the current revision has no publication date (``touched`` is
            # the last change, which would wrongly date the whole page).
            return Document.make(
                text, url=canonical_url(url), title=page.get("title") or title,
                outlet=f"Wikipedia ({self.settings.language})", source_kind="wikipedia",
            )
        return None

    def _shared(self, cache: dict[str, asyncio.Future[Any]], key: str, make: Any) -> asyncio.Future[Any]:
        """One request per query/title per run, however many claims ask."""
        future = cache.get(key)
        if future is None:
            future = cache[key] = asyncio.ensure_future(make())
        return future

    async def gather(self, request: SourceRequest) -> SourceResult:
        result = SourceResult()
        titles: list[str] = []
        for query in request.queries[:MAX_QUERIES]:
            try:
                found = await asyncio.shield(self._shared(self._searches, query, lambda q=query: self._search(q)))
            except ClaimsError as exc:
                result.errors.append(SourceError(self.name, f"search {query!r}", str(exc)))
                continue
            titles.extend(t for t in found if t not in titles)
        titles = titles[: self.settings.max_results]
        outcomes = await asyncio.gather(
            *(asyncio.shield(self._shared(self._pages, t, lambda t=t: self._page(t))) for t in titles),
            return_exceptions=True,
        )
        for title, outcome in zip(titles, outcomes):
            if isinstance(outcome, ClaimsError):
                result.errors.append(SourceError(self.name, f"page {title!r}", str(outcome)))
            elif isinstance(outcome, BaseException):
                raise outcome
            elif outcome is not None:
                result.documents.append(outcome)
        return result

