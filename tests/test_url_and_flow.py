"""URL ingestion over a real HTTP server on 127.0.0.1, and the flow under Prefect's harness."""

from __future__ import annotations

import asyncio

import pytest
from pytest_httpserver import HTTPServer

from claims.store import Store, run_user_query
from tests.conftest import CORPUS, cli_env, run_cli

ARTICLE_HTML = """<!doctype html><html><head><meta charset="utf-8">
<title>North Korean troops in Kursk | Example Times</title>
<meta property="og:site_name" content="Example Times">
<meta name="date" content="2024-11-01">
</head><body><nav>Home | World | Sport</nav>
<article><h1>North Korean troops reach Kursk</h1>
<p>About 8,000 North Korean soldiers are in Russia's Kursk region near the Ukrainian border, Secretary of
State Antony Blinken said on Thursday, and they are expected to enter combat within days.</p>
<p>The United States and South Korea urged China to use its influence over Pyongyang to stop the deployment.
Officials in Seoul said the soldiers had trained in eastern Russia for several weeks before moving west.</p>
</article><footer>Copyright Example Times</footer></body></html>"""


@pytest.mark.slow
def test_check_url_fetches_extracts_and_verifies(httpserver: HTTPServer, tmp_path, prefect_home):
    httpserver.expect_request("/world/kursk.html").respond_with_data(ARTICLE_HTML, content_type="text/html; charset=utf-8")
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    db = tmp_path / "url.duckdb"
    env = cli_env(db, prefect_home, CLAIMS_ALLOW_PRIVATE_HOSTS=f"127.0.0.1:{httpserver.port}")
    url = f"http://127.0.0.1:{httpserver.port}/world/kursk.html"
    result = run_cli(["check", url], env)
    assert result.returncode == 0, result.stderr
    store = Store(db)
    docs = run_user_query(store, "SELECT url, title, text FROM documents WHERE source_kind = 'input'").rows
    assert len(docs) == 1
    doc_url, title, text = docs[0]
    assert doc_url == url and "North Korean troops" in title
    assert "8,000 North Korean soldiers" in text and "Copyright" not in text and "Home | World" not in text
    labels = run_user_query(store, "SELECT c.quantity_value, v.label FROM claims c JOIN verdicts v ON v.claim_id = c.id "
                                   "WHERE c.quantity_value = 8000").rows
    assert labels == [(8000.0, "supported")]


def test_refused_url_sends_no_request(httpserver: HTTPServer, tmp_path, prefect_home):
    httpserver.expect_request("/x").respond_with_data("hello")
    env = cli_env(tmp_path / "r.duckdb", prefect_home)  # the server's port is not allowed
    result = run_cli(["check", f"http://127.0.0.1:{httpserver.port}/x"], env)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1
    assert len(httpserver.log) == 0
    result = run_cli(["check", "ftp://127.0.0.1/file.txt"], env)
    assert result.returncode == 1 and "ftp" in result.stderr


def test_flow_records_run_and_publishes_table_artifact(prefect_harness, tmp_path):
    from prefect.client.orchestration import get_client

    from flows.verify import verify_document

    db = tmp_path / "flow.duckdb"
    text = ("About 8,000 North Korean soldiers are in Russia's Kursk region near the Ukrainian border, "
            "Secretary of State Antony Blinken said on Thursday.")
    report = verify_document("inline", text=text, published="2024-10-31",
                             overrides={"db": str(db), "sources": {"corpus": {"path": str(CORPUS)}}})
    assert [v.label for v in report.verdicts] == ["supported"]
    rows = run_user_query(Store(db), "SELECT flow_run_id, status FROM runs").rows
    assert len(rows) == 1 and rows[0][1] == "completed" and rows[0][0]

    async def artifacts():
        async with get_client() as client:
            from prefect.client.schemas.filters import (
                ArtifactFilter,
                ArtifactFilterFlowRunId,
                ArtifactFilterKey,
            )

            # this flow run's table (other tests' flow runs publish under the same key)
            return await client.read_artifacts(artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["verify-document-verdicts"]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[rows[0][0]])))

    found = asyncio.run(artifacts())
    assert len(found) == 1 and str(found[0].flow_run_id) == rows[0][0]
    assert "supported" in str(found[0].data)


@pytest.mark.slow
def test_check_with_a_prefect_api_runs_the_flow_and_reads_the_input_once(prefect_harness, tmp_path, prefect_home):
    """With ``PREFECT_API_URL`` set (here: the harness's server), ``claims check`` runs the
    ``verify-document`` flow: the run row carries its flow-run id, each stage is a task run
    of it, and the input, read by the command, is handed to the flow (no second read)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.settings import PREFECT_API_URL

    db = tmp_path / "api.duckdb"
    article = tmp_path / "article.txt"
    article.write_text("---\ntitle: Kursk\noutlet: Api Wire\npublished: 2024-10-31\n---\n"
                       "About 8,000 North Korean soldiers are in Russia's Kursk region near the Ukrainian "
                       "border, Secretary of State Antony Blinken said on Thursday.\n", encoding="utf-8")
    env = cli_env(db, prefect_home, PREFECT_API_URL=str(PREFECT_API_URL.value()),
                  CLAIMS_SOURCES__CORPUS__PATH=str(CORPUS))
    result = run_cli(["check", str(article), "--json"], env)
    assert result.returncode == 0, result.stderr
    [(flow_run_id, status, stats, parameters)] = run_user_query(
        Store(db), "SELECT flow_run_id, status, stats, parameters FROM runs").rows
    assert flow_run_id and status == "completed" and '"source": "' in parameters
    assert '"judge"' in stats and '"store_verdicts"' in stats  # stage timings, as without Prefect

    async def flow_run_and_tasks():
        async with get_client() as client:
            run = await client.read_flow_run(flow_run_id)
            tasks = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])))
            return run, tasks

    run, tasks = asyncio.run(flow_run_and_tasks())
    assert run.state.is_completed() and run.parameters["source"] == str(article)
    names = {t.name.rsplit("-", 1)[0] for t in tasks}
    assert {"store_input", "extract", "gather", "passages", "judge", "store_verdicts"} <= names, names
    assert "read_input" not in names  # the command read the input; the flow did not read it again
