"""Evidence sources: backends behind one async interface, and the gathering of their results."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from claims.models import Claim
from claims.settings import Settings
from claims.sources.base import Backend, SourceError, SourceRequest, SourceResult
from claims.sources.corpus import CorpusBackend
from claims.sources.queries import build_queries
from claims.store import Store

if TYPE_CHECKING:  # pragma: no cover
    from claims.sources.http import Fetcher

__all__ = [
    "WEB_SOURCES",
    "Backend",
    "SourceError",
    "SourceRequest",
    "SourceResult",
    "build_backends",
    "gather_all",
    "gather_for_claims",
]

WEB_SOURCES = ("urls", "feeds", "wikipedia", "searxng", "gdelt", "factcheck")


def build_backends(settings: Settings, fetcher: Fetcher | None = None) -> list[Backend]:
    """The backends switched on in ``settings``. Web backends share ``fetcher``
    (a :class:`claims.sources.http.Fetcher`)."""
    backends: list[Backend] = []
    sources = settings.sources
    if sources.corpus.enabled:
        backends.append(CorpusBackend(sources.corpus.path, settings.max_input_bytes))
    if fetcher is None:
        return backends
    # lazy: the web backends bring httpx, trafilatura and feedparser (0.4 s), needed only
    # when a web source is switched on
    from claims.sources.factcheck import FactCheckBackend
    from claims.sources.feeds import FeedsBackend
    from claims.sources.gdelt import GdeltBackend
    from claims.sources.searxng import SearxngBackend
    from claims.sources.urls import UrlListBackend
    from claims.sources.wikipedia import WikipediaBackend

    if sources.urls.enabled:
        backends.append(UrlListBackend(fetcher, sources.urls.urls))
    if sources.feeds.enabled:
        backends.append(FeedsBackend(fetcher, sources.feeds.feeds,
                                     max_entries=sources.feeds.max_entries))
    if sources.wikipedia.enabled:
        backends.append(WikipediaBackend(fetcher, sources.wikipedia))
    if sources.searxng.enabled:
        backends.append(SearxngBackend(fetcher, sources.searxng))
    if sources.gdelt.enabled:
        backends.append(GdeltBackend(fetcher, sources.gdelt))
    if sources.factcheck.enabled:
        backends.append(FactCheckBackend(fetcher, sources.factcheck))
    return backends


async def _one(backend: Backend, request: SourceRequest) -> SourceResult:
    try:
        return await backend.gather(request)
    except Exception as exc:  # noqa: BLE001 - one backend's failure never stops the others; recorded
        return SourceResult(errors=[SourceError(backend.name, request.claim_text[:80], f"{exc.__class__.__name__}: {exc}")])


async def gather_all(requests: Sequence[SourceRequest], backends: Sequence[Backend]) -> SourceResult:
    """Ask every backend for every request concurrently; de-duplicate documents by id and
    content hash (the first copy wins); keep every error."""
    tasks = [_one(b, r) for r in requests for b in backends]
    merged = SourceResult()
    seen_ids: set[str] = set()
    seen_hashes: set[str] = set()
    for result in await asyncio.gather(*tasks):
        merged.errors.extend(result.errors)
        for doc in result.documents:
            if doc.id in seen_ids or (doc.content_hash and doc.content_hash in seen_hashes):
                continue
            seen_ids.add(doc.id)
            if doc.content_hash:
                seen_hashes.add(doc.content_hash)
            merged.documents.append(doc)
    return merged


async def gather_for_claims(claims: Sequence[Claim], settings: Settings, store: Store | None = None,
                            run_id: str | None = None) -> SourceResult:
    """Ask every backend switched on for evidence on ``claims`` (one request per claim; a
    single empty one when there are none). Web backends share one fetcher, recording its
    attempts in ``store`` under ``run_id``; the local corpus alone needs no queries and no
    HTTP client."""
    if not any(getattr(settings.sources, name).enabled for name in WEB_SOURCES):
        requests = [SourceRequest(claim_id=c.id, claim_text=c.text, claim_date=c.claim_date) for c in claims]
        return await gather_all(requests or [SourceRequest()], build_backends(settings, None))
    # lazy: the HTTP layer (httpx, 0.2 s) only when a web source is switched on
    from claims.sources.http import Fetcher

    requests = [SourceRequest(claim_id=c.id, claim_text=c.text, queries=build_queries(c), claim_date=c.claim_date)
                for c in claims] or [SourceRequest()]
    async with Fetcher(settings.http, store=store, run_id=run_id) as fetcher:
        return await gather_all(requests, build_backends(settings, fetcher))
