"""The shared fetcher against a real HTTP server on 127.0.0.1 that injects faults.

Every case runs a real URL-list backend through the registry (``build_backends`` +
``gather_all``) over a faulty URL *and* a good control page, then asserts what the
``fetches`` table recorded and that the control page still became a document.
Traffic stays on 127.0.0.1: the only hosts used are the test servers' own ports.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from claims.errors import FetchError, InputError, RefusedURLError
from claims.settings import HttpSettings, Settings
from claims.sources import SourceRequest, SourceResult, build_backends, gather_all
from claims.sources.html import fetch_document
from claims.sources.http import Fetcher
from claims.store import Store

ARTICLE = (
    "<html><head><title>{title}</title><meta name='author' content='Jane Reporter'>"
    "<meta property='og:site_name' content='Loopback News'>"
    "<meta property='article:published_time' content='2024-10-22'></head>"
    "<body><nav>Home | World</nav><article><h1>{title}</h1>"
    "<p>{body} South Korea's spy agency said on Tuesday that North Korea had sent about "
    "3,000 soldiers to Russia, and that more were expected to follow in the coming weeks.</p>"
    "<p>Officials in Seoul said the troops were being trained at bases in the Russian far east "
    "before any deployment near the border with Ukraine.</p></article></body></html>"
)


def article(title: str, body: str = "") -> str:
    return ARTICLE.format(title=title, body=body)


def _server() -> HTTPServer:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    return server


@dataclass
class Web:
    server: HTTPServer
    forbidden: HTTPServer  # a loopback port the settings do NOT allow
    store: Store
    settings: Settings

    def url(self, path: str) -> str:
        return self.server.url_for(path)

    def paths(self, server: HTTPServer | None = None) -> list[str]:
        return [request.path for request, _ in (server or self.server).log]

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with self.store.connect(read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def fetch_rows(self, url: str) -> list[tuple[Any, ...]]:
        """(attempt, status, error_class, bytes, truncated, from_cache) per recorded try of url."""
        return self.rows(
            "SELECT attempt, status, error_class, bytes, truncated, from_cache FROM fetches "
            "WHERE url = ? ORDER BY fetched_at, attempt", [url])

    def run_urls(self, urls: list[str], **http: Any) -> SourceResult:
        settings = self.settings.model_copy(deep=True)
        settings.sources.urls.enabled = True
        settings.sources.urls.urls = urls
        for key, value in http.items():
            setattr(settings.http, key, value)

        async def go() -> SourceResult:
            async with Fetcher(settings.http, self.store, run_id="test-run") as fetcher:
                return await gather_all([SourceRequest(claim_text="c")], build_backends(settings, fetcher))

        return asyncio.run(go())


def test_settings(port: int, **overrides: Any) -> Settings:
    http = HttpSettings(
        connect_timeout=1.0, read_timeout=0.5, total_timeout=3.0, retries=2, backoff_base=0.05,
        backoff_max=0.2, retry_after_max=5.0, max_body_bytes=50_000, max_redirects=4,
        per_host_delays={}, allow_private_hosts=[f"127.0.0.1:{port}"], **overrides,
    )
    settings = Settings(http=http)
    settings.sources.corpus.enabled = False
    return settings


test_settings.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    server, forbidden = _server(), _server()
    server.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.expect_request("/good").respond_with_data(article("Control page"), content_type="text/html")
    forbidden.expect_request("/secret").respond_with_data("internal", content_type="text/plain")
    store = Store(tmp_path / "claims.duckdb")
    store.migrate()
    try:
        yield Web(server, forbidden, store, test_settings(server.port))
    finally:
        server.clear()
        server.stop()
        forbidden.stop()


def control_ok(web: Web, result: SourceResult) -> None:
    """The run's other source was still processed: the control page is a document."""
    assert any(d.title == "Control page" for d in result.documents), result.errors
    assert web.fetch_rows(web.url("/good")) == [(1, 200, None, web.fetch_rows(web.url("/good"))[0][3], False, False)]


# -- the fault cases -------------------------------------------------------------------------


