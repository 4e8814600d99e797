"""How a sequence of stages is run, so that the sequence is written once.

The sequences (:func:`claims.pipeline.verify`, :func:`claims.monitor.monitor`,
:func:`claims.reverify.reverify_due`) call every stage through a :class:`StageRunner`:

    runner.run(name, fn, *args, **kwargs)            fn's result
    runner.map(name, fn, items, limit=n, **kwargs)   fn(item, **kwargs) per item, at most n at
                                                     once: each result, or the exception it
                                                     raised, in the order of ``items``

:class:`LocalRunner` (the default) calls plain functions, mapping over a thread pool. The
Prefect flows pass a runner that makes each stage a task of the flow run and maps on the
flow's task runner (``flows/runners.py``); the library never imports Prefect.

:func:`tracked_run` is the one place that closes a run's ``runs`` row: ``completed`` with its
stats, or ``failed`` with the error and what was done so far.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from claims.errors import DatabaseDamagedError
from claims.store import Store

__all__ = ["LOCAL", "LocalRunner", "StageRunner", "Tracked", "tracked_run"]

T = TypeVar("T")
R = TypeVar("R", bound="Tracked")


class StageRunner(Protocol):
    """Runs the named stages of a sequence."""

    def run(self, name: str, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T: ...

    def map(self, name: str, fn: Callable[..., T], items: Iterable[Any], /, *, limit: int,
            **kwargs: Any) -> Iterator[T | Exception]: ...


class LocalRunner:
    """Plain calls in this process; ``map`` on a pool of ``limit`` threads."""

    def run(self, name: str, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        return fn(*args, **kwargs)

    def map(self, name: str, fn: Callable[..., T], items: Iterable[Any], /, *, limit: int,
            **kwargs: Any) -> Iterator[T | Exception]:
        def call(item: Any) -> T | Exception:
            try:
                return fn(item, **kwargs)
            except Exception as exc:  # noqa: BLE001 - handed to the caller, which decides
                return exc

        with ThreadPoolExecutor(max_workers=max(1, limit), thread_name_prefix=name) as pool:
            yield from pool.map(call, items)


LOCAL = LocalRunner()


class Tracked(Protocol):
    """A run's report: its ``runs`` row id and the stats stored when it ends."""

    run_id: str

    def stats(self) -> dict[str, Any]: ...


def tracked_run(store: Store, report: R, body: Callable[[], None]) -> R:
    """Run ``body`` and close ``report.run_id``'s row in ``runs`` as completed or failed
    (with the error and what was done so far); failures are re-raised. A damaged database
    is left as it is (the row stays ``running``). The stats include ``commit_retries`` when
    the store's writes lost commit races meanwhile (a DuckLake written by several processes;
    counted per store object, so concurrent runs in one process share the count)."""
    before = store.conflicts

    def stats() -> dict[str, Any]:
        stats = report.stats()
        if store.conflicts > before:
            stats["commit_retries"] = store.conflicts - before
        return stats

    try:
        body()
    except DatabaseDamagedError:
        raise  # nothing more is written to a damaged file, not even the run's end
    except BaseException as exc:
        store.finish_run(report.run_id, status="failed", error=f"{exc.__class__.__name__}: {exc}", stats=stats())
        raise
    store.finish_run(report.run_id, status="completed", stats=stats())
    return report
