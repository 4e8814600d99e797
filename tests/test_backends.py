"""Every web backend against a real HTTP server on 127.0.0.1 answering in each service's
documented response format (MediaWiki action API with formatversion=2, SearxNG's
``format=json``, GDELT DOC 2.0 ``ArtList``, Google Fact Check Tools ``claims:search``,
RSS 2.0 and Atom), with broken parts mixed in. The backends run through the registry
(``build_backends`` + ``gather_all``) next to the local corpus, as the pipeline runs them.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from claims.settings import HttpSettings, Settings
from claims.sources import SourceRequest, SourceResult, build_backends, gather_all
from claims.sources.feeds import read_feed
from claims.sources.http import Fetcher
from claims.store import Store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "examples" / "corpus"
API_KEY = "AIzaTEST-not-a-real-key-9f8e7d"
QUERIES = ("8,000 North Korean soldiers Russia", "North Korean soldiers Russia")
REQUEST = SourceRequest(claim_id="c1", claim_text="North Korea sent 8,000 soldiers to Russia.",
                        queries=QUERIES, claim_date=date(2024, 10, 22))


def page(title: str, sentence: str) -> str:
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{sentence} "
            "Officials in Seoul said the troops were being trained at bases in the Russian far east "
            "before any deployment near the border with Ukraine.</p></article></body></html>")


def rss(base: str, forbidden: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Loopback Wire</title><link>{base}/</link><description>News</description>
<item><title>Good one</title><link>{base}/news/1?utm_source=rss&amp;utm_medium=feed</link>
  <pubDate>Tue, 22 Oct 2024 09:00:00 GMT</pubDate><guid>n1</guid><description>First</description></item>
<item><title>No link at all</title><pubDate>Tue, 22 Oct 2024 10:00:00 GMT</pubDate></item>
<item><title>Script link</title><link>javascript:alert(1)</link></item>
<item><title>Internal host</title><link>{forbidden}/admin</link></item>
<item><title>Gone</title><link>{base}/news/404</link></item>
<item><title>Bad date, relative link</title><link>/news/2</link><pubDate>not a date</pubDate></item>
<item><title>Duplicate of one</title><link>{base}/news/1#comments</link></item>
<item><title>Unclosed <b>markup</title><link>{base}/news/3</link><description>&amp; broken &lt;p</description></item>
</channel></rss>"""


