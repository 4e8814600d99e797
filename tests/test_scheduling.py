"""Unattended operation end to end: ``scripts/scheduler.sh start`` (a real Prefect server on
127.0.0.1, the work pool, the deployments of prefect.yaml, a process worker), runs of
``verify-document`` and ``monitor-feeds`` triggered through the API, a ``reverify-claims``
run that its one-minute cron starts by itself, their verdicts in DuckDB and artifacts in
Prefect, then ``scripts/scheduler.sh stop``.

The deployments come from the real prefect.yaml; only the schedules differ (a copy with
reverify-claims every minute and monitor-feeds' cron paused, so that no scheduled monitor
run takes the feed's articles before the triggered one). Settings reach the worker's
flow runs as CLAIMS_* environment variables of the worker. The feed and its articles are
served on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import yaml
from pytest_httpserver import HTTPServer

from claims.store import Store, run_user_query
from tests.conftest import CORPUS, ROOT
from tests.test_monitor import BROKEN, serve

ARTICLE = ("---\ntitle: Scheduled check\noutlet: Sched Wire\npublished: 2024-10-31\n---\n"
           "US Secretary of State Antony Blinken said on Thursday that 8,000 North Korean soldiers were in "
           "Russia's Kursk region near the border with Ukraine.\n")
SCRIPT = ROOT / "scripts" / "scheduler.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_prefect_yaml_declares_the_three_deployments() -> None:
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    deployments = {d["name"]: d for d in spec["deployments"]}
    assert set(deployments) == {"monitor-feeds", "reverify-claims", "verify-document"}
    assert deployments["monitor-feeds"]["schedules"][0]["cron"] == "*/30 * * * *"
    assert deployments["reverify-claims"]["schedules"][0]["cron"].endswith("* * *")  # daily
    assert deployments["verify-document"]["schedules"] == [] and "source" in deployments["verify-document"]["parameters"]
    assert {d["work_pool"]["name"] for d in deployments.values()} == {"claims-pool"}
    for d in deployments.values():
        path, _, name = d["entrypoint"].partition(":")
        assert f"def {name}(" in (ROOT / path).read_text(encoding="utf-8")
    assert spec["pull"][0]["prefect.deployments.steps.set_working_directory"]["directory"] == "{{ $PWD }}"


def _test_prefect_file(folder: Path) -> Path:
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    for d in spec["deployments"]:
        if d["name"] == "reverify-claims":
            d["schedules"] = [{"cron": "* * * * *", "timezone": "UTC", "active": True}]
        elif d["name"] == "monitor-feeds":
            d["schedules"] = [{**d["schedules"][0], "active": False}]
    path = folder / "prefect.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


async def _wait_final(client: Any, flow_run_id: UUID, deadline: float) -> Any:
    while True:
        run = await client.read_flow_run(flow_run_id)
        if run.state is not None and run.state.is_final():
            return run
        if time.monotonic() > deadline:
            raise AssertionError(f"flow run {run.name} still {run.state.type if run.state else None}")
        await asyncio.sleep(2)


async def _scenario(api: str, article: Path) -> dict[str, Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.deployments import arun_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api}):
        verify = await arun_deployment("verify-document/verify-document", parameters={"source": str(article)},
                                       timeout=0)
        monitor = await arun_deployment("monitor-feeds/monitor-feeds", timeout=0)
        deadline = time.monotonic() + 420
        async with get_client() as client:
            verify = await _wait_final(client, verify.id, deadline)
            monitor = await _wait_final(client, monitor.id, deadline)
            reverify_dep = await client.read_deployment_by_name("reverify-claims/reverify-claims")
            scheduled: list[Any] = []
            while not scheduled and time.monotonic() < deadline:
                scheduled = await client.read_flow_runs(
                    deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[reverify_dep.id])),
                    flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                        type=FlowRunFilterStateType(any_=[StateType.COMPLETED]))))
                await asyncio.sleep(3)
            artifacts = await client.read_artifacts(artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[verify.id, monitor.id, *(r.id for r in scheduled)])))
    return {"verify": verify, "monitor": monitor, "scheduled": scheduled, "artifacts": artifacts}


@pytest.mark.slow
@pytest.mark.timeout(1200)  # server start (300 s), the scenario (420 s), stop (120 s)
def test_local_scheduling_runs_deployments_and_a_cron_fires(tmp_path: Path) -> None:
    web = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    web.start()
    feed = serve(web, ["/news/blinken.html", "/news/pentagon.html", BROKEN])
    port = free_port()
    home, db = tmp_path / "prefect-home", tmp_path / "scheduled.duckdb"
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMS_", "PREFECT_"))}
    env.update({
        "PREFECT_HOME": str(home), "CLAIMS_PREFECT_PORT": str(port),
        "CLAIMS_PREFECT_FILE": str(_test_prefect_file(tmp_path)),
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5", "PREFECT_WORKER_QUERY_SECONDS": "2",
        "CLAIMS_DB": str(db), "CLAIMS_SOURCES__CORPUS__PATH": str(CORPUS),
        "CLAIMS_SOURCES__FEEDS__FEEDS": json.dumps([feed]), "CLAIMS_ALLOW_PRIVATE_HOSTS": f"127.0.0.1:{web.port}",
        "CLAIMS_HTTP__RETRIES": "0", "CLAIMS_MONITOR_CONCURRENCY": "2",
    })
    started = subprocess.run([str(SCRIPT), "start"], check=False, env=env, cwd=tmp_path, capture_output=True, text=True,
                             timeout=300)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert f"http://127.0.0.1:{port}" in started.stdout
        result = asyncio.run(_scenario(f"http://127.0.0.1:{port}/api", article))
    finally:
        stopped = subprocess.run([str(SCRIPT), "stop"], check=False, env=env, cwd=tmp_path, capture_output=True, text=True,
                                 timeout=120)
        web.stop()
    assert stopped.returncode == 0, stopped.stderr
    assert not list(home.glob("*.pid"))
    status = subprocess.run([str(SCRIPT), "status"], check=False, env=env, capture_output=True, text=True, timeout=60)
    assert status.returncode == 1 and "server: stopped" in status.stdout and "worker: stopped" in status.stdout

    verify, monitor = result["verify"], result["monitor"]
    assert verify.state.is_completed(), verify.state
    assert monitor.state.is_completed(), monitor.state  # one article failed; the run completed
    store = Store(db)

    def rows(sql: str, **params: Any) -> list[tuple[Any, ...]]:
        return run_user_query(store, sql, params or None).rows

    # verify-document: its run row carries the Prefect flow-run id; every claim got a verdict
    [(run_id, status)] = rows("SELECT id, status FROM runs WHERE flow_run_id = $f AND flow_name = 'verify-document'",
                              f=str(verify.id))
    assert status == "completed"
    labels = rows("SELECT c.quantity_value, v.label FROM verdicts v JOIN claims c ON c.id = v.claim_id "
                  "WHERE v.run_id = $r", r=run_id)
    assert (8000.0, "supported") in labels

    # monitor-feeds: two articles verified, the broken one recorded as failed, verdicts stored
    items = dict(rows("SELECT entry_url, status FROM feed_items"))
    assert items == {web.url_for("/news/blinken.html"): "completed", web.url_for("/news/pentagon.html"): "completed",
                     web.url_for(BROKEN): "failed"}
    judged = rows("""SELECT count(*) FROM feed_items f JOIN verdicts v ON v.run_id = f.run_id
                     JOIN runs r ON r.id = f.run_id WHERE r.flow_run_id = $f""", f=str(monitor.id))[0][0]
    assert judged >= 2

    # artifacts, through the API
    by_key = {(a.key, a.flow_run_id): a for a in result["artifacts"]}
    assert ("verify-document-verdicts", verify.id) in by_key
    summary = by_key[("monitor-feeds-summary", monitor.id)]
    assert "## Failed articles" in summary.data and BROKEN in summary.data
    assert ("monitor-feeds-articles", monitor.id) in by_key

    # the one-minute cron started reverify-claims by itself, and that run completed
    assert result["scheduled"], "no scheduled reverify-claims run completed"
    assert all(r.auto_scheduled for r in result["scheduled"])
    assert any(("reverify-claims-summary", r.id) in by_key for r in result["scheduled"])
