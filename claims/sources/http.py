"""The one HTTP layer of a run: polite, safe, and recorded.

A :class:`Fetcher` holds one ``httpx.AsyncClient`` for the whole run and is what every web
backend uses. Per request it:

* takes a URL's credentials (``user:password@``) off before anything else sees the URL
  (:func:`~claims.sources.safety.split_credentials`) and sends them as HTTP Basic
  authorization to that URL's origin only, never after a redirect elsewhere; results,
  records, logs and messages name the URL without them;
* checks the URL (http/https only; the host resolved once and every address public unless
  ``host:port`` is in ``http.allow_private_hosts``) and connects to exactly the checked
  addresses (:mod:`claims.sources.transport`); the same check runs again on every redirect hop, which it follows itself
  (``http.max_redirects``, loops stopped);
* honours robots.txt (:mod:`claims.sources.robots`: fetched once per host and run;
  ``Crawl-delay`` raises the host's minimum delay);
* limits concurrency globally (``max_connections``) and per host (``per_host_connections``)
  and spaces requests to one host by ``per_host_delay`` (``per_host_delays`` per host);
* times out on connect, read, and the whole attempt (``total_timeout``);
* retries connection errors, timeouts, 429 and 5xx with exponential backoff and full
  jitter, waiting at least what ``Retry-After`` asks (up to ``retry_after_max``), and never
  retries any other 4xx. The retry loop is written out here rather than taken from
  tenacity/stamina because every attempt must be logged with its number and the wait must
  come from the response (Retry-After); it is twenty lines;
* streams the body and cuts it at ``max_body_bytes`` (``truncated`` is recorded);
* accepts only text types and decodes them (:mod:`claims.sources.decoding`);
* makes the GET conditional (ETag / Last-Modified stored in DuckDB) and serves the stored
  text on 304;
* writes every attempt, and every refusal before a request (``attempt = 0``), to the
  ``fetches`` table, with credentials stripped from URLs.

Failures raise :class:`~claims.errors.FetchError` (or :class:`~claims.errors.RefusedURLError`
when no request was sent) with a one-line message that says why and what to do.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

import httpx

from claims.errors import FetchError, HTTPStatusError, RefusedURLError
from claims.settings import HttpSettings
from claims.sources.decoding import ALLOWED_CONTENT_TYPES, decode_body, media_type
from claims.sources.fetchlog import FetchLog
from claims.sources.queries import canonical_url
from claims.sources.robots import RobotsRules
from claims.sources.safety import (
    CheckedURL,
    PinnedAddresses,
    check_scheme,
    redact_url,
    resolve_and_check,
    split_credentials,
    without_credentials,
)
from claims.sources.transport import HostGate, PinnedTransport
from claims.store import Store
from claims.store.records import CacheEntry, FetchRecord

__all__ = ["FetchResult", "Fetcher"]

log = logging.getLogger(__name__)

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchResult:
    """A fetched body, decoded. ``from_cache``: the server said 304 and the stored copy was
    served without downloading; ``truncated``: the body passed the size cap and was cut."""

    url: str
    final_url: str
    status: int
    content_type: str | None
    encoding: str | None
    text: str
    nbytes: int
    from_cache: bool = False
    truncated: bool = False

    @property
    def media_type(self) -> str | None:
        return media_type(self.content_type)


class _Retryable(Exception):
    """Internal: an attempt failed in a way worth retrying."""

    def __init__(self, error_class: str, message: str, retry_after: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.message = message
        self.retry_after = retry_after
        self.status = status


@dataclass
class _Response:
    status: int
    headers: httpx.Headers
    content_type: str | None
    body: bytes
    truncated: bool
    cache: CacheEntry | None = None  # set on a 304 answered from the stored copy


def _hostname(url: str) -> str | None:
    """The URL's host for the log, or None when the URL does not parse."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _origin_headers(extra: dict[str, str] | None, credentials: tuple[str, str] | None) -> dict[str, str]:
    """The headers a request to the first URL's origin carries: the caller's, and HTTP Basic
    authorization from the credentials that URL was given with."""
    headers = dict(extra or {})
    if credentials is not None:
        token = base64.b64encode(":".join(credentials).encode("utf-8")).decode("ascii")
        headers.setdefault("Authorization", f"Basic {token}")
    return headers


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