def atom(base: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Loopback Atom</title><id>urn:x</id>
<updated>2024-10-23T12:00:00Z</updated>
<entry><title>Atom story</title><link href="{base}/news/atom1"/><id>urn:a1</id>
  <updated>2024-10-23T12:00:00Z</updated><summary>Atom summary</summary></entry>
<entry><title>Atom without link</title><id>urn:a2</id><updated>2024-10-23T13:00:00Z</updated></entry>
</feed>"""


def wikipedia_api(request: Request) -> Response:
    args = request.args
    if args.get("format") != "json" or args.get("action") != "query":
        return Response(json.dumps({"error": {"code": "badparams", "info": "bad"}}), content_type="application/json")
    if args.get("list") == "search":
        body: dict[str, Any]
        if not args.get("srsearch"):
            body = {"error": {"code": "nosrsearch", "info": 'The "srsearch" parameter must be set.'},
                    "servedby": "mw-test"}
        else:
            body = {"batchcomplete": True, "continue": {"sroffset": 2, "continue": "-||"},
                    "query": {"searchinfo": {"totalhits": 512}, "search": [
                        {"ns": 0, "title": "North Korea–Russia relations", "pageid": 3402365},
                        {"ns": 0, "title": "Korean People's Army", "pageid": 17158},
                    ]}}
        return Response(json.dumps(body), content_type="application/json; charset=utf-8")
    if args.get("prop") == "extracts|info" and args.get("explaintext") == "1":
        title = args.get("titles", "")
        extract = (f"{title} is a subject covered by this encyclopedia. In October 2024 South Korea's "
                   "National Intelligence Service said North Korea had sent 1,500 special forces to Russia.")
        body = {"batchcomplete": True, "query": {"pages": [{
            "pageid": 3402365, "ns": 0, "title": title, "contentmodel": "wikitext", "pagelanguage": "en",
            "touched": "2024-11-20T10:00:00Z", "lastrevid": 1255, "length": 5000,
            "fullurl": f"https://en.wikipedia.org/wiki/{title.replace(' ', '_')}",
            "canonicalurl": f"https://en.wikipedia.org/wiki/{title.replace(' ', '_')}", "extract": extract}]}}
        return Response(json.dumps(body), content_type="application/json; charset=utf-8")
    return Response(json.dumps({"batchcomplete": True}), content_type="application/json")


def factcheck_api(request: Request) -> Response:
    body: dict[str, Any]
    if request.headers.get("X-Goog-Api-Key") != API_KEY:
        body = {"error": {"code": 403, "message": "The request is missing a valid API key.",
                          "status": "PERMISSION_DENIED"}}
        return Response(json.dumps(body), status=403, content_type="application/json; charset=UTF-8")
    body = {"claims": [{
        "text": "North Korea has sent 8,000 troops to Russia's border with Ukraine",
        "claimant": "Social media posts", "claimDate": "2024-10-20T00:00:00Z",
        "claimReview": [{"publisher": {"name": "Loopback Check", "site": "check.example"},
                         "url": "https://check.example/2024/10/22/troops/", "title": "No evidence for 8,000 figure",
                         "reviewDate": "2024-10-22T00:00:00Z", "textualRating": "Unproven", "languageCode": "en"}],
    }, {"text": "Claim without a rating", "claimReview": [{"publisher": {"name": "X"}, "url": "https://x.example/"}]}],
        "nextPageToken": "CAE"}
    return Response(json.dumps(body), content_type="application/json; charset=UTF-8")


@dataclass
class Services:
    server: HTTPServer
    forbidden: HTTPServer
    store: Store
    settings: Settings
    gdelt_requests: list[dict[str, str]]

    def url(self, path: str) -> str:
        return self.server.url_for(path).rstrip("/") if path == "" else self.server.url_for(path)

    def run(self, settings: Settings | None = None, request: SourceRequest = REQUEST,
            requests: list[SourceRequest] | None = None) -> SourceResult:
        settings = settings or self.settings

        async def go() -> SourceResult:
            async with Fetcher(settings.http, self.store, run_id="backends") as fetcher:
                return await gather_all(requests or [request], build_backends(settings, fetcher))

        return asyncio.run(go())

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with self.store.connect(read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def _server() -> HTTPServer:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    return server


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    server, forbidden = _server(), _server()
    base = f"http://127.0.0.1:{server.port}"
    gdelt_requests: list[dict[str, str]] = []

    def gdelt_api(request: Request) -> Response:
        gdelt_requests.append(dict(request.args))
        if request.args.get("mode") != "ArtList" or request.args.get("format") != "json":
            return Response("Invalid mode.", content_type="text/html")
        body = {"articles": [
            {"url": f"{base}/news/g1", "url_mobile": "", "title": "GDELT: troops seen in Vladivostok",
             "seendate": "20241021T091500Z", "socialimage": "", "domain": "wire.example",
             "language": "English", "sourcecountry": "United States"},
            {"url": f"http://127.0.0.1:{forbidden.port}/internal", "url_mobile": "", "title": "internal",
             "seendate": "20241021T101500Z", "socialimage": "", "domain": "internal", "language": "English",
             "sourcecountry": ""},
        ]}
        return Response(json.dumps(body), content_type="application/json; charset=utf-8")

    def searxng_api(request: Request) -> Response:
        if request.args.get("format") != "json":
            return Response("<html>html results</html>", content_type="text/html")
        results = [{"url": f"{base}/news/s{i}", "title": f"Result {i}", "content": "snippet",
                    "engine": "duckduckgo", "parsed_url": ["http", f"127.0.0.1:{server.port}", f"/news/s{i}", "", "", ""],
                    "template": "default.html", "engines": ["duckduckgo"], "positions": [i], "publishedDate": None,
                    "score": 1.0 / i, "category": "general"} for i in (1, 2)]
        body = {"query": request.args.get("q"), "number_of_results": 0, "results": results, "answers": [],
                "corrections": [], "infoboxes": [], "suggestions": [], "unresponsive_engines": []}
        return Response(json.dumps(body), content_type="application/json")

    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /w/\n", content_type="text/plain")
    server.expect_request("/feed.xml").respond_with_data(rss(base, f"http://127.0.0.1:{forbidden.port}"),
                                                         content_type="application/rss+xml")
    server.expect_request("/atom.xml").respond_with_data(atom(base), content_type="application/atom+xml")
    server.expect_request("/news/404").respond_with_data("gone", status=404, content_type="text/plain")
    for name, sentence in {
        "1": "South Korea said North Korea had sent 1,500 soldiers to Russia.",
        "2": "A second report put the figure at 3,000 soldiers by late October.",
        "3": "A third outlet cited 10,000 troops expected by December.",
        "atom1": "The Pentagon said about 10,000 North Korean troops were in eastern Russia.",
        "g1": "Satellite images showed North Korean troops arriving in Vladivostok.",
        "s1": "NATO confirmed North Korean units had been deployed to the Kursk region.",
        "s2": "Ukraine's intelligence agency said 11,000 North Korean soldiers were in Kursk.",
    }.items():
        server.expect_request(f"/news/{name}").respond_with_data(page(f"Story {name}", sentence),
                                                               content_type="text/html; charset=utf-8")
    server.expect_request("/w/api.php").respond_with_handler(wikipedia_api)
    server.expect_request("/searx/search").respond_with_handler(searxng_api)
    server.expect_request("/api/v2/doc/doc").respond_with_handler(gdelt_api)
    server.expect_request("/v1alpha1/claims:search").respond_with_handler(factcheck_api)

    http = HttpSettings(connect_timeout=1.0, read_timeout=1.0, total_timeout=3.0, retries=1, backoff_base=0.05,
                        backoff_max=0.1, per_host_delays={}, allow_private_hosts=[f"127.0.0.1:{server.port}"])
    settings = Settings(http=http)
    src = settings.sources
    src.corpus.enabled, src.corpus.path = True, CORPUS
    src.feeds.enabled, src.feeds.feeds = True, [f"{base}/feed.xml", f"{base}/atom.xml"]
    src.urls.enabled, src.urls.urls = True, [f"{base}/news/1?utm_campaign=x", f"{base}/news/2"]
    src.wikipedia.enabled, src.wikipedia.base_url, src.wikipedia.max_results = True, f"{base}/w/api.php", 2
    src.searxng.enabled, src.searxng.base_url = True, f"{base}/searx"
    src.gdelt.enabled, src.gdelt.base_url = True, f"{base}/api/v2/doc/doc"
    src.factcheck.enabled, src.factcheck.base_url = True, f"{base}/v1alpha1/claims:search"
    src.factcheck.api_key = SecretStr(API_KEY)
    store = Store(tmp_path / "claims.duckdb")
    store.migrate()
    try:
        yield Services(server, forbidden, store, settings, gdelt_requests)
    finally:
        server.clear()
        server.stop()
        forbidden.stop()


def only(settings: Settings, *names: str) -> Settings:
    """A copy with just these backends on."""
    copy = settings.model_copy(deep=True)
    for name in ("corpus", "urls", "feeds", "wikipedia", "searxng", "gdelt", "factcheck"):
        getattr(copy.sources, name).enabled = name in names
    return copy


def kinds(result: SourceResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for d in result.documents:
        counts[d.source_kind] = counts.get(d.source_kind, 0) + 1
    return counts


def test_every_backend_together_with_the_corpus(services: Services) -> None:
    result = services.run()
    counts = kinds(result)
    corpus_files = len([p for p in CORPUS.rglob("*") if p.suffix in (".md", ".txt")])
    assert counts["corpus"] == corpus_files
    assert counts["wikipedia"] == 2 and counts["searxng"] == 2 and counts["factcheck"] == 1
    assert counts["gdelt"] == 1  # the internal-host result was refused
    # The URL list (/news/1?utm_campaign=x, /news/2) overlaps the RSS feed (/news/1?utm_source=rss,
    # /news/2, /news/3) and the Atom feed (atom1): each page fetched once, kept once.
    assert counts["url"] == 2 and counts["feed"] == 2
    assert [r.path for r, _ in services.server.log].count("/news/1") == 1
    urls = [d.url for d in result.documents if d.url]
    assert len(urls) == len(set(urls))
    assert services.forbidden.log == []
    backends = {row[0] for row in services.rows("SELECT DISTINCT backend FROM fetches")}
    assert backends == {"robots", "feeds", "urls", "wikipedia", "searxng", "gdelt", "factcheck"}


def test_feed_with_broken_entries_keeps_the_good_ones(services: Services) -> None:
    result = services.run(only(services.settings, "feeds"))
    docs = {d.url: d for d in result.documents}
    base = services.url("/news/")
    assert set(docs) == {f"{base}1", f"{base}2", f"{base}3", f"{base}atom1"}
    first = docs[f"{base}1"]
    assert first.source_kind == "feed" and first.published_at is not None
    assert first.published_at.isoformat() == "2024-10-22T09:00:00"  # the page had no date: the entry's
    errors = " | ".join(f"{e.target}: {e.error}" for e in result.errors)
    assert "entry 2 has no link" in errors and "non-http URL (javascript:)" in errors
    assert "skipped entry 2" in errors.split("atom.xml")[-1]  # the Atom entry without a link
    assert "a non-public address (loopback)" in errors and "404" in errors
    assert services.forbidden.log == []
    rows = services.rows("SELECT url, status, error_class FROM fetches WHERE backend = 'feeds' "
                         "AND (error_class IS NOT NULL OR status <> 200) ORDER BY url")
    assert sorted(rows) == sorted([(f"http://127.0.0.1:{services.forbidden.port}/admin", None, "refused"),
                                   (f"{base}404", 404, "http_status")])


def test_read_feed_returns_usable_entries(services: Services) -> None:
    async def go() -> list[Any]:
        async with Fetcher(services.settings.http, services.store) as fetcher:
            return await read_feed(fetcher, services.url("/feed.xml"))

    entries = asyncio.run(go())
    base = services.url("/news/")
    assert [e.url for e in entries] == [f"{base}1", f"http://127.0.0.1:{services.forbidden.port}/admin",
                                        f"{base}404", f"{base}2", f"{base}3"]
    assert entries[0].title == "Good one" and entries[0].published is not None
    assert entries[3].published is None  # "not a date" is dropped, the entry kept
    assert services.forbidden.log == []  # reading a feed does not fetch its links


def test_wikipedia_search_then_plain_text_extracts(services: Services) -> None:
    result = services.run(only(services.settings, "wikipedia"))
    titles = sorted(d.title or "" for d in result.documents)
    assert titles == ["Korean People's Army", "North Korea–Russia relations"]
    doc = next(d for d in result.documents if d.title == "North Korea–Russia relations")
    assert doc.url == "https://en.wikipedia.org/wiki/North_Korea–Russia_relations"
    assert "1,500 special forces" in doc.text and doc.outlet == "Wikipedia (en)"
    api = [r for r, _ in services.server.log if r.path == "/w/api.php"]
    searches = [r.args for r in api if r.args.get("list") == "search"]
    assert [s["srsearch"] for s in searches] == list(QUERIES)  # both queries, each asked once
    assert "/robots.txt" not in [r.path for r, _ in services.server.log]  # APIs are not crawled
    assert not result.errors


def test_searxng_results_are_fetched_and_a_disabled_json_format_is_explained(services: Services) -> None:
    result = services.run(only(services.settings, "searxng"))
    assert sorted(d.title or "" for d in result.documents) == ["Story s1", "Story s2"]
    hits = [r.args for r, _ in services.server.log if r.path == "/searx/search"]
    assert {h["format"] for h in hits} == {"json"} and [h["q"] for h in hits] == list(QUERIES)

    services.server.clear()
    services.server.expect_request("/searx/search").respond_with_data("Forbidden", status=403,
                                                                      content_type="text/html")
    broken = only(services.settings, "searxng", "corpus")
    result = services.run(broken)
    assert any("json to search.formats" in e.error for e in result.errors)
    assert kinds(result)["corpus"] > 0  # the other source still delivered


def test_gdelt_window_around_the_claim_date_and_an_error_text(services: Services) -> None:
    result = services.run(only(services.settings, "gdelt"))
    assert [d.title for d in result.documents] == ["Story g1"]
    sent = services.gdelt_requests[0]
    assert sent["mode"] == "ArtList" and sent["format"] == "json"
    assert sent["startdatetime"] == "20241008000000" and sent["enddatetime"] == "20241105235959"
    assert sent["query"] == "North Korean soldiers Russia"  # no bare numbers for GDELT
    assert any("(loopback)" in e.error for e in result.errors)  # the internal result was refused
    assert services.forbidden.log == []

    services.server.clear()
    services.server.expect_request("/api/v2/doc/doc").respond_with_data(
        "Please limit requests to one every 5 seconds or contact us for larger queries.",
        content_type="text/html; charset=utf-8")
    result = services.run(only(services.settings, "gdelt", "corpus"))
    assert any("not JSON" in e.error and "Please limit requests" in e.error for e in result.errors)
    assert kinds(result)["corpus"] > 0


def test_factcheck_ratings_become_evidence_and_the_key_never_leaks(services: Services,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    result = services.run(only(services.settings, "factcheck"))
    assert len(result.documents) == 1  # the review without a rating is not evidence
    doc = result.documents[0]
    assert doc.source_kind == "factcheck" and doc.outlet == "Loopback Check"
    assert doc.text.startswith('Loopback Check rated the claim "North Korea has sent 8,000 troops')
    assert 'as "Unproven"' in doc.text and doc.url == "https://check.example/2024/10/22/troops/"
    hits = [r for r, _ in services.server.log if r.path == "/v1alpha1/claims:search"]
    assert hits and all(r.headers.get("X-Goog-Api-Key") == API_KEY and "key" not in r.args for r in hits)
    stored = json.dumps(services.rows("SELECT * FROM fetches"), default=str)
    assert API_KEY not in stored and API_KEY not in caplog.text
    assert API_KEY not in " ".join(e.error for e in result.errors)

    no_key = only(services.settings, "factcheck", "corpus")
    no_key.sources.factcheck.api_key = None
    services.server.clear_log()
    result = services.run(no_key, requests=[REQUEST, REQUEST])
    assert [e.error for e in result.errors if e.backend == "factcheck"] == [(
        "factcheck is on but has no API key: set sources.factcheck.api_key "
        "(CLAIMS_SOURCES__FACTCHECK__API_KEY) or a Prefect Secret block")]  # once, not per claim
    assert services.server.log == [] and kinds(result)["corpus"] > 0


def test_a_wrong_key_is_reported_without_the_key(services: Services) -> None:
    wrong = only(services.settings, "factcheck", "wikipedia")
    wrong.sources.factcheck.api_key = SecretStr("WRONG-KEY-123")
    result = services.run(wrong)
    errors = [e.error for e in result.errors if e.backend == "factcheck"]
    assert errors and all("403" in e and "WRONG-KEY-123" not in e for e in errors)
    assert kinds(result)["wikipedia"] == 2


def test_with_no_network_the_corpus_still_answers_and_each_failure_is_listed(services: Services) -> None:
    dead = _server()
    port = dead.port
    dead.stop()  # every web service "is down": connections to it are refused
    down = f"http://127.0.0.1:{port}"
    offline = services.settings.model_copy(deep=True)
    offline.http.allow_private_hosts = [f"127.0.0.1:{port}"]
    src = offline.sources
    src.feeds.feeds, src.urls.urls = [f"{down}/feed.xml"], [f"{down}/a", f"{down}/b"]
    src.wikipedia.base_url, src.searxng.base_url = f"{down}/w/api.php", f"{down}/searx"
    src.gdelt.base_url, src.factcheck.base_url = f"{down}/gdelt", f"{down}/factcheck"
    result = services.run(offline)
    assert set(kinds(result)) == {"corpus"}
    failed = {e.backend for e in result.errors}
    assert failed == {"feeds", "urls", "wikipedia", "searxng", "gdelt", "factcheck"}
    classes = {row[0] for row in services.rows("SELECT DISTINCT error_class FROM fetches")}
    assert classes <= {"connect_error", "robots_unreachable", "host_down"} and "connect_error" in classes
