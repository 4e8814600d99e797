"""The one HTTP layer of a run: polite, safe, and recorded.

A :class:`Fetcher` holds one ``httpx.AsyncClient`` for the whole run and is what every web
backend uses. Per request it:

* checks the URL (http/https only; the host resolved once and every address public unless
  ``host:port`` is in ``http.allow_private_hosts``) and connects to exactly the checked
  addresses; the same check runs again on every redirect hop, which it follows itself
  (``http.max_redirects``, loops stopped);
* honours robots.txt (fetched once per host and run, RFC 9309: 4xx = allow all,
  5xx = disallow all; ``Crawl-delay`` raises the host's minimum delay);
* limits concurrency globally (``max_connections``) and per host (``per_host_connections``)
  and spaces requests to one host by ``per_host_delay`` (``per_host_delays`` per host);
* times out on connect, read, and the whole attempt (``total_timeout``);
* retries connection errors, timeouts, 429 and 5xx with exponential backoff and full
  jitter, waiting at least what ``Retry-After`` asks (up to ``retry_after_max``), and never
  retries any other 4xx. The retry loop is written out here rather than taken from
  tenacity/stamina because every attempt must be logged with its number and the wait must
  come from the response (Retry-After); it is twenty lines;
* streams the body and cuts it at ``max_body_bytes`` (``truncated`` is recorded);
* accepts only text types (HTML, XHTML, XML, RSS/Atom, JSON, plain text);
* decodes: BOM, then the Content-Type charset, then ``<meta>``/XML declaration, then UTF-8,
  then detection (charset-normalizer, preferring windows-1252 as browsers do);
* makes the GET conditional (ETag / Last-Modified stored in DuckDB) and serves the stored
  text on 304;
* writes every attempt, and every refusal before a request (``attempt = 0``), to the
  ``fetches`` table, with credentials stripped from URLs.

Failures raise :class:`~claims.errors.FetchError` (or :class:`~claims.errors.RefusedURLError`
when no request was sent) with a one-line message that says why and what to do.
"""

from __future__ import annotations

import asyncio
import codecs
import email.utils
import json
import logging
import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import charset_normalizer
import httpcore
import httpx

from claims.errors import FetchError, RefusedURLError
from claims.settings import HttpSettings
from claims.sources.fetchlog import FetchLog
from claims.sources.queries import canonical_url
from claims.sources.safety import (
    CheckedURL,
    PinnedAddresses,
    check_scheme,
    redact_url,
    resolve_and_check,
)
from claims.store import Store
from claims.store.records import CacheEntry, FetchRecord

__all__ = [
    "ALLOWED_CONTENT_TYPES",
    "JSON_CONTENT_TYPES",
    "USER_AGENT_TOKEN",
    "FetchResult",
    "Fetcher",
    "HTTPStatusError",
    "decode_body",
]

log = logging.getLogger(__name__)

USER_AGENT_TOKEN = "claims"  # the product token robots.txt rules are matched against

ALLOWED_CONTENT_TYPES = frozenset({
    "text/html",
    "application/xhtml+xml",
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/json",
    "application/feed+json",
    "application/ld+json",
    "text/plain",
})
JSON_CONTENT_TYPES = frozenset({"application/json", "application/feed+json", "application/ld+json"})
_MARKUP_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_XML_TYPES = frozenset({"application/xml", "text/xml", "application/rss+xml", "application/atom+xml",
                        "application/rdf+xml"})

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Encodings that the web uses as labels for windows-1252 (WHATWG Encoding Standard).
_CP1252_ALIASES = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii",
                             "cp819", "ibm819", "iso_8859-1", "windows-1252", "cp1252", "x-cp1252"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.IGNORECASE)


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
        return _media_type(self.content_type)


class HTTPStatusError(FetchError):
    """The server answered with an error status (after retries, where they apply)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


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


# -- decoding ------------------------------------------------------------------------------


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _charset_param(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _codec(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when unknown."""
    if not label:
        return None
    label = label.strip().lower()
    if label in _CP1252_ALIASES:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _detect(body: bytes) -> str:
    """Guess a legacy encoding. Among near-equal guesses prefer windows-1252, the encoding
    browsers assume for unlabelled Western pages (short texts fool the detector otherwise)."""
    matches = list(charset_normalizer.from_bytes(body[:200_000]))
    if not matches:
        return "cp1252"
    best = matches[0]
    for match in matches:
        if match.chaos <= best.chaos + 0.1 and "cp1252" in match.could_be_from_charset:
            return "cp1252"
    return _codec(best.encoding) or "cp1252"


