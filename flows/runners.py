"""The task runner a flow run uses, chosen by the settings, and bounded submission.

``task_runner = "thread"`` (default): a thread pool in the flow run's process.
``task_runner = "dask"``: prefect-dask's ``DaskTaskRunner``, on the existing cluster at
``dask_address`` when it is set (many machines: start ``dask scheduler`` and ``dask worker``
processes that can import ``claims`` and reach the database), else on a temporary
``distributed.LocalCluster`` of worker processes started for the flow run (10-16 s here).

The runner is built inside the flow run from its settings and used as a context manager
(both runners support this), so one deployment serves every choice without redeploying.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from prefect import Task
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from claims.errors import ConfigError
from claims.settings import Settings

__all__ = ["submit_bounded", "task_runner_for"]

RUNNERS = ("thread", "dask")


def task_runner_for(settings: Settings, max_workers: int | None = None) -> TaskRunner[Any]:
    """A fresh (not yet started) task runner for ``settings.task_runner``."""
    workers = max_workers or settings.monitor_concurrency
    if settings.task_runner == "thread":
        return ThreadPoolTaskRunner(max_workers=workers)
    if settings.task_runner == "dask":
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError:
            raise ConfigError("task_runner = 'dask' needs prefect-dask: pip install prefect-dask") from None
        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    raise ConfigError(f"task_runner {settings.task_runner!r} is unknown: use one of {', '.join(RUNNERS)}")


def submit_bounded(runner: TaskRunner[Any], task: Task[Any, Any], calls: Iterable[dict[str, Any]],
                   limit: int) -> list[PrefectFuture[Any]]:
    """Submit ``task`` once per parameter dict, with at most ``limit`` runs unfinished at
    any time (whatever the runner's own capacity, e.g. a large shared Dask cluster)."""
    slots = threading.BoundedSemaphore(max(1, limit))
    futures: list[PrefectFuture[Any]] = []
    for parameters in calls:
        slots.acquire()
        future = runner.submit(task, parameters)
        future.add_done_callback(lambda _f: slots.release())
        futures.append(future)
    return futures
