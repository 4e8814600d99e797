"""Earlier fact-checks of the same claim, from Google Fact Check Tools ``claims:search``.

``GET {base_url}?query=...&languageCode=en&pageSize=N`` answers ``{"claims": [{"text",
"claimant", "claimDate", "claimReview": [{"publisher": {"name", "site"}, "url", "title",
"reviewDate", "textualRating", "languageCode"}]}], "nextPageToken"}``. Each claimReview
becomes one document (source_kind ``factcheck``) whose text states who rated which claim
how, so the rating is evidence with its publisher as the outlet.

The API key is sent in the ``X-Goog-Api-Key`` header, never in the URL, so it cannot reach
a log line, the ``fetches`` table or an error message. With no key in the settings the
backend sends nothing and reports that once (the flows layer may fill the key from a
Prefect Secret block before building the backends).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from claims.errors import ClaimsError, ConfigError, FetchError
from claims.models import Document
from claims.settings import FactCheckSource
from claims.sources.base import SourceError, SourceRequest, SourceResult
from claims.sources.http import Fetcher
from claims.sources.queries import canonical_url
from claims.sources.ratings import rating_statement

__all__ = ["FactCheckBackend", "review_document"]

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None


def review_document(claim: dict[str, Any], review: dict[str, Any]) -> Document | None:
    """One claimReview as a document stating publisher, rating and claim; None without a rating."""
    rating = (review.get("textualRating") or "").strip()
    claim_text = (claim.get("text") or "").strip()
    if not rating or not claim_text:
        return None
    publisher = review.get("publisher") or {}
    name = (publisher.get("name") or publisher.get("site") or "A fact-checker").strip()
    claimant = (claim.get("claimant") or "").strip()
    made = _date(claim.get("claimDate"))
    reviewed = _date(review.get("reviewDate"))
    text = rating_statement(name, claim_text.replace('"', "'"), rating.replace('"', "'"), claimant=claimant or None,
                            made=f"{made:%Y-%m-%d}" if made else None)
    if review.get("title"):
        text += f" Fact-check: {review['title'].strip()}."
    url = review.get("url")
    return Document.make(
        text,
        url=canonical_url(url) if isinstance(url, str) and url.startswith(("http://", "https://")) else None,
        title=(review.get("title") or None),
        outlet=name,
        published_at=reviewed,
        source_kind="factcheck",
        rating=rating,
    )


class FactCheckBackend:
    """Fact-checks matching the claim (source_kind ``factcheck``)."""

    name = "factcheck"

    def __init__(self, fetcher: Fetcher, settings: FactCheckSource) -> None:
        self.fetcher = fetcher
        self.settings = settings
        self._searches: dict[str, asyncio.Future[list[Document]]] = {}
        self._config_reported = False

    async def _search(self, query: str) -> list[Document]:
        assert self.settings.api_key is not None
        params = {"query": query, "languageCode": self.settings.language,
                  "pageSize": str(self.settings.max_results)}
        data = await self.fetcher.get_json(
            self.settings.base_url, params, backend=self.name,
            headers={"X-Goog-Api-Key": self.settings.api_key.get_secret_value()},
        )
        if not isinstance(data, dict):
            raise FetchError("factcheck answered JSON that is not an object: check sources.factcheck.base_url")
        documents: list[Document] = []
        for claim in data.get("claims") or []:
            if not isinstance(claim, dict):
                continue
            for review in claim.get("claimReview") or []:
                if isinstance(review, dict):
                    document = review_document(claim, review)
                    if document is not None:
                        documents.append(document)
        return documents

    async def gather(self, request: SourceRequest) -> SourceResult:
        result = SourceResult()
        key = self.settings.api_key
        if key is None or not key.get_secret_value():
            if not self._config_reported:  # once per run, not once per claim
                self._config_reported = True
                result.errors.append(SourceError(self.name, "settings", str(ConfigError(
                    "factcheck is on but has no API key: set sources.factcheck.api_key "
                    "(CLAIMS_SOURCES__FACTCHECK__API_KEY) or a Prefect Secret block"))))
            return result
        queries = []
        for query in (" ".join(request.claim_text.split())[:MAX_QUERY_CHARS], *request.queries[:1]):
            if query and query not in queries:
                queries.append(query)
        for query in queries:
            future = self._searches.get(query)
            if future is None:
                future = self._searches[query] = asyncio.ensure_future(self._search(query))
            try:
                result.documents.extend(await asyncio.shield(future))
            except ClaimsError as exc:
                result.errors.append(SourceError(self.name, f"search {query[:60]!r}", str(exc)))
        return result
