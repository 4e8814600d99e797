"""How a flow runs the library's stages: :class:`PrefectRunner`, the
:class:`~claims.runner.StageRunner` the flows pass to the library's sequences, makes each
stage a task of the flow run (``NO_CACHE``: inputs are documents, arrays and settings, and
the database is the store of record) and maps over items on the task runner the settings
choose, with bounded submission.

``task_runner = "thread"`` (default): a thread pool in the flow run's process.
``task_runner = "dask"``: prefect-dask's ``DaskTaskRunner``, on the existing cluster at
``dask_address`` when it is set (many machines: start ``dask scheduler`` and ``dask worker``
processes that can import ``claims`` and reach the database), else on a temporary
``distributed.LocalCluster`` of worker processes started for the flow run (10-16 s here).

The runner is built inside the flow run from its settings and used as a context manager
(both runners support this), so one deployment serves every choice without redeploying.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from claims.errors import ConfigError
from claims.settings import Settings

__all__ = ["PrefectRunner", "current_flow_run_id", "submit_bounded", "task_runner_for"]

T = TypeVar("T")

RUNNERS = ("thread", "dask")


def task_runner_for(settings: Settings, max_workers: int | None = None) -> TaskRunner[Any]:
    """A fresh (not yet started) task runner for ``settings.task_runner``."""
    workers = max_workers or settings.monitor_concurrency
    if settings.task_runner == "thread":
        return ThreadPoolTaskRunner(max_workers=workers)
    if settings.task_runner == "dask":
        try:  # lazy: prefect-dask and distributed only for task_runner = 'dask'
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


def current_flow_run_id() -> str | None:
    """The id of the flow run this code runs in, if any (kept in ``runs.flow_run_id``)."""
    return str(flow_run.id) if flow_run.id else None


_TASKS: dict[tuple[Callable[..., Any], str], Task[Any, Any]] = {}
_TASKS_LOCK = threading.Lock()


def _as_task(fn: Callable[..., T], name: str) -> Task[Any, T]:
    """``fn`` as a Prefect task named ``name`` (one Task object per function and name)."""
    with _TASKS_LOCK:
        key = (fn, name)
        if key not in _TASKS:
            _TASKS[key] = task(name=name, cache_policy=NO_CACHE, persist_result=False)(fn)
        return _TASKS[key]


class PrefectRunner:
    """Each stage a task of the current flow run; ``map`` submits one task per item to the
    task runner of ``settings`` (threads, or Dask), at most ``limit`` unfinished at once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def run(self, name: str, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        return _as_task(fn, name)(*args, **kwargs)

    def map(self, name: str, fn: Callable[..., T], items: Iterable[Any], /, *, limit: int,
            **kwargs: Any) -> Iterator[T | Exception]:
        as_task = _as_task(fn, name)
        signature = inspect.signature(fn)
        calls = (signature.bind(item, **kwargs).arguments for item in items)
        with task_runner_for(self.settings) as runner:
            for future in submit_bounded(runner, as_task, calls, limit):
                yield future.result(raise_on_failure=False)
