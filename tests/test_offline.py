"""With every web backend switched on and none reachable, the main job still completes on
the local corpus and lists the backends that failed."""

from __future__ import annotations

import socket

import pytest

from claims.store import Store, run_user_query
from tests.conftest import SEED, cli_env, run_cli


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: connections are refused


@pytest.mark.slow
def test_all_web_backends_down_still_verifies_with_corpus(tmp_path, prefect_home):
    port = _closed_port()
    dead = f"http://127.0.0.1:{port}"
    db = tmp_path / "offline.duckdb"
    env = cli_env(
        db, prefect_home,
        CLAIMS_ALLOW_PRIVATE_HOSTS=f"127.0.0.1:{port}",
        CLAIMS_HTTP__RETRIES="1", CLAIMS_HTTP__BACKOFF_BASE="0.01", CLAIMS_HTTP__CONNECT_TIMEOUT="1",
        CLAIMS_SOURCES__URLS__ENABLED="true", CLAIMS_SOURCES__URLS__URLS=f'["{dead}/a.html"]',
        CLAIMS_SOURCES__FEEDS__ENABLED="true", CLAIMS_SOURCES__FEEDS__FEEDS=f'["{dead}/feed.xml"]',
        CLAIMS_SOURCES__WIKIPEDIA__ENABLED="true", CLAIMS_SOURCES__WIKIPEDIA__BASE_URL=f"{dead}/w/api.php",
        CLAIMS_SOURCES__SEARXNG__ENABLED="true", CLAIMS_SOURCES__SEARXNG__BASE_URL=dead,
        CLAIMS_SOURCES__GDELT__ENABLED="true", CLAIMS_SOURCES__GDELT__BASE_URL=f"{dead}/api/v2/doc/doc",
        CLAIMS_SOURCES__FACTCHECK__ENABLED="true", CLAIMS_SOURCES__FACTCHECK__BASE_URL=f"{dead}/v1alpha1/claims:search",
        CLAIMS_SOURCES__FACTCHECK__API_KEY="test-key-not-secret",
    )
    result = run_cli(["check", str(SEED)], env)
    assert result.returncode == 0, result.stderr
    assert "claims checked" in result.stdout
    warning = result.stderr
    for backend in ("urls", "feeds", "wikipedia", "searxng", "gdelt", "factcheck"):
        assert backend in warning, (backend, warning)
    store = Store(db)
    labels = {r[0] for r in run_user_query(store, "SELECT label FROM verdicts").rows}
    assert "supported" in labels  # the corpus still carries the 8,000 claim
    failed = run_user_query(store, "SELECT DISTINCT backend FROM fetches WHERE status IS NULL OR status >= 400").rows
    assert {r[0] for r in failed} >= {"wikipedia", "searxng", "gdelt", "factcheck"}
    # the API key never reaches the fetch log
    leaked = run_user_query(store, "SELECT count(*) FROM fetches WHERE url LIKE '%test-key-not-secret%' "
                                   "OR coalesce(error, '') LIKE '%test-key-not-secret%'").rows
    assert leaked == [(0,)]
    assert "test-key-not-secret" not in result.stdout + result.stderr