def decode_body(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode a body: BOM, header charset, meta/XML declaration, UTF-8, then detection.

    Returns (text, codec name). Undecodable bytes become U+FFFD rather than failing.
    """
    for bom, bom_codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                           (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(bom_codec, errors="replace"), bom_codec
    media = _media_type(content_type)
    codec = _codec(_charset_param(content_type))
    if codec is None and media in JSON_CONTENT_TYPES:
        codec = "utf-8"  # RFC 8259: JSON on the wire is UTF-8
    if codec is None and (media is None or media in _MARKUP_TYPES or media in _XML_TYPES):
        head = body[:4096]
        found = _XML_DECL.search(head) or _META_CHARSET.search(head)
        if found:
            codec = _codec(found.group(1).decode("ascii", errors="ignore"))
            if codec in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
                codec = None  # a byte-oriented body cannot really be UTF-16 (no BOM seen)
    if codec is None:
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            codec = _detect(body)
    return body.decode(codec, errors="replace"), codec


def _hostname(url: str) -> str | None:
    """The URL's host for the log, or None when the URL does not parse."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


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


# -- connecting only to checked addresses ----------------------------------------------------


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the addresses the safety check approved for a host, never resolving
    again. Hosts that were not checked are refused (nothing should reach here unchecked)."""

    def __init__(self, pins: PinnedAddresses) -> None:
        self._pins = pins
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        addresses = self._pins.lookup(host, port)
        if not addresses:
            raise httpcore.ConnectError(f"{host}:{port} was not checked by the safety layer")
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout,
                                                     local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by the fetcher")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport with its connection pool built on :class:`_PinnedBackend`
    (httpx has no public hook for the network backend, so the pool is replaced here)."""

    def __init__(self, pins: PinnedAddresses, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PinnedBackend(pins),
        )


# -- politeness ------------------------------------------------------------------------------


class _HostGate:
    """Per-host concurrency and minimum spacing between request starts."""

    def __init__(self, connections: int, delay: float) -> None:
        self.semaphore = asyncio.Semaphore(max(1, connections))
        self.delay = delay
        self._lock = asyncio.Lock()
        self._next_start = 0.0

    async def wait_turn(self) -> None:
        if self.delay <= 0:
            return
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.delay
        if start > now:
            await asyncio.sleep(start - now)


@dataclass
class _RobotsVerdict:
    parser: RobotFileParser | None = None
    error: FetchError | None = None


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
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, _RobotsVerdict] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._cached_urls: set[str] = set()
        self._down: dict[str, str] = {}  # host:port -> why it cannot be reached this run
        self._shared: dict[str, asyncio.Future[FetchResult]] = {}

    # context management

    async def __aenter__(self) -> Self:
        s = self.settings
        limits = httpx.Limits(max_connections=s.max_connections,
                              max_keepalive_connections=s.max_connections)
        self._client = httpx.AsyncClient(
            transport=_PinnedTransport(self._pins, limits),
            timeout=httpx.Timeout(connect=s.connect_timeout, read=s.read_timeout,
                                  write=s.read_timeout, pool=s.total_timeout),
            headers={"User-Agent": self.user_agent},
            follow_redirects=False,
            trust_env=False,
        )
        if self.log.store is not None:
            await asyncio.to_thread(self.log.store.migrate)
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
        current = url
        visited = {url}
        origin = self._origin(url)
        for _hop in range(self.settings.max_redirects + 1):
            checked = await self._check(current, backend)
            if robots and self.settings.respect_robots and backend != "robots":
                await self._check_robots(checked, backend)
            headers = dict(extra_headers or {}) if self._origin(current) == origin else {}
            if accept:
                headers["Accept"] = accept
            response = await self._request(checked, backend, headers)
            if response.status in _REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise HTTPStatusError(
                        f"{redact_url(current)} answered {response.status} without a Location: "
                        "the site is broken; try again later", response.status)
                nxt = urljoin(current, location.strip())
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

    def _gate(self, host_port: str, host: str) -> _HostGate:
        gate = self._gates.get(host_port)
        if gate is None:
            delay = self.settings.per_host_delays.get(host, self.settings.per_host_delay)
            gate = self._gates[host_port] = _HostGate(self.settings.per_host_connections, delay)
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
                    media = _media_type(content_type)
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
        key = f"{checked.scheme}://{checked.host}:{checked.port}"
        verdict = self._robots.get(key)
        if verdict is None:
            lock = self._robots_locks.setdefault(key, asyncio.Lock())
            async with lock:
                verdict = self._robots.get(key)
                if verdict is None:
                    verdict = self._robots[key] = await self._load_robots(checked)
        if verdict.error is not None:
            await self._refuse(checked.url, checked.host_port, backend, "robots_unreachable", verdict.error)
            raise FetchError(str(verdict.error))
        assert verdict.parser is not None
        if not verdict.parser.can_fetch(USER_AGENT_TOKEN, checked.url):
            exc = RefusedURLError(
                f"refused {redact_url(checked.url)}: robots.txt of {checked.host_port} disallows it "
                "for claims; drop the URL, or set http.respect_robots=false if the site allows you")
            await self._refuse(checked.url, checked.host_port, backend, "robots_disallowed", exc)
            raise exc

    async def _load_robots(self, checked: CheckedURL) -> _RobotsVerdict:
        host = f"[{checked.host}]" if ":" in checked.host else checked.host
        default_port = 443 if checked.scheme == "https" else 80
        netloc = host if checked.port == default_port else f"{host}:{checked.port}"
        robots_url = f"{checked.scheme}://{netloc}/robots.txt"
        parser = RobotFileParser(robots_url)
        try:
            result = await self._fetch(robots_url, backend="robots")
        except HTTPStatusError as exc:
            if 400 <= exc.status < 500:
                parser.parse([])  # RFC 9309: robots.txt unavailable -> everything allowed
                return _RobotsVerdict(parser=parser)
            parser.parse(["User-agent: *", "Disallow: /"])  # unreachable (5xx) -> disallow all
            return _RobotsVerdict(parser=parser)
        except FetchError as exc:
            return _RobotsVerdict(error=FetchError(
                f"{checked.host_port} is unreachable (robots.txt: {exc}); check the network or the URL"))
        lines = result.text.splitlines() if not result.truncated else result.text[:500_000].splitlines()
        parser.parse(lines)
        delay = parser.crawl_delay(USER_AGENT_TOKEN)
        if delay:
            gate = self._gate(checked.host_port, checked.host)
            gate.delay = max(gate.delay, min(float(delay), self.settings.retry_after_max))
        return _RobotsVerdict(parser=parser)
