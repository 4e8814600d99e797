"""Scale-out: the monitor-feeds flow with ``task_runner = "dask"`` on an existing Dask
cluster given by its address (a ``distributed.LocalCluster`` here: one in-process worker
with two threads, to stay light), its results checked in DuckDB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from claims.errors import ConfigError
from claims.settings import Settings
from claims.store import Store, run_user_query
from tests.conftest import CORPUS
from tests.test_monitor import BROKEN, serve


def test_runner_choice() -> None:
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    from flows.runners import task_runner_for

    assert isinstance(task_runner_for(Settings(monitor_concurrency=3)), ThreadPoolTaskRunner)
    remote = task_runner_for(Settings(task_runner="dask", dask_address="tcp://127.0.0.1:8786"))
    assert isinstance(remote, DaskTaskRunner) and remote.address == "tcp://127.0.0.1:8786"
    local = task_runner_for(Settings(task_runner="dask", monitor_concurrency=2))
    assert isinstance(local, DaskTaskRunner) and local.address is None and local.cluster_kwargs["n_workers"] == 2
    with pytest.raises(ConfigError, match="thread, dask"):
        task_runner_for(Settings(task_runner="ray"))


@pytest.mark.slow
def test_monitor_flow_on_an_existing_dask_cluster(tmp_path: Path, prefect_harness: None) -> None:
    from distributed import Client, LocalCluster, get_task_stream

    from flows.monitor import monitor_feeds

    web = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    web.start()
    feed = serve(web, ["/news/blinken.html", "/news/pentagon.html", "/news/kirby.html", BROKEN])
    db = tmp_path / "dask.duckdb"
    cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                           host="127.0.0.1", dashboard_address=None)
    try:
        with Client(cluster) as client, get_task_stream(client) as stream:
            result = monitor_feeds(overrides={
                "db": str(db), "task_runner": "dask", "dask_address": cluster.scheduler_address,
                "monitor_concurrency": 2,
                "sources": {"corpus": {"path": str(CORPUS)}, "feeds": {"feeds": [feed]}},
                "http": {"allow_private_hosts": [f"127.0.0.1:{web.port}"], "retries": 0}})
    finally:
        cluster.close()
        web.stop()
    assert (result["verified"], result["failed"]) == (3, 1)
    # the four verify-article tasks (each process_entry of one article) ran on the cluster's worker
    keys = [str(t["key"]) for t in stream.data]
    assert sum(1 for k in keys if k.startswith("process_entry-")) == 4, keys

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return run_user_query(Store(db), sql).rows

    assert dict(rows("SELECT status, count(*) FROM feed_items GROUP BY ALL")) == {"completed": 3, "failed": 1}
    per_article = rows("""SELECT f.entry_url, count(DISTINCT c.id), count(DISTINCT v.claim_id)
                          FROM feed_items f JOIN claims c ON c.document_id = f.document_id
                          LEFT JOIN verdicts v ON v.claim_id = c.id AND v.run_id = f.run_id
                          WHERE f.status = 'completed' GROUP BY ALL""")
    assert len(per_article) == 3 and all(n >= 1 and n == judged for _, n, judged in per_article)
    assert rows(f"SELECT status FROM runs WHERE id = '{result['run_id']}'") == [("completed",)]

