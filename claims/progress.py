"""Progress of the long passes (evaluation, monitoring, re-verification), for whoever
shows it.

The library only counts: :func:`track` wraps a loop and reports ``(what, done, total)``
to the reporter installed by :func:`reporting` in the current context, or to nobody (the
default, and what a notebook or a flow gets). The command installs one that draws a
progress bar on a terminal's standard error (``claims_cli.context.progress``); the
library knows nothing of how it is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

__all__ = ["Reporter", "reporting", "track"]

T = TypeVar("T")
Reporter = Callable[[str, int, "int | None"], None]  # (what, done, total or None when unknown)

_reporter: ContextVar[Reporter | None] = ContextVar("claims_progress_reporter", default=None)


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    """Within this block, :func:`track` loops of this context report to ``reporter``."""
    token = _reporter.set(reporter)
    try:
        yield
    finally:
        _reporter.reset(token)


def track(items: Iterable[T], what: str, total: int | None = None) -> Iterator[T]:
    """``items``, one by one; each one done is reported as ``(what, done, total)``
    (``total``: given, else ``len(items)`` when it has one)."""
    reporter = _reporter.get()
    if reporter is None:
        yield from items
        return
    if total is None and isinstance(items, Sized):
        total = len(items)
    reporter(what, 0, total)
    for done, item in enumerate(items, start=1):
        yield item
        reporter(what, done, total)