# -- the fetcher -----------------------------------------------------------------------------


class Fetcher:
    """The run's HTTP client. Use as ``async with Fetcher(settings, store, run_id) as f``."""

    def __init__(self, settings: HttpSettings, store: Store | None = None, run_id: str | None = None) -> None:
        self.settings = settings
        self.user_agent = settings.user_agent.format(contact=settings.contact)
        self.log = FetchLog(store, run_id)
        self._pins = PinnedAddresses()
        self._client: httpx.AsyncClient | None = None
        self._global = asyncio.Semaphore(max(1, settings.max_connections))
        self._gates: dict[str, HostGate] = {}
        self._robots = RobotsRules(lambda url: self._fetch(url, backend="robots"))
        self._cached_urls: set[str] = set()
        self._down: dict[str, str] = {}  # host:port -> why it cannot be reached this run
        self._shared: dict[str, asyncio.Future[FetchResult]] = {}

    # context management

    async def __aenter__(self) -> Self:
        s = self.settings
        limits = httpx.Limits(max_connections=s.max_connections,
                              max_keepalive_connections=s.max_connections)
        self._client = httpx.AsyncClient(
            transport=PinnedTransport(self._pins, limits),
            timeout=httpx.Timeout(connect=s.connect_timeout, read=s.read_timeout,
                                  write=s.read_timeout, pool=s.total_timeout),
            headers={"User-Agent": self.user_agent},
            follow_redirects=False,
            trust_env=False,
        )
        if self.log.store is not None:  # migrated by whoever opened it (claims.store.open_store)
            self._cached_urls = await asyncio.to_thread(self.log.cached_urls)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client and write the buffered fetch records."""
        for future in self._shared.values():
            if not future.done():
                future.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        await asyncio.to_thread(self.log.flush)

    @property
    def records(self) -> list[FetchRecord]:
        """This run's attempts so far, in order (also written to the ``fetches`` table)."""
        return list(self.log.records)

    # public API

    async def fetch(self, url: str, *, backend: str = "url",
                    headers: dict[str, str] | None = None) -> FetchResult:
        """GET ``url`` with every check above; the decoded body, or FetchError/RefusedURLError."""
        return await self._fetch(url, backend=backend, extra_headers=headers)

    async def fetch_shared(self, url: str, *, backend: str = "url") -> FetchResult:
        """Like :meth:`fetch`, but one URL is fetched once per run however many claims or
        backends ask for it (the result, or the error, is shared)."""
        key = canonical_url(url)
        future = self._shared.get(key)
        if future is None:
            future = self._shared[key] = asyncio.ensure_future(self.fetch(url, backend=backend))
        return await asyncio.shield(future)

    async def get_json(self, url: str, params: dict[str, Any] | None = None, *, backend: str,
                       headers: dict[str, str] | None = None) -> Any:
        """GET an API endpoint and parse its JSON. Secrets belong in ``headers`` (never logged),
        not in ``params`` (``key=`` is stripped from records but travels in the URL).
        robots.txt is not consulted: it governs crawlers, and an API is meant for programs
        (Wikipedia's robots.txt disallows ``/w/``, where its API lives)."""
        full = str(httpx.URL(url, params=params)) if params else url
        result = await self._fetch(full, backend=backend, extra_headers=headers,
                                   accept="application/json", robots=False)
        try:
            return json.loads(result.text)
        except ValueError:
            snippet = " ".join(result.text[:100].split())
            raise FetchError(
                f"{backend}: {redact_url(result.final_url)} answered {result.media_type or 'no type'} "
                f"that is not JSON ({snippet!r}): check the service's base_url"
            ) from None

    async def note(self, url: str, *, backend: str, error_class: str, message: str) -> None:
        """Record an outcome found after the fetch (e.g. ``no_text``: nothing to extract) as
        an ``attempt = 0`` row of ``fetches``, next to the attempts themselves."""
        await self._add(FetchRecord(url=redact_url(url), host=self._host_port(url) or None,
                                    backend=backend, attempt=0, error_class=error_class, error=message))

    # the request pipeline

    def _record(self, record: FetchRecord) -> bool:
        return self.log.add(record)

    async def _add(self, record: FetchRecord) -> None:
        if self._record(record):
            await asyncio.to_thread(self.log.flush)

    async def _refuse(self, url: str, host: str | None, backend: str, error_class: str,
                      exc: FetchError) -> None:
        await self._add(FetchRecord(url=redact_url(url), host=host, backend=backend, attempt=0,
                                    error_class=error_class, error=str(exc)))
        log.warning("%s", exc)

    async def _check(self, url: str, backend: str) -> CheckedURL:
        host_port = self._host_port(url)
        down = self._down.get(host_port)
        if down is not None:  # fail fast: this host could not be reached earlier in the run
            exc = FetchError(f"skipped {redact_url(url)}: {host_port} {down} earlier in this run; "
                             "check the network or the URL")
            await self._refuse(url, host_port, backend, "host_down", exc)
            raise exc
        try:
            checked = await resolve_and_check(url, self.settings.allow_private_hosts,
                                              timeout=self.settings.connect_timeout)
        except RefusedURLError as exc:
            await self._refuse(url, _hostname(url), backend, "refused", exc)
            raise
        except FetchError as exc:
            await self._refuse(url, _hostname(url), backend, "dns_error", exc)
            self._down[host_port] = "did not resolve"
            raise
        self._pins.pin(checked)
        return checked

    async def _fetch(self, url: str, *, backend: str, extra_headers: dict[str, str] | None = None,
                     accept: str | None = None, robots: bool = True) -> FetchResult:
        if self._client is None:
            raise FetchError("the fetcher is not open: use `async with Fetcher(...)`")
        url, credentials = split_credentials(url)  # from here on, no URL carries them
        current = url
        visited = {url}
        origin = self._origin(url)
        for _hop in range(self.settings.max_redirects + 1):
            checked = await self._check(current, backend)
            if robots and self.settings.respect_robots and backend != "robots":
                await self._check_robots(checked, backend)
            headers = _origin_headers(extra_headers, credentials) if self._origin(current) == origin else {}
            if accept:
                headers["Accept"] = accept
            response = await self._request(checked, backend, headers)
            if response.status in _REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise HTTPStatusError(
                        f"{redact_url(current)} answered {response.status} without a Location: "
                        "the site is broken; try again later", response.status)
                nxt = without_credentials(urljoin(current, location.strip()))  # a server's, never used
                if nxt in visited:
                    exc = FetchError(
                        f"redirect loop at {redact_url(nxt)} (from {redact_url(url)}): the site "
                        "redirects in a circle; drop this URL or report it to the site")
                    await self._refuse(nxt, _hostname(nxt), backend, "redirect_loop", exc)
                    raise exc
                visited.add(nxt)
                current = nxt
                continue
            return self._result(url, current, response)
        exc = FetchError(
            f"too many redirects from {redact_url(url)} (more than {self.settings.max_redirects}): "
            "use the final URL directly or raise http.max_redirects")
        await self._refuse(current, _hostname(current), backend, "too_many_redirects", exc)
        raise exc

    @staticmethod
    def _host_port(url: str) -> str:
        try:
            _scheme, host, port = check_scheme(url)
        except RefusedURLError:
            return ""
        return f"{host}:{port}"

    @staticmethod
    def _origin(url: str) -> tuple[str, str, int]:
        try:
            return check_scheme(url)
        except RefusedURLError:
            return ("", url, 0)

    def _result(self, url: str, final_url: str, response: _Response) -> FetchResult:
        if response.cache is not None:
            entry = response.cache
            return FetchResult(url=url, final_url=final_url, status=304, content_type=entry.content_type,
                               encoding=entry.encoding, text=entry.text, nbytes=entry.nbytes,
                               from_cache=True, truncated=False)
        text, encoding = decode_body(response.body, response.content_type)
        return FetchResult(url=url, final_url=final_url, status=response.status,
                           content_type=response.content_type, encoding=encoding, text=text,
                           nbytes=len(response.body), from_cache=False, truncated=response.truncated)

    def _gate(self, host_port: str, host: str) -> HostGate:
        gate = self._gates.get(host_port)
        if gate is None:
            delay = self.settings.per_host_delays.get(host, self.settings.per_host_delay)
            gate = self._gates[host_port] = HostGate(self.settings.per_host_connections, delay)
        return gate

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter: uniform(0, min(max, base * 2**(attempt-1)))."""
        cap = min(self.settings.backoff_max, self.settings.backoff_base * (2 ** (attempt - 1)))
        return random.uniform(0, cap)

    async def _request(self, checked: CheckedURL, backend: str, headers: dict[str, str]) -> _Response:
        """One hop with retries. Returns the response (2xx, 3xx or a 304 from the cache)."""
        cache_key = redact_url(checked.url)
        cache: CacheEntry | None = None
        if cache_key in self._cached_urls:
            cache = await asyncio.to_thread(self.log.get_cache, cache_key)
        attempts = self.settings.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return await self._attempt(checked, backend, headers, attempt, cache)
            except _Retryable as exc:
                if attempt >= attempts:
                    message = (f"{exc.message} ({attempt} attempts): the source is failing; "
                               "it will be tried again on the next run")
                    if exc.status is not None:
                        raise HTTPStatusError(message, exc.status) from None
                    error = FetchError(message)
                    if exc.error_class == "connect_error":  # refused/unreachable: skip the host now
                        self._down[checked.host_port] = "refused or dropped every connection"
                    raise error from None
                wait = self._backoff(attempt)
                if exc.retry_after is not None:
                    if exc.retry_after > self.settings.retry_after_max:
                        raise HTTPStatusError(
                            f"{exc.message}: the server asks to wait {exc.retry_after:.0f}s, more "
                            f"than http.retry_after_max ({self.settings.retry_after_max:g}s); try later",
                            exc.status or 429) from None
                    wait = max(wait, exc.retry_after)
                log.info("retrying %s in %.2fs after %s", redact_url(checked.url), wait, exc.error_class)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def _attempt(self, checked: CheckedURL, backend: str, headers: dict[str, str], attempt: int,
                       cache: CacheEntry | None) -> _Response:
        url_for_log = redact_url(checked.url)
        request_headers = dict(headers)
        if cache is not None:
            if cache.etag:
                request_headers["If-None-Match"] = cache.etag
            if cache.last_modified:
                request_headers["If-Modified-Since"] = cache.last_modified
        record = FetchRecord(url=url_for_log, host=checked.host_port, backend=backend, attempt=attempt)
        gate = self._gate(checked.host_port, checked.host)
        async with gate.semaphore:
            await gate.wait_turn()
            async with self._global:
                started = time.monotonic()
                try:
                    response = await self._send(checked, request_headers, record)
                except _Retryable as exc:
                    record.error_class, record.error = exc.error_class, exc.message
                    record.duration_ms = (time.monotonic() - started) * 1000
                    await self._add(record)
                    raise
                except FetchError as exc:
                    record.error = str(exc)
                    record.duration_ms = (time.monotonic() - started) * 1000
                    await self._add(record)
                    raise
                record.duration_ms = (time.monotonic() - started) * 1000
        try:
            return self._classify(response, record, cache)
        finally:
            await self._add(record)

    def _classify(self, response: _Response, record: FetchRecord, cache: CacheEntry | None) -> _Response:
        """Turn a status into a result, a retry or an error; fill the record to match."""
        url_for_log = record.url
        status = response.status
        if status == 304:
            if cache is None:
                record.error_class, record.error = "http_status", "304 without a conditional request"
                raise HTTPStatusError(f"{url_for_log} answered 304 to an unconditional GET: "
                                      "the server is broken; try again later", 304)
            record.from_cache = True
            response.cache = cache
            return response
        if status == 429 or (500 <= status < 600 and status != 501):
            record.error_class = "http_status"
            record.error = f"HTTP {status}"
            raise _Retryable("http_status", f"{url_for_log} answered HTTP {status}",
                             retry_after=_retry_after(response.headers.get("retry-after")), status=status)
        if status >= 400 or (status >= 300 and status not in _REDIRECT_STATUSES):
            record.error_class = "http_status"
            record.error = f"HTTP {status}"
            hint = {404: "the page does not exist; drop or fix the URL",
                    410: "the page is gone; drop the URL",
                    401: "it needs credentials; check the API key setting",
                    403: "access is forbidden; check the API key or drop the source"}.get(
                        status, "not retried; check the URL")
            raise HTTPStatusError(f"{url_for_log} answered HTTP {status}: {hint}", status)
        if 200 <= status < 300:
            etag = response.headers.get("etag")
            last_modified = response.headers.get("last-modified")
            if (etag or last_modified) and not response.truncated and self.log.store is not None:
                text, encoding = decode_body(response.body, response.content_type)
                self.log.put_cache(CacheEntry(url=url_for_log, etag=etag, last_modified=last_modified,
                                              content_type=response.content_type, encoding=encoding,
                                              text=text, nbytes=len(response.body)))
                self._cached_urls.add(url_for_log)
        return response

    async def _send(self, checked: CheckedURL, headers: dict[str, str], record: FetchRecord) -> _Response:
        """Send one request and read the body within the total timeout."""
        assert self._client is not None
        s = self.settings
        try:
            async with asyncio.timeout(s.total_timeout):
                request = self._client.build_request("GET", checked.url, headers=headers)
                response = await self._client.send(request, stream=True)
                try:
                    record.status = response.status_code
                    content_type = response.headers.get("content-type")
                    record.content_type = content_type
                    record.etag = response.headers.get("etag")
                    record.last_modified = response.headers.get("last-modified")
                    if not 200 <= response.status_code < 300:
                        return _Response(response.status_code, response.headers, content_type, b"", False)
                    media = media_type(content_type)
                    if media is not None and media not in ALLOWED_CONTENT_TYPES:
                        record.error_class = "content_type"
                        raise FetchError(
                            f"refused {redact_url(checked.url)}: content type {media} is not text "
                            "(only HTML, XML, RSS/Atom, JSON and plain text are fetched); drop this URL")
                    body, truncated = await self._read_capped(response)
                    record.bytes, record.truncated = len(body), truncated
                    if media is None and b"\x00" in body[:1024]:
                        record.error_class = "content_type"
                        raise FetchError(
                            f"refused {redact_url(checked.url)}: no content type and a binary body; "
                            "drop this URL")
                    if truncated:
                        log.warning("%s: body cut at %d bytes (http.max_body_bytes)",
                                    redact_url(checked.url), s.max_body_bytes)
                    return _Response(response.status_code, response.headers, content_type, body, truncated)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise _Retryable("timeout", f"{redact_url(checked.url)} took longer than "
                             f"http.total_timeout ({s.total_timeout:g}s)") from None
        except httpx.TimeoutException as exc:
            kind = type(exc).__name__  # ConnectTimeout | ReadTimeout | WriteTimeout | PoolTimeout
            raise _Retryable("timeout", f"{redact_url(checked.url)}: {kind}") from None
        except httpx.TransportError as exc:
            kind = type(exc).__name__
            detail = str(exc).splitlines()[0] if str(exc) else kind
            raise _Retryable("connect_error" if isinstance(exc, httpx.ConnectError) else "transport_error",
                             f"{redact_url(checked.url)}: {kind} ({detail})") from None

    async def _read_capped(self, response: httpx.Response) -> tuple[bytes, bool]:
        cap = self.settings.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            if size + len(chunk) > cap:
                chunks.append(chunk[: cap - size])
                return b"".join(chunks), True
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks), False

    # robots.txt

    async def _check_robots(self, checked: CheckedURL, backend: str) -> None:
        verdict = await self._robots.verdict(checked)
        if verdict.error is not None:
            await self._refuse(checked.url, checked.host_port, backend, "robots_unreachable", verdict.error)
            raise FetchError(str(verdict.error))
        if verdict.crawl_delay:
            gate = self._gate(checked.host_port, checked.host)
            gate.delay = max(gate.delay, min(verdict.crawl_delay, self.settings.retry_after_max))
        if not verdict.allows(checked.url):
            exc = RefusedURLError(
                f"refused {redact_url(checked.url)}: robots.txt of {checked.host_port} disallows it "
                "for claims; drop the URL, or set http.respect_robots=false if the site allows you")
            await self._refuse(checked.url, checked.host_port, backend, "robots_disallowed", exc)
            raise exc
