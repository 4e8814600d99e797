"""Credentials in a URL are used for the request and stored nowhere: not in Prefect's
database (flow-run parameters, logs, task runs, events, artifacts), not in its home folder,
not in the DuckDB file.

``claims check http://user:secret@host/...`` redacted the URL in messages, but the flow
run's parameters kept it in clear text in Prefect's database (visible in the UI). Here the
real command runs real flows on Prefect's test harness (a local server with its own SQLite
database) with ``-v`` (the library's logs go to Prefect too), against a real HTTP server on
127.0.0.1 that demands the planted password; then every byte of Prefect's database, of
PREFECT_HOME and of the DuckDB file is searched for it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.conftest import CORPUS, cli_env, run_cli
from tests.test_monitor import ARTICLES, page, rss
from tests.test_monitor import server as web  # noqa: F401 - the fixture: a real HTTP server on 127.0.0.1

USER = "reader"
PASSWORD = f"planted-{uuid.uuid4().hex}"
TOKEN = f"token-{uuid.uuid4().hex}"
SECRETS = [PASSWORD.encode(), TOKEN.encode(), base64.b64encode(f"{USER}:{PASSWORD}".encode())]


def _guarded(body: str, content_type: str, seen: list[str]) -> Any:
    """A handler that answers only with the planted credentials (HTTP Basic)."""
    def answer(request: Request) -> Response:
        auth = request.authorization
        seen.append(f"{auth.username}:{auth.password}" if auth else "")
        if not auth or (auth.username, auth.password) != (USER, PASSWORD):
            return Response("login required", status=401, headers={"WWW-Authenticate": 'Basic realm="x"'})
        return Response(body, content_type=content_type)
    return answer


def _files_holding_secrets(*folders_or_files: Path) -> dict[str, list[bytes]]:
    found: dict[str, list[bytes]] = {}
    for place in folders_or_files:
        for path in [place] if place.is_file() else [p for p in place.rglob("*") if p.is_file()]:
            data = path.read_bytes()
            hits = [s for s in SECRETS if s in data]
            if hits:
                found[str(path)] = hits
    return found


@pytest.mark.slow
def test_credentials_reach_the_site_but_neither_prefect_nor_the_database(
        prefect_harness: None, web: HTTPServer, tmp_path: Path, prefect_home: Path) -> None:  # noqa: F811
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_DATABASE_CONNECTION_URL

    seen: list[str] = []
    article = "/news/blinken.html"
    web.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    web.expect_request("/members/kursk.html").respond_with_handler(
        _guarded(page(article), "text/html; charset=utf-8", seen))
    web.expect_request("/members/feed.xml").respond_with_handler(
        _guarded(rss(web, ["/news/pentagon.html"]), "application/rss+xml", seen))
    web.expect_request("/news/pentagon.html").respond_with_data(page("/news/pentagon.html"),
                                                                content_type="text/html; charset=utf-8")
    base = f"http://{USER}:{PASSWORD}@127.0.0.1:{web.port}"
    db = tmp_path / "secrets.duckdb"
    env = cli_env(db, prefect_home, PREFECT_API_URL=str(PREFECT_API_URL.value()),
                  CLAIMS_ALLOW_PRIVATE_HOSTS=f"127.0.0.1:{web.port}", CLAIMS_SOURCES__CORPUS__PATH=str(CORPUS))

    checked = run_cli(["-v", "check", f"{base}/members/kursk.html?token={TOKEN}", "--json"], env)
    assert checked.returncode == 0, checked.stderr[-3000:]
    monitored = run_cli(["-v", "monitor", f"{base}/members/feed.xml", "--json"], env)
    assert monitored.returncode == 0, monitored.stderr[-3000:]
    assert json.loads(monitored.stdout)["verified"] == 1
    assert seen.count(f"{USER}:{PASSWORD}") == 2  # the credentials were used, once per guarded page
    assert "8,000" in checked.stdout and ARTICLES[article][0]

    # The flow runs are there, with their parameters, and without the credentials.
    run_ids = [json.loads(checked.stdout)["run_id"], json.loads(monitored.stdout)["run_id"]]
    con_rows = run_cli(["query", "select flow_run_id, input, parameters from runs where id in ($a, $b)",
                        "-p", f"a={run_ids[0]}", "-p", f"b={run_ids[1]}", "--format", "json"], env)
    rows = json.loads(con_rows.stdout)
    assert len(rows) == 2 and all(r["flow_run_id"] for r in rows), con_rows.stderr

    async def parameters() -> list[dict[str, Any]]:
        async with get_client() as client:
            runs = await client.read_flow_runs(flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[r["flow_run_id"] for r in rows])))
            return [run.parameters for run in runs]

    stored = asyncio.run(parameters())
    assert f"http://127.0.0.1:{web.port}/members/kursk.html" in json.dumps(stored)  # named, without credentials
    assert f"http://127.0.0.1:{web.port}/members/feed.xml" in json.dumps(stored)

    prefect_db = Path(str(PREFECT_SERVER_DATABASE_CONNECTION_URL.value()).split(":///", 1)[1])
    assert prefect_db.exists()
    places = [prefect_db.parent, prefect_home, *tmp_path.glob("secrets.duckdb*")]
    assert _files_holding_secrets(*places) == {}
    for text in (checked.stdout, checked.stderr, monitored.stdout, monitored.stderr):
        leaked = [line for line in text.splitlines() if any(s.decode() in line for s in SECRETS)]
        assert leaked == []
