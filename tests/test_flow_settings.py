"""Every flow resolves its settings in one place (``flows.settings.flow_settings``): the
scheduled ``monitor-feeds`` and ``reverify-claims`` runs, like ``verify-document``, send the
Google Fact Check key kept in a Prefect Secret block (a real block, on Prefect's test
harness) to a fact-check API served on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from claims.store import Store, run_user_query
from tests.conftest import CORPUS
from tests.test_monitor import serve
from tests.test_monitor import server as web  # noqa: F401 - the fixture: a real HTTP server on 127.0.0.1

KEY = "secret-block-key-not-in-settings"


@pytest.fixture
def secret_block(prefect_harness: None) -> str:
    from prefect.blocks.system import Secret
    from pydantic import SecretStr

    from flows.secrets import FACTCHECK_SECRET_BLOCK

    Secret(value=SecretStr(KEY)).save(FACTCHECK_SECRET_BLOCK, overwrite=True)
    return KEY


def _factcheck(keys: list[str | None]) -> Any:
    def answer(request: Request) -> Response:
        keys.append(request.headers.get("X-Goog-Api-Key"))
        return Response(json.dumps({"claims": []}), content_type="application/json")
    return answer


def test_flow_settings_fill_the_key_from_the_secret_block(secret_block: str) -> None:
    from flows.settings import flow_settings

    settings = flow_settings(overrides={"sources": {"factcheck": {"enabled": True}}})
    assert settings.sources.factcheck.api_key is not None
    assert settings.sources.factcheck.api_key.get_secret_value() == secret_block
    given = flow_settings(overrides={"sources": {"factcheck": {"enabled": True, "api_key": "from-settings"}}})
    assert given.sources.factcheck.api_key is not None
    assert given.sources.factcheck.api_key.get_secret_value() == "from-settings"  # settings win


def test_flow_settings_read_the_secret_block_inside_an_event_loop(secret_block: str) -> None:
    """In a running event loop Prefect's Block.load gives a coroutine, not the block: the key
    is read all the same."""
    from flows.settings import flow_settings

    async def in_a_loop() -> str | None:
        settings = flow_settings(overrides={"sources": {"factcheck": {"enabled": True}}})
        key = settings.sources.factcheck.api_key
        return None if key is None else key.get_secret_value()

    assert asyncio.run(in_a_loop()) == secret_block


@pytest.mark.slow
def test_every_flow_sends_the_secret_block_key(secret_block: str, web: HTTPServer, tmp_path: Path) -> None:  # noqa: F811
    from flows.monitor import monitor_feeds
    from flows.reverify import reverify_claims
    from flows.verify import verify_document

    feed = serve(web, ["/news/blinken.html"])
    keys: list[str | None] = []
    web.expect_request("/v1alpha1/claims:search").respond_with_handler(_factcheck(keys))
    db = tmp_path / "secrets.duckdb"
    overrides = {
        "db": str(db),
        "sources": {"corpus": {"path": str(CORPUS)}, "feeds": {"feeds": [feed]},
                    "factcheck": {"enabled": True, "base_url": web.url_for("/v1alpha1/claims:search")}},
        "http": {"allow_private_hosts": [f"127.0.0.1:{web.port}"], "retries": 0},
    }

    verify_document("inline", text="The Pentagon said on Monday that about 10,000 North Korean soldiers had "
                                    "been sent to eastern Russia for training.", published="2024-10-28",
                    overrides=overrides)
    after_verify = len(keys)
    monitored = monitor_feeds(overrides=overrides)
    after_monitor = len(keys)
    claim_ids = [r[0] for r in run_user_query(Store(db), "SELECT id FROM claims").rows]
    reverified = reverify_claims(claim_ids=claim_ids, overrides=overrides)

    assert monitored["verified"] == 1 and reverified["claims"] == len(claim_ids) and not reverified["failed_batches"]
    assert 0 < after_verify < after_monitor < len(keys), keys  # each flow asked the fact-check API
    assert set(keys) == {KEY}
    errors = " ".join(r[0] or "" for r in run_user_query(Store(db), "SELECT stats FROM runs").rows)
    assert "no API key" not in errors and KEY not in errors
