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
stats, ``failed`` with the error and what was done so far, or ``cancelled`` when Ctrl-C
stopped it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

import duckdb

from claims.errors import ClaimsError, DatabaseDamagedError
from claims.store import Store
from claims.store.connection import disk_full, is_disk_full

__all__ = ["LOCAL", "LocalRunner", "StageRunner", "Tracked", "tracked_run"]

log = logging.getLogger(__name__)

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
    (with the error and what was done so far); failures are re-raised, a full disk's as one
    :class:`~claims.errors.DiskFullError` line. A damaged database is left as it is (the row
    stays ``running``). Room for the run's end is kept while it runs and given back to record
    it when the disk fills (:mod:`claims.store.space`). The stats include ``commit_retries`` when
    the store's writes lost commit races meanwhile (a DuckLake written by several processes;
    counted per store object, so concurrent runs in one process share the count)."""
    before = store.conflicts

    def stats() -> dict[str, Any]:
        stats = report.stats()
        if store.conflicts > before:
            stats["commit_retries"] = store.conflicts - before
        return stats

    reserve = store.reserve_space(report.run_id)
    try:
        body()
    except DatabaseDamagedError:
        raise  # nothing more is written to a damaged file, not even the run's end
    except BaseException as exc:
        full = is_disk_full(exc)
        if full:
            reserve.release()  # the room kept for this write
        failure = disk_full("a file", exc) if full and not isinstance(exc, ClaimsError) else exc
        # Ctrl-C: stopped by its user, not failed
        _record_failure(store, report.run_id, failure, stats,
                        status="cancelled" if isinstance(exc, KeyboardInterrupt) else "failed")
        if failure is not exc:
            raise failure from exc
        raise
    finally:
        reserve.release()
    store.finish_run(report.run_id, status="completed", stats=stats())
    return report


def _record_failure(store: Store, run_id: str, exc: BaseException, stats: Callable[[], dict[str, Any]],
                    status: str = "failed") -> None:
    """Mark the run ``failed`` with ``exc`` (``cancelled``: interrupted by its user); should
    that write fail too, say so in the log (the run's own error is what the caller raises;
    the next run marks this one abandoned)."""
    error = "interrupted (Ctrl-C)" if isinstance(exc, KeyboardInterrupt) else f"{exc.__class__.__name__}: {exc}"
    try:
        store.finish_run(run_id, status=status, error=error, stats=stats())
    except (ClaimsError, duckdb.Error) as second:
        log.warning("run %s failed and its end could not be recorded (%s)", run_id, second)
