"""News articles from the GDELT DOC 2.0 API, by keywords and a date window.

``GET {base_url}?query=...&mode=ArtList&format=json&maxrecords=N&startdatetime=...&
enddatetime=...`` answers ``{"articles": [{"url", "title", "seendate": "20241020T101500Z",
"domain", "language", "sourcecountry", ...}]}`` (``{}`` when nothing matched). GDELT answers
problems with the query as plain text under status 200, which :meth:`Fetcher.get_json`
reports as not-JSON with the text's start. GDELT asks for at most one request every
5 seconds: ``http.per_host_delays`` carries that for api.gdeltproject.org by default.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from datetime import date, datetime, timedelta
from typing import Any

from claims.errors import ClaimsError, FetchError
from claims.settings import GdeltSource
from claims.sources.base import SourceError, SourceRequest, SourceResult
from claims.sources.html import gather_pages
from claims.sources.http import Fetcher
from claims.sources.queries import canonical_url

__all__ = ["GdeltBackend", "date_window", "gdelt_query"]

log = logging.getLogger(__name__)

_SHORT_OR_NUMERIC = re.compile(r"^(?:[\d.,]+|\w{1,2})$")


def gdelt_query(queries: tuple[str, ...]) -> str:
    """The keyword query GDELT accepts: the first query without numbers, with words shorter
    than three letters and bare numbers dropped (GDELT rejects both)."""
    chosen = next((q for q in queries if not re.search(r"\d", q)), queries[0] if queries else "")
    words = [w for w in chosen.split() if not _SHORT_OR_NUMERIC.match(w)]
    return " ".join(words)


def date_window(claim_date: date | None, days: int, today: date | None = None) -> dict[str, str]:
    """GDELT date parameters: ``days`` either side of the claim date (never past today), or
    the last ``days`` days when the claim has no date."""
    if claim_date is None:
        return {"timespan": f"{days}d"}
    today = today or date.today()
    start = datetime.combine(claim_date - timedelta(days=days), datetime.min.time())
    end_day = min(claim_date + timedelta(days=days), today)
    end = datetime.combine(end_day, datetime.max.time()).replace(microsecond=0)
    return {"startdatetime": start.strftime("%Y%m%d%H%M%S"), "enddatetime": end.strftime("%Y%m%d%H%M%S")}


def _seendate(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ")
    except ValueError:
        return None


class GdeltBackend:
    """Articles GDELT lists for the claim's keywords and dates (source_kind ``gdelt``)."""

    name = "gdelt"

    def __init__(self, fetcher: Fetcher, settings: GdeltSource) -> None:
        self.fetcher = fetcher
        self.settings = settings
        self._searches: dict[tuple[str, tuple[tuple[str, str], ...]], asyncio.Future[list[dict[str, Any]]]] = {}

    async def _search(self, query: str, window: dict[str, str]) -> list[dict[str, Any]]:
        params = {"query": query, "mode": "ArtList", "format": "json",
                  "maxrecords": str(self.settings.max_results), "sort": "HybridRel", **window}
        data = await self.fetcher.get_json(self.settings.base_url, params, backend=self.name)
        if not isinstance(data, dict):
            raise FetchError("gdelt answered JSON that is not an object: check sources.gdelt.base_url")
        articles = data.get("articles") or []
        return [a for a in articles if isinstance(a, dict) and isinstance(a.get("url"), str)]

    async def gather(self, request: SourceRequest) -> SourceResult:
        result = SourceResult()
        query = gdelt_query(request.queries)
        if not query:
            return result
        window = date_window(request.claim_date, self.settings.window_days)
        key = (query, tuple(sorted(window.items())))
        future = self._searches.get(key)
        if future is None:
            future = self._searches[key] = asyncio.ensure_future(self._search(query, window))
        try:
            articles = await asyncio.shield(future)
        except ClaimsError as exc:
            result.errors.append(SourceError(self.name, f"search {query!r}", str(exc)))
            return result
        articles = articles[: self.settings.max_results]
        pages = await gather_pages(self.fetcher, [a["url"] for a in articles], backend=self.name,
                                   source_kind="gdelt")
        meta = {canonical_url(a["url"]): a for a in articles}
        for document in pages.documents:
            article = meta.get(document.url or "")
            if article is not None:
                document = dataclasses.replace(
                    document,
                    title=document.title or article.get("title") or None,
                    outlet=document.outlet or article.get("domain") or None,
                    published_at=document.published_at or _seendate(article.get("seendate")),
                )
            result.documents.append(document)
        result.errors.extend(pages.errors)
        return result
