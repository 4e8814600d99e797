"""Issue 34 items 4, 7 and 9, through the real commands against a real HTTP server on 127.0.0.1.

* Item 4: URL secrets (``password``, ``client_secret``, ``X-Amz-Signature``,
  ``X-Amz-Security-Token``, ``refresh_token``, ``private_token``, ``secret``, a feed entry's
  ``?session=`` and a ``#access_token=`` fragment) reach the site but are stored, printed,
  reported and exported nowhere: every byte of the database (and its log), the report, the
  ClaimReview export and every command's output is searched for them.
* Item 7: a page of many short paragraphs (4.5 MB of ``<p>ab</p>``, under max_body_bytes) is
  refused before text extraction, with one line, by ``check`` and by ``monitor``.
* Item 9: a monitoring pass whose every article failed exits non-zero, prints what it did,
  and records its run as failed.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from claims.store import Store
from tests.conftest import cli_env, one_error, run_cli
from tests.test_monitor import ARTICLES, page
from tests.test_monitor import server as web  # noqa: F401 - the fixture: a real HTTP server on 127.0.0.1

SECRETS = {name: f"{name[:4]}-{uuid.uuid4().hex}" for name in (
    "password", "client_secret", "X-Amz-Signature", "X-Amz-Security-Token", "refresh_token", "private_token",
    "secret", "session", "access_token")}
HOSTILE = "<html><body>" + "<p>ab</p>" * 500_000 + "</body></html>"  # 4.5 MB


def _query(secrets: dict[str, str], fragment: str | None = None) -> str:
    query = "&".join(f"{k}={v}" for k, v in secrets.items() if k != fragment)
    return f"?id=7&{query}" + (f"#{fragment}={secrets[fragment]}" if fragment else "")


def _serve(server: HTTPServer, entries: list[str]) -> str:
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    items = "".join(f"<item><title>Entry {i}</title><link>{server.url_for(path).replace('&', '&amp;')}</link>"
                    f"<guid>e{i}</guid><pubDate>Thu, 31 Oct 2024 10:00:00 GMT</pubDate></item>"
                    for i, path in enumerate(entries))
    feed = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Loopback</title>'
            f"<link>{server.url_for('/')}</link><description>t</description>{items}</channel></rss>")
    server.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")
    for path in ARTICLES:
        server.expect_request(path).respond_with_data(page(path), content_type="text/html; charset=utf-8")
    server.expect_request("/hostile.html").respond_with_data(HOSTILE, content_type="text/html")
    server.expect_request("/hostile-2.html").respond_with_data(HOSTILE, content_type="text/html")
    return server.url_for("/feed.xml")


def _env(server: HTTPServer, db: Path, prefect_home: Path) -> dict[str, str]:
    return cli_env(db, prefect_home, CLAIMS_ALLOW_PRIVATE_HOSTS=f"127.0.0.1:{server.port}", CLAIMS_HTTP__RETRIES="0")


def _found(data: bytes | str) -> list[str]:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return [name for name, value in SECRETS.items() if value in text]


@pytest.mark.slow
def test_url_secrets_reach_the_site_and_nothing_else(web: HTTPServer, tmp_path: Path,  # noqa: F811
                                                     prefect_home: Path) -> None:
    feed = _serve(web, ["/news/pentagon.html" + _query({"session": SECRETS["session"]}, None),
                        "/news/kirby.html" + _query({"password": SECRETS["password"],
                                                     "access_token": SECRETS["access_token"]}, "access_token")])
    db = tmp_path / "claims.duckdb"
    env = _env(web, db, prefect_home)
    url = web.url_for("/news/blinken.html") + _query({k: v for k, v in SECRETS.items() if k != "session"},
                                                      "access_token")
    outputs: list[Any] = [run_cli(["check", url, "--json"], env), run_cli(["monitor", feed, "--json"], env),
                          run_cli(["report", "--out", str(tmp_path / "report.html")], env),
                          run_cli(["export", "claimreview", "--out", str(tmp_path / "reviews.jsonld")], env)]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        assert not _found(result.stdout + result.stderr), (result.args, _found(result.stdout + result.stderr))
    asked = [request.query_string.decode() for request, _ in web.log]
    assert any(SECRETS["client_secret"] in q for q in asked)  # the site got what its URL carried
    for path in (db, Path(f"{db}.wal"), tmp_path / "report.html", tmp_path / "reviews.jsonld"):
        if path.exists():
            assert not _found(path.read_bytes()), (path, _found(path.read_bytes()))
    with Store(db).connect(read_only=True) as con:
        stored = str(con.execute("SELECT list(url) FROM documents").fetchall())
    assert "id=7" in stored  # the parameters that find the page again are kept


@pytest.mark.slow
def test_a_page_of_many_paragraphs_is_refused_and_a_pass_that_verified_nothing_fails(
        web: HTTPServer, tmp_path: Path, prefect_home: Path) -> None:  # noqa: F811
    feed = _serve(web, ["/hostile.html", "/hostile-2.html"])
    db = tmp_path / "claims.duckdb"
    env = _env(web, db, prefect_home)
    line = one_error(run_cli(["check", web.url_for("/hostile.html")], env, timeout=600))
    assert "more than 15,000 HTML elements (http.max_html_elements)" in line, line
    result = run_cli(["monitor", feed, "--json"], env, timeout=600)
    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["entries"], summary["verified"], summary["failed"]) == (2, 0, 2)
    assert all("max_html_elements" in failure["error"] for failure in summary["failures"])
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "no article verified: 2 of 2 failed" in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    with Store(db).connect(read_only=True) as con:
        runs = con.execute("SELECT status, count(*) FROM runs WHERE flow_name = 'monitor-feeds' GROUP BY ALL").fetchall()
    assert runs == [("failed", 1)]