def test_slow_endpoint_times_out_and_is_retried(web: Web) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.2)
        return Response(article("Too late"), content_type="text/html")

    web.server.expect_request("/slow").respond_with_handler(slow)
    result = web.run_urls([web.url("/slow"), web.url("/good")])
    rows = web.fetch_rows(web.url("/slow"))
    assert [(r[0], r[1], r[2]) for r in rows] == [(1, None, "timeout"), (2, None, "timeout"), (3, None, "timeout")]
    assert not any(d.title == "Too late" for d in result.documents)
    assert any("/slow" in e.target and "3 attempts" in e.error for e in result.errors)
    control_ok(web, result)


def test_500_then_200_is_retried_and_succeeds(web: Web) -> None:
    calls = {"n": 0}

    def flaky(request: Request) -> Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return Response("busy", status=500, content_type="text/plain")
        return Response(article("Second time lucky"), content_type="text/html")

    web.server.expect_request("/flaky").respond_with_handler(flaky)
    result = web.run_urls([web.url("/flaky"), web.url("/good")])
    rows = web.fetch_rows(web.url("/flaky"))
    assert [(r[0], r[1], r[2]) for r in rows] == [(1, 500, "http_status"), (2, 200, None)]
    assert any(d.title == "Second time lucky" for d in result.documents)
    control_ok(web, result)


def test_429_with_retry_after_waits_then_succeeds(web: Web) -> None:
    calls = {"n": 0}

    def limited(request: Request) -> Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"}, content_type="text/plain")
        return Response(article("After waiting"), content_type="text/html")

    web.server.expect_request("/limited").respond_with_handler(limited)
    result = web.run_urls([web.url("/limited"), web.url("/good")])
    rows = web.rows("SELECT attempt, status, error_class, fetched_at, duration_ms FROM fetches "
                    "WHERE url = ? ORDER BY attempt", [web.url("/limited")])
    assert [(r[0], r[1], r[2]) for r in rows] == [(1, 429, "http_status"), (2, 200, None)]
    # The backoff cap is 0.2 s, so a gap of a second can only come from Retry-After.
    first_end = rows[0][3].timestamp() + rows[0][4] / 1000
    assert rows[1][3].timestamp() - first_end >= 0.9
    assert any(d.title == "After waiting" for d in result.documents)
    control_ok(web, result)


def test_404_is_not_retried(web: Web) -> None:
    web.server.expect_request("/missing").respond_with_data("nope", status=404, content_type="text/plain")
    result = web.run_urls([web.url("/missing"), web.url("/good")])
    assert [(r[0], r[1], r[2]) for r in web.fetch_rows(web.url("/missing"))] == [(1, 404, "http_status")]
    assert web.paths().count("/missing") == 1
    assert any("404" in e.error and "does not exist" in e.error for e in result.errors)
    control_ok(web, result)


def test_body_over_the_cap_is_cut_and_recorded(web: Web) -> None:
    filler = "".join(f"<p>Paragraph {i}: the ministry repeated its call for restraint.</p>" for i in range(3000))
    big = article("Huge page", body="") .replace("</article>", filler + "<p>TAILMARKER</p></article>")
    assert len(big.encode()) > 150_000
    web.server.expect_request("/huge").respond_with_data(big, content_type="text/html; charset=utf-8")
    result = web.run_urls([web.url("/huge"), web.url("/good")])
    rows = web.fetch_rows(web.url("/huge"))
    assert rows == [(1, 200, None, 50_000, True, False)]
    huge = [d for d in result.documents if d.title == "Huge page"]
    assert huge and "TAILMARKER" not in huge[0].text
    control_ok(web, result)


def test_binary_content_type_is_refused(web: Web) -> None:
    web.server.expect_request("/image.png").respond_with_data(b"\x89PNG\r\n\x1a\n" + bytes(2000),
                                                             content_type="image/png")
    result = web.run_urls([web.url("/image.png"), web.url("/good")])
    rows = web.rows("SELECT status, error_class, bytes, content_type FROM fetches WHERE url = ?",
                    [web.url("/image.png")])
    assert rows == [(200, "content_type", 0, "image/png")]
    assert any("image/png is not text" in e.error for e in result.errors)
    control_ok(web, result)


