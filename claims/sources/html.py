"""Web pages to documents: trafilatura's main text and metadata.

A page with no extractable text (a login wall, a video page, an empty shell filled by
JavaScript) yields no document: storing an empty document would let it be "evidence".

A page with more HTML elements than ``http.max_html_elements`` is refused before
trafilatura sees it (:func:`check_structure`): its time grows with the elements (4.5 MB of
``<p>ab</p>``, under ``max_body_bytes``, ran past 600 s), and a hostile page or feed entry
must not stall ``check`` or ``monitor``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Sequence
from datetime import datetime

import lxml.etree  # type: ignore[import-untyped]  # lxml ships no types; lxml-stubs is not a dependency
import lxml.html  # type: ignore[import-untyped]  # as above
import trafilatura
import trafilatura.settings

from claims.errors import ClaimsError, InputError
from claims.models import Document
from claims.settings import HttpSettings
from claims.sources.base import SourceError, SourceResult
from claims.sources.http import Fetcher, FetchResult
from claims.sources.queries import canonical_url
from claims.sources.ratings import rating_statement
from claims.sources.safety import redact_url
from claims.sources.text import in_date_range

__all__ = ["MIN_TEXT_CHARS", "check_structure", "claim_reviews", "document_from_result", "extract_document", "fetch_document",
           "gather_pages"]

log = logging.getLogger(__name__)

MIN_TEXT_CHARS = 40  # below this, what trafilatura finds is boilerplate, not an article

_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})


def _parse_date(value: str | None) -> datetime | None:
    """trafilatura's date (ISO, usually YYYY-MM-DD) as a naive datetime."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=None) if in_date_range(parsed) else None


def claim_reviews(html: str) -> list[tuple[str, str, str | None, str | None]]:
    """The schema.org ``ClaimReview`` objects in a page's JSON-LD, as (claim reviewed,
    textual rating, publisher, claimant); reviews without a textual rating
    (``reviewRating.alternateName``) are left out: a bare number means nothing without the
    publisher's scale."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    found: list[tuple[str, str, str | None, str | None]] = []

    def name_of(value: object) -> str | None:
        if isinstance(value, dict):
            value = value.get("name")
        return value.strip() if isinstance(value, str) and value.strip() else None

    def visit(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        kinds = node.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "ClaimReview" in kinds:
            rating = node.get("reviewRating")
            rating = rating[0] if isinstance(rating, list) and rating else rating
            text = rating.get("alternateName") if isinstance(rating, dict) else None
            claim = node.get("claimReviewed")
            if isinstance(text, str) and text.strip() and isinstance(claim, str) and claim.strip():
                reviewed = node.get("itemReviewed")
                item = reviewed if isinstance(reviewed, dict) else {}
                found.append((" ".join(claim.split()), text.strip(), name_of(node.get("author")),
                              name_of(item.get("author"))))
        visit(node.get("@graph"))

    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            visit(json.loads(script.text or ""))
        except json.JSONDecodeError:
            continue
    return found


_ELEMENT_RE = re.compile(r"<[A-Za-z]")


def check_structure(html: str, url: str, max_elements: int) -> None:
    """Refuse (one :class:`~claims.errors.InputError`) a page with more than ``max_elements``
    HTML elements (opening tags, counted before any parsing)."""
    for count, _ in enumerate(_ELEMENT_RE.finditer(html), start=1):
        if count > max_elements:
            raise InputError(f"{redact_url(url)} has more than {max_elements:,} HTML elements "
                             "(http.max_html_elements), too many to extract its text in bounded time: save the "
                             "article's text to a file and check that, or raise CLAIMS_HTTP__MAX_HTML_ELEMENTS")


def extract_document(html: str, url: str, *, source_kind: str,
                     max_elements: int = HttpSettings().max_html_elements) -> Document | None:
    """Main text, title, author, date and site name of a page; None when it has no text;
    an :class:`~claims.errors.InputError` when it has more than ``max_elements`` elements.

    A fact-check page (schema.org ``ClaimReview`` in its JSON-LD) opens with a statement of
    each rating (``claims.sources.ratings.rating_statement``) and carries its rating, so the
    verdict stage counts it as that fact-checker's vote on the claim it reviews."""
    check_structure(html, url, max_elements)
    try:  # trafilatura names a page without a site name after its URL's host: never after credentials
        extracted = trafilatura.bare_extraction(html, url=redact_url(url), with_metadata=True,
                                                include_comments=False, include_tables=True)
    except (ValueError, TypeError, AttributeError) as exc:  # trafilatura on badly broken markup
        log.warning("extraction failed for %s: %s", redact_url(url), exc)
        return None
    if not isinstance(extracted, trafilatura.settings.Document):
        return None
    text = (extracted.text or "").strip()
    if len(text) < MIN_TEXT_CHARS:
        return None
    reviews = claim_reviews(html)
    outlet = extracted.sitename or None
    if reviews:
        statements = [rating_statement(author or outlet or "The fact-checker", claim.replace('"', "'"),
                                       rating.replace('"', "'"), claimant=claimant)
                      for claim, rating, author, claimant in reviews]
        text = "\n\n".join([*statements, text])
    return Document.make(
        text,
        url=canonical_url(url),
        title=(extracted.title or None),
        outlet=outlet,
        author=(extracted.author or None),
        published_at=_parse_date(extracted.date),
        source_kind=source_kind,
        rating=reviews[0][1] if reviews else None,
    )


