"""A SearxNG instance's JSON search API, and the pages its results point to.

``GET {base_url}/search?q=...&format=json`` answers ``{"results": [{"url", "title",
"content", "publishedDate", "engine", ...}], ...}``. The instance must allow the JSON format
(``search.formats: [html, json]`` in its settings.yml); otherwise it answers 403.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from claims.errors import ClaimsError, ConfigError, FetchError, HTTPStatusError
from claims.settings import SearxngSource
from claims.sources.base import SourceError, SourceRequest, SourceResult
from claims.sources.html import gather_pages
from claims.sources.http import Fetcher

__all__ = ["SearxngBackend"]

log = logging.getLogger(__name__)

MAX_QUERIES = 2


class SearxngBackend:
    """Search results of a SearxNG instance, fetched and extracted (source_kind ``searxng``)."""

    name = "searxng"

    def __init__(self, fetcher: Fetcher, settings: SearxngSource) -> None:
        self.fetcher = fetcher
        self.settings = settings
        self._searches: dict[str, asyncio.Future[list[str]]] = {}
        self._config_reported = False

    async def _search(self, query: str) -> list[str]:
        params: dict[str, Any] = {"q": query, "format": "json"}
        if self.settings.categories:
            params["categories"] = self.settings.categories
        if self.settings.language:
            params["language"] = self.settings.language
        try:
            data = await self.fetcher.get_json(f"{self.settings.base_url.rstrip('/')}/search", params,
                                               backend=self.name)
        except HTTPStatusError as exc:
            if exc.status == 403:
                raise FetchError(f"{exc} (a SearxNG instance answers 403 when the JSON format is off: "
                                 "add json to search.formats in its settings.yml)") from None
            raise
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise FetchError("searxng answered JSON without a results list: check sources.searxng.base_url")
        urls: list[str] = []
        for hit in data["results"]:
            url = hit.get("url") if isinstance(hit, dict) else None
            if isinstance(url, str) and url.startswith(("http://", "https://")) and url not in urls:
                urls.append(url)
        return urls

    async def gather(self, request: SourceRequest) -> SourceResult:
        result = SourceResult()
        if not self.settings.base_url:  # reported once per run, not once per claim
            if not self._config_reported:
                self._config_reported = True
                result.errors.append(SourceError(self.name, "settings", str(ConfigError(
                    "searxng is on but sources.searxng.base_url is empty: set it "
                    "(CLAIMS_SOURCES__SEARXNG__BASE_URL) or switch the backend off"))))
            return result
        urls: list[str] = []
        for query in request.queries[:MAX_QUERIES]:
            future = self._searches.get(query)
            if future is None:
                future = self._searches[query] = asyncio.ensure_future(self._search(query))
            try:
                found = await asyncio.shield(future)
            except ClaimsError as exc:
                result.errors.append(SourceError(self.name, f"search {query!r}", str(exc)))
                continue
            urls.extend(u for u in found[: self.settings.max_results] if u not in urls)
        if urls:
            result.extend(await gather_pages(self.fetcher, urls, backend=self.name, source_kind="searxng"))
        return result