def test_malformed_html_is_extracted_and_an_empty_page_is_recorded_as_such(web: Web) -> None:
    broken = ("<html><head><title>Broken markup</title><body><div><p>Pyongyang has sent troops, <b>officials "
              "<i>said</p></div><table><tr><td>The defence ministry in Seoul said on Friday that 1,500 "
              "special forces soldiers had already left for Vladivostok by ship.<td></tr><p>More text "
              "<<<>>> & stray ampersands & unclosed <span attributes=\"x")
    web.server.expect_request("/broken").respond_with_data(broken, content_type="text/html")
    web.server.expect_request("/empty").respond_with_data("<html><body><script>app()</script></body></html>",
                                                         content_type="text/html")
    result = web.run_urls([web.url("/broken"), web.url("/empty"), web.url("/good")])
    broken_docs = [d for d in result.documents if d.url == web.url("/broken")]
    assert broken_docs and "1,500 special forces soldiers" in broken_docs[0].text
    assert not any(d.url == web.url("/empty") for d in result.documents)
    rows = web.rows("SELECT attempt, status, error_class FROM fetches WHERE url = ? ORDER BY attempt DESC",
                    [web.url("/empty")])
    assert rows == [(1, 200, None), (0, None, "no_text")]
    with web.store.connect(read_only=True) as con:  # nothing empty was stored anywhere
        assert con.execute("SELECT count(*) FROM documents WHERE url = ?", [web.url("/empty")]).fetchall() == [(0,)]
    control_ok(web, result)


def test_windows_1252_page_without_charset_header_is_decoded(web: Web) -> None:
    text = ("<html><head><title>Défilé à Pyongyang</title></head><body><article><p>Selon l’armée, "
            "« 8 000 » soldats — peut-être plus — étaient déjà là, près de la frontière. Coût estimé : "
            "5 millions d’€ par mois. Naïve déjà-vu café crème.</p></article></body></html>")
    web.server.expect_request("/cp1252").respond_with_data(text.encode("cp1252"), content_type="text/html")
    result = web.run_urls([web.url("/cp1252"), web.url("/good")])
    rows = web.rows("SELECT status, content_type FROM fetches WHERE url = ?", [web.url("/cp1252")])
    assert rows == [(200, "text/html")]  # no charset was declared anywhere
    doc = next(d for d in result.documents if d.url == web.url("/cp1252"))
    assert "« 8 000 » soldats — peut-être plus" in doc.text
    assert "d’€" in doc.text and "café crème" in doc.text
    control_ok(web, result)


def test_redirect_loop_is_stopped(web: Web) -> None:
    web.server.expect_request("/loop/a").respond_with_response(Response(status=302, headers={"Location": "/loop/b"}))
    web.server.expect_request("/loop/b").respond_with_response(Response(status=302, headers={"Location": "/loop/a"}))
    result = web.run_urls([web.url("/loop/a"), web.url("/good")])
    rows = web.rows("SELECT url, attempt, status, error_class FROM fetches WHERE url LIKE '%/loop/%' "
                    "ORDER BY fetched_at, attempt DESC")
    assert rows == [(web.url("/loop/a"), 1, 302, None), (web.url("/loop/b"), 1, 302, None),
                    (web.url("/loop/a"), 0, None, "redirect_loop")]
    assert web.paths().count("/loop/a") == 1
    assert any("redirect loop" in e.error for e in result.errors)
    control_ok(web, result)


def test_too_many_redirects_are_stopped(web: Web) -> None:
    for i in range(10):
        web.server.expect_request(f"/hop/{i}").respond_with_response(
            Response(status=301, headers={"Location": f"/hop/{i + 1}"}))
    result = web.run_urls([web.url("/hop/0"), web.url("/good")])
    hops = [p for p in web.paths() if p.startswith("/hop/")]
    assert hops == [f"/hop/{i}" for i in range(5)]  # the first request plus max_redirects=4
    assert web.rows("SELECT count(*) FROM fetches WHERE error_class = 'too_many_redirects'")[0][0] == 1
    assert any("too many redirects" in e.error for e in result.errors)
    control_ok(web, result)