def document_from_result(result: FetchResult, *, source_kind: str,
                         max_elements: int = HttpSettings().max_html_elements) -> Document | None:
    """A fetched body as a document: HTML through trafilatura (at most ``max_elements``
    elements: :func:`check_structure`), plain text as it is."""
    media = result.media_type
    if media == "text/plain":
        text = result.text.strip()
        if not text:
            return None
        return Document.make(text, url=canonical_url(result.final_url), source_kind=source_kind)
    if media is None or media in ("text/html", "application/xhtml+xml"):
        return extract_document(result.text, result.final_url, source_kind=source_kind, max_elements=max_elements)
    return None


async def fetch_document(fetcher: Fetcher, url: str, *, source_kind: str) -> Document:
    """Fetch one page and extract it. Raises FetchError/RefusedURLError from the fetch, and
    InputError when the page holds no article text."""
    result = await fetcher.fetch(url, backend=source_kind)
    media = result.media_type
    if media in _FEED_TYPES or (media in ("application/xml", "text/xml") and "<rss" in result.text[:2000]):
        raise InputError(
            f"{redact_url(url)} is a feed, not an article: add it to sources.feeds.feeds and run "
            "`claims monitor`, or check one of its articles")
    if media is not None and media not in ("text/html", "application/xhtml+xml", "text/plain"):
        raise InputError(
            f"{redact_url(url)} is {media}, not an article page: pass the URL of an HTML article "
            "or a text file")
    document = document_from_result(result, source_kind=source_kind,
                                    max_elements=fetcher.settings.max_html_elements)
    if document is None:
        raise InputError(
            f"{redact_url(url)} has no extractable article text (it may need JavaScript or a "
            "login): save the article's text to a file and check that instead")
    return document


async def gather_pages(fetcher: Fetcher, urls: Sequence[str], *, backend: str,
                       source_kind: str | None = None) -> SourceResult:
    """Fetch and extract many pages concurrently (each once per run); a page that fails or
    has no text becomes a recorded error, never an exception or an empty document."""
    kind = source_kind or backend
    unique = list(dict.fromkeys(urls))

    async def one(url: str) -> Document | SourceError:
        try:
            result = await fetcher.fetch_shared(url, backend=backend)
            document = document_from_result(result, source_kind=kind,
                                            max_elements=fetcher.settings.max_html_elements)
        except ClaimsError as exc:
            return SourceError(backend, redact_url(url), str(exc))
        if document is None:
            log.info("%s: no extractable text at %s", backend, redact_url(url))
            await fetcher.note(url, backend=backend, error_class="no_text",
                               message="no extractable text; not stored as a document")
            return SourceError(backend, redact_url(url), "no extractable text (not stored)")
        return document

    result = SourceResult()
    for outcome in await asyncio.gather(*(one(u) for u in unique)):
        if isinstance(outcome, SourceError):
            result.errors.append(outcome)
        else:
            result.documents.append(outcome)
    return result
