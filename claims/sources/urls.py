"""The URL-list backend, and the base of backends whose documents do not depend on the claim.

Such a backend (a fixed URL list, a set of feeds) is asked once per claim by
:func:`claims.sources.gather_all`; it fetches once per run and hands every claim the same
documents, reporting its errors only to the first caller so a run's summary lists each
failure once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from claims.sources.base import SourceRequest, SourceResult
from claims.sources.html import gather_pages
from claims.sources.http import Fetcher

__all__ = ["ClaimIndependentBackend", "UrlListBackend"]

log = logging.getLogger(__name__)


class ClaimIndependentBackend:
    """Gathers once per run (subclasses implement :meth:`collect`)."""

    name = "static"

    def __init__(self) -> None:
        self._task: asyncio.Task[SourceResult] | None = None
        self._errors_reported = False

    async def collect(self) -> SourceResult:
        raise NotImplementedError

    async def gather(self, request: SourceRequest) -> SourceResult:
        if self._task is None:
            self._task = asyncio.ensure_future(self.collect())
        collected = await asyncio.shield(self._task)
        errors = [] if self._errors_reported else list(collected.errors)
        self._errors_reported = True
        return SourceResult(documents=list(collected.documents), errors=errors)


class UrlListBackend(ClaimIndependentBackend):
    """Fetches a fixed list of URLs (``sources.urls.urls``) and extracts each page."""

    name = "urls"

    def __init__(self, fetcher: Fetcher, urls: Sequence[str]) -> None:
        super().__init__()
        self.fetcher = fetcher
        self.urls = list(urls)

    async def collect(self) -> SourceResult:
        result = await gather_pages(self.fetcher, self.urls, backend=self.name, source_kind="url")
        log.info("urls: %d documents from %d URLs, %d errors", len(result.documents), len(self.urls),
                 len(result.errors))
        return result