def test_robots_disallow_is_honoured_and_cached_per_host(web: Web) -> None:
    web.server.expect_request("/private/page").respond_with_data(article("Hidden"), content_type="text/html")
    web.server.expect_request("/other").respond_with_data(article("Other page"), content_type="text/html")
    result = web.run_urls([web.url("/private/page"), web.url("/other"), web.url("/good")])
    assert web.fetch_rows(web.url("/private/page")) == [(0, None, "robots_disallowed", 0, False, False)]
    assert "/private/page" not in web.paths()
    assert web.paths().count("/robots.txt") == 1  # read once for the host, not once per page
    ua = [r.headers.get("User-Agent") or "" for r, _ in web.server.log]
    assert all(u.startswith("claims/") and web.settings.http.contact in u for u in ua)
    assert any(d.title == "Other page" for d in result.documents)
    control_ok(web, result)


@pytest.mark.parametrize("validator", ["etag", "last-modified"])
def test_unchanged_page_is_not_downloaded_again(web: Web, validator: str) -> None:
    page = article("Cached page")
    stamp = "Tue, 22 Oct 2024 08:00:00 GMT"

    def conditional(request: Request) -> Response:
        if validator == "etag" and request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        if validator == "last-modified" and request.headers.get("If-Modified-Since") == stamp:
            return Response(status=304)
        headers = {"ETag": '"v1"'} if validator == "etag" else {"Last-Modified": stamp}
        return Response(page, headers=headers, content_type="text/html; charset=utf-8")

    web.server.expect_request("/cached").respond_with_handler(conditional)
    first = web.run_urls([web.url("/cached"), web.url("/good")])
    second = web.run_urls([web.url("/cached"), web.url("/good")])
    rows = web.fetch_rows(web.url("/cached"))
    assert [(r[1], r[5]) for r in rows] == [(200, False), (304, True)]
    assert rows[0][3] == len(page.encode()) and rows[1][3] == 0  # the second run downloaded no body
    doc1 = next(d for d in first.documents if d.title == "Cached page")
    doc2 = next(d for d in second.documents if d.title == "Cached page")
    assert doc1.text == doc2.text and doc1.id == doc2.id
    control_ok_twice = web.fetch_rows(web.url("/good"))
    assert [r[1] for r in control_ok_twice] == [200, 200]
    assert any(d.title == "Control page" for d in second.documents)


# -- safety ----------------------------------------------------------------------------------


def test_loopback_url_and_redirect_to_a_port_not_allowed_are_refused(web: Web) -> None:
    secret = f"http://127.0.0.1:{web.forbidden.port}/secret"
    web.server.expect_request("/to-secret").respond_with_response(Response(status=302, headers={"Location": secret}))
    named = f"http://localhost:{web.server.port}/good"  # an allowed port, but under a name not listed
    result = web.run_urls([secret, web.url("/to-secret"), named, "file:///etc/passwd", web.url("/good")])
    assert web.forbidden.log == []  # the server on the refused port saw no request at all
    refused = web.rows("SELECT url, attempt, status, error_class FROM fetches WHERE error_class = 'refused' "
                       "ORDER BY url")
    assert sorted(refused) == sorted([
        (secret, 0, None, "refused"), (secret, 0, None, "refused"),
        (named, 0, None, "refused"), ("file:///etc/passwd", 0, None, "refused"),
    ])
    assert web.fetch_rows(web.url("/to-secret"))[0][:3] == (1, 302, None)
    messages = " ".join(e.error for e in result.errors)
    assert "a non-public address (loopback)" in messages and "allow_private_hosts" in messages
    assert "scheme 'file' is not allowed" in messages
    control_ok(web, result)


def test_check_url_on_a_refused_url_raises_one_line_and_sends_nothing(web: Web) -> None:
    secret = f"http://127.0.0.1:{web.forbidden.port}/secret"

    async def go() -> None:
        async with Fetcher(web.settings.http, web.store) as fetcher:
            with pytest.raises(RefusedURLError) as refused:
                await fetch_document(fetcher, secret, source_kind="input")
            assert "\n" not in str(refused.value) and "non-public address (loopback)" in str(refused.value)
            with pytest.raises(InputError, match="no extractable article text"):
                web.server.expect_request("/blank").respond_with_data("<html><body></body></html>",
                                                                     content_type="text/html")
                await fetch_document(fetcher, web.url("/blank"), source_kind="input")
            doc = await fetch_document(fetcher, web.url("/good"), source_kind="input")
            assert doc.title == "Control page" and doc.author == "Jane Reporter"
            assert doc.outlet == "Loopback News" and doc.published_at is not None
            assert doc.published_at.date().isoformat() == "2024-10-22"

    asyncio.run(go())
    assert web.forbidden.log == []


def test_per_host_limits_and_delay_are_respected(web: Web) -> None:
    active = {"now": 0, "peak": 0}
    starts: list[float] = []
    lock = threading.Lock()

    def tracked(request: Request) -> Response:
        with lock:
            active["now"] += 1
            active["peak"] = max(active["peak"], active["now"])
            starts.append(time.monotonic())
        time.sleep(0.05)
        with lock:
            active["now"] -= 1
        return Response(article(f"Page {request.path}"), content_type="text/html")

    for i in range(8):
        web.server.expect_request(f"/p/{i}").respond_with_handler(tracked)
    result = web.run_urls([web.url(f"/p/{i}") for i in range(8)] + [web.url("/good")],
                          per_host_connections=2, per_host_delay=0.1)
    assert active["peak"] <= 2
    gaps = [b - a for a, b in zip(sorted(starts), sorted(starts)[1:])]
    assert min(gaps) >= 0.05  # starts spaced by per_host_delay (0.1 s), allowing for scheduling slack
    assert sum(1 for d in result.documents if (d.title or "").startswith("Page /p/")) == 8
    control_ok(web, result)


def test_unreachable_host_is_recorded_and_skipped_for_the_rest_of_the_run(web: Web) -> None:
    closed = _server()
    port = closed.port
    closed.stop()  # nothing listens there any more
    settings_hosts = [*web.settings.http.allow_private_hosts, f"127.0.0.1:{port}"]
    urls = [f"http://127.0.0.1:{port}/a", f"http://127.0.0.1:{port}/b", web.url("/good")]
    result = web.run_urls(urls, allow_private_hosts=settings_hosts)
    robots = web.rows("SELECT attempt, error_class FROM fetches WHERE url = ? ORDER BY attempt",
                      [f"http://127.0.0.1:{port}/robots.txt"])
    assert robots == [(1, "connect_error"), (2, "connect_error"), (3, "connect_error")]
    skipped = web.rows("SELECT error_class FROM fetches WHERE url IN (?, ?)", urls[:2])
    assert sorted(skipped) == [("robots_unreachable",), ("robots_unreachable",)]
    assert len([e for e in result.errors if str(port) in e.target]) == 2
    control_ok(web, result)


def test_fetch_errors_are_one_line_and_say_what_to_do(web: Web) -> None:
    async def go() -> list[str]:
        messages = []
        async with Fetcher(web.settings.http, web.store) as fetcher:
            for url in ("gopher://127.0.0.1/x", web.url("/nothing-here"), "http://[::1/"):
                with pytest.raises(FetchError) as caught:
                    await fetcher.fetch(url)
                messages.append(str(caught.value))
        return messages

    web.server.expect_request("/nothing-here").respond_with_data("", status=410)
    messages = asyncio.run(go())
    assert all("\n" not in m for m in messages)
    assert "only http and https" in messages[0]
    assert "410" in messages[1] and "drop the URL" in messages[1]
    assert "not a valid URL" in messages[2]
