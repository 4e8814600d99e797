"""Feed monitoring without an orchestrator: which feed articles are new, and verifying them.

One pass (:func:`monitor`) reads the feeds, *claims* the entries it will verify, verifies
each claimed article with :func:`claims.pipeline.verify` and records the outcome per
article in the ``feed_items`` table (migration 004). The pass is written once and run by a
:class:`~claims.runner.StageRunner`: threads by default (``claims monitor``, a notebook);
the ``monitor-feeds`` flow passes a runner that makes each step a Prefect task and maps
the articles on the flow's task runner.

What "new" means. An entry is skipped when its canonical URL is in ``feed_items`` as
completed, duplicate or stored, or failed ``monitor_max_attempts`` times, or when a
document with that URL already has claims (it was verified another way; recorded as
``stored``). After the fetch, an article whose text (content hash) or final URL matches a
document that has claims is recorded as ``duplicate`` and not verified again.

Overlapping runs never take the same article (:mod:`claims.store.feeds`); a run killed
mid-article leaves its rows ``running``, taken again once ``monitor_lease_minutes`` have
passed since the claim.

Failures are isolated: an article that cannot be fetched, has no text, or fails in the
pipeline is recorded as ``failed`` with its one-line error, and the other articles go on.
A pass whose every feed failed fails itself (one :class:`~claims.errors.FetchError`), and so
does a pass that verified no article while at least one failed (:class:`NothingVerifiedError`,
which carries the pass's report): a schedule whose articles all fail must not look healthy.

Copies within one pass: two entries that turn out to be one article (the same text or the
same final URL: two feeds or two addresses carrying one story) are verified once, the
later one recorded as its ``duplicate`` (:meth:`~claims.store.Store.take_article`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from claims.errors import ClaimsError, ConfigError, FetchError
from claims.models import Document, FeedEntry
from claims.pipeline import verify
from claims.progress import track
from claims.runner import LOCAL, StageRunner, tracked_run
from claims.settings import Settings
from claims.sources.base import SourceError
from claims.sources.feeds import read_feed
from claims.sources.html import fetch_document
from claims.sources.http import Fetcher
from claims.sources.safety import redact_url
from claims.store import Store, open_store
from claims.store.records import ClaimedEntries

__all__ = [
    "ClaimedEntries",
    "FeedScan",
    "ItemOutcome",
    "MonitorReport",
    "NothingVerifiedError",
    "claim_entries",
    "feeds_from_settings",
    "monitor",
    "process_entry",
    "read_feeds",
    "start_monitor_run",
]

log = logging.getLogger(__name__)

FLOW_NAME = "monitor-feeds"


@dataclass
class FeedScan:
    """The usable entries of all feeds (each canonical URL once) and the feeds that failed."""

    entries: list[FeedEntry] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)


@dataclass(frozen=True)
class ItemOutcome:
    """What became of one claimed article. ``seconds`` is the time spent in the library."""

    url: str
    feed_url: str
    status: str  # completed | failed | duplicate
    title: str | None = None
    error: str | None = None
    document_id: str | None = None
    run_id: str | None = None
    claims: int = 0
    labels: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    started_at: float = 0.0  # time.time() when the library began this article


class NothingVerifiedError(FetchError):
    """A pass that verified no article while at least one failed; ``report`` is the pass
    (its run is recorded as ``failed``)."""

    def __init__(self, message: str, report: MonitorReport) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class MonitorReport:
    """One monitoring pass: its run id, feeds, skipped entries, outcomes and verdict changes."""

    run_id: str
    feeds: list[str]
    entries: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    feed_errors: list[SourceError] = field(default_factory=list)
    outcomes: list[ItemOutcome] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failures(self) -> list[ItemOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def label_counts(self) -> dict[str, int]:
        return dict(sum((Counter(o.labels) for o in self.outcomes), Counter()))

    def stats(self) -> dict[str, Any]:
        return {
            "feeds": len(self.feeds), "entries": self.entries, "skipped": self.skipped,
            "verified": self.count("completed"), "failed": self.count("failed"),
            "duplicates": self.count("duplicate"), "labels": self.label_counts(),
            "feed_errors": [f"{e.target}: {e.error}" for e in self.feed_errors],
            "verdict_changes": len(self.changes),
        }

    def summary(self) -> dict[str, Any]:
        """The pass as plain data: its run id, stats, failures and each article taken."""
        return {"run_id": self.run_id, **self.stats(),
                "failures": [{"url": o.url, "error": o.error} for o in self.failures],
                "articles": [{"url": o.url, "status": o.status, "claims": o.claims, "seconds": round(o.seconds, 3),
                              "started_at": o.started_at} for o in self.outcomes]}

    def table_rows(self) -> list[dict[str, Any]]:
        """One row per article taken by this run, for a table artifact."""
        return [{
            "article": o.title or o.url, "url": o.url, "status": o.status, "claims": o.claims,
            "verdicts": ", ".join(f"{n} {label}" for label, n in sorted(o.labels.items())),
            "error": o.error or "", "run_id": o.run_id or "",
        } for o in self.outcomes]

    def markdown(self) -> str:
        """A summary for people: counts, failures with their errors, verdict changes."""
        lines = [
            f"# Feed monitoring run `{self.run_id}`", "",
            "| feeds | entries | new articles | verified | duplicates | failed | skipped (already known) |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            (f"| {len(self.feeds)} | {self.entries} | {len(self.outcomes)} | {self.count('completed')} | "
             f"{self.count('duplicate')} | {self.count('failed')} | {sum(self.skipped.values())} |"), "",
        ]
        labels = self.label_counts()
        if labels:
            lines += ["**Verdicts:** " + ", ".join(f"{n} {label}" for label, n in sorted(labels.items())), ""]
        if self.feed_errors:
            lines += ["## Feeds that could not be read", ""]
            lines += [f"- `{e.target}`: {e.error}" for e in self.feed_errors] + [""]
        if self.failures:
            lines += ["## Failed articles", ""]
            lines += [f"- `{o.url}`: {o.error}" for o in self.failures] + [""]
        lines += ["## Verdict changes", ""]
        if self.changes:
            lines += ["| claim | before | now |", "|---|---|---|"]
            lines += [f"| {c['claim'][:120]} | {c['previous_label']} | {c['new_label']} |" for c in self.changes]
        else:
            lines.append("None.")
        return "\n".join(lines) + "\n"


def feeds_from_settings(settings: Settings, feeds: Sequence[str] | None = None) -> list[str]:
    """The feeds to monitor: those given, else ``sources.feeds.feeds``."""
    chosen = list(feeds) if feeds else list(settings.sources.feeds.feeds)
    if not chosen:
        raise ConfigError("no feeds to monitor: give feed URLs or set sources.feeds.feeds in claims.toml")
    return chosen


def start_monitor_run(store: Store, feeds: Sequence[str], *, flow_run_id: str | None = None) -> str:
    """A ``runs`` row for the pass itself (its articles get verification runs of their own)."""
    return store.start_run(flow_name=FLOW_NAME, input=", ".join(redact_url(f) for f in feeds),
                           parameters={"feeds": [redact_url(f) for f in feeds]}, flow_run_id=flow_run_id)


# -- the steps -------------------------------------------------------------------------------


def read_feeds(feeds: Sequence[str], settings: Settings, store: Store | None = None,
               run_id: str | None = None) -> FeedScan:
    """Fetch every feed once (one HTTP client); a feed that fails is reported, not raised."""
    return asyncio.run(_read_feeds(list(feeds), settings, store, run_id))


async def _read_feeds(feeds: list[str], settings: Settings, store: Store | None, run_id: str | None) -> FeedScan:
    scan = FeedScan()
    seen: set[str] = set()
    async with Fetcher(settings.http, store=store, run_id=run_id) as fetcher:
        results = await asyncio.gather(*(read_feed(fetcher, url) for url in feeds), return_exceptions=True)
    for url, result in zip(feeds, results):
        if isinstance(result, ClaimsError):
            scan.errors.append(SourceError("feeds", redact_url(url), str(result)))
            continue
        if isinstance(result, BaseException):
            raise result
        for entry in result[: settings.sources.feeds.max_entries]:
            if entry.url not in seen:
                seen.add(entry.url)
                scan.entries.append(entry)
    for error in scan.errors:
        log.warning("feed failed: %s: %s", error.target, error.error)
    log.info("%d feeds: %d entries, %d feeds failed", len(feeds), len(scan.entries), len(scan.errors))
    return scan


def claim_entries(store: Store, entries: Sequence[FeedEntry], run_id: str, settings: Settings,
                  now: datetime | None = None) -> ClaimedEntries:
    """Take the entries that are new (or whose earlier attempt failed or was abandoned) for
    run ``run_id``, in one transaction; see the module docstring for the rules."""
    result = store.claim_feed_entries(entries, run_id, lease=timedelta(minutes=settings.monitor_lease_minutes),
                                      max_attempts=settings.monitor_max_attempts, now=now)
    log.info("claimed %d of %d entries (skipped: %s)", len(result.claimed), len(entries), result.skipped)
    return result


async def _fetch_article(url: str, settings: Settings, store: Store, run_id: str) -> Document:
    async with Fetcher(settings.http, store=store, run_id=run_id) as fetcher:
        return await fetch_document(fetcher, url, source_kind="feed")


def process_entry(entry: FeedEntry, settings: Settings, store: Store | None = None, *,
                  monitor_run_id: str, flow_run_id: str | None = None) -> ItemOutcome:
    """Fetch one claimed article, verify it unless it is a copy of a verified one, and
    record the outcome. Never raises for a failure of this article: it is recorded."""
    store = store or open_store(settings)
    started, started_at = time.perf_counter(), time.time()
    document: Document | None = None
    try:
        document = asyncio.run(_fetch_article(entry.url, settings, store, monitor_run_id))
        if entry.published and document.published_at is None:
            document = dataclasses.replace(document, published_at=entry.published)
        # a copy of an article verified before, or of one this pass took (two feeds, or two
        # addresses, carrying one story): recorded as a duplicate, verified once
        copy_of = store.verified_copy(document) or store.take_article(entry.url, monitor_run_id, document)
        if copy_of is not None:
            outcome = ItemOutcome(redact_url(entry.url), entry.feed_url, "duplicate", title=document.title or entry.title,
                                  document_id=copy_of, seconds=time.perf_counter() - started,
                                  started_at=started_at)
        else:
            report = verify(document, settings, store=store, flow_run_id=flow_run_id, flow_name=FLOW_NAME)
            outcome = ItemOutcome(redact_url(entry.url), entry.feed_url, "completed", title=document.title or entry.title,
                                  document_id=document.id, run_id=report.run_id, claims=len(report.claims),
                                  labels=report.label_counts(), seconds=time.perf_counter() - started,
                                  started_at=started_at)
    except Exception as exc:  # noqa: BLE001 - one bad article must not stop the others; recorded below
        message = str(exc) if isinstance(exc, ClaimsError) else f"{exc.__class__.__name__}: {exc}"
        log.warning("article %s failed: %s", redact_url(entry.url), message)
        outcome = ItemOutcome(redact_url(entry.url), entry.feed_url, "failed", title=entry.title,
                              error=" ".join(message.split())[:1000],
                              document_id=document.id if document else None,
                              seconds=time.perf_counter() - started, started_at=started_at)
    store.record_feed_outcome(entry.url, monitor_run_id, status=outcome.status, error=outcome.error,
                              document_id=outcome.document_id, run_id=outcome.run_id,
                              content_hash=document.content_hash if document else None, title=outcome.title)
    return outcome


# -- one whole pass --------------------------------------------------------------------------


def _every_feed_failed(errors: Sequence[SourceError]) -> FetchError:
    """The one-line error of a pass that could read none of its feeds (the run fails)."""
    more = f" (and {len(errors) - 1} more feeds)" if len(errors) > 1 else ""
    return FetchError(f"every feed failed, nothing to verify: {errors[0].target}: {errors[0].error}{more}")


def _nothing_verified(report: MonitorReport) -> NothingVerifiedError:
    """The one-line error of a pass that verified none of its articles and failed some."""
    first = report.failures[0]
    return NothingVerifiedError(
        f"no article verified: {report.count('failed')} of {len(report.outcomes)} failed (first: {first.url}: "
        f"{first.error}); the failed articles are retried by the next pass (up to monitor_max_attempts)", report)


def monitor(settings: Settings, feeds: Sequence[str] | None = None, *, store: Store | None = None,
            runner: StageRunner = LOCAL, flow_run_id: str | None = None,
            on_outcome: Callable[[ItemOutcome], None] | None = None) -> MonitorReport:
    """One monitoring pass: the feeds read, the new entries taken, ``monitor_concurrency``
    articles verified at once (threads, or the runner's task runner), the verdict changes
    attached, the pass's ``runs`` row closed."""
    feed_urls = feeds_from_settings(settings, feeds)
    store = store or open_store(settings)
    store.mark_abandoned_runs(timedelta(minutes=settings.monitor_lease_minutes))
    report = MonitorReport(run_id=start_monitor_run(store, feed_urls, flow_run_id=flow_run_id), feeds=feed_urls)

    def body() -> None:
        scan = runner.run("read_feeds", read_feeds, feed_urls, settings, store, report.run_id)
        report.entries, report.feed_errors = len(scan.entries), scan.errors
        if len(scan.errors) == len(feed_urls):
            raise _every_feed_failed(scan.errors)
        taken = runner.run("claim_entries", claim_entries, store, scan.entries, report.run_id, settings)
        report.skipped = taken.skipped
        verified = runner.map("verify-article", process_entry, taken.claimed, limit=settings.monitor_concurrency,
                              settings=settings, store=store, monitor_run_id=report.run_id, flow_run_id=flow_run_id)
        for outcome in track(verified, "verifying articles", total=len(taken.claimed)):
            if isinstance(outcome, Exception):  # process_entry records an article's failure itself
                raise outcome
            report.outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
        report.changes = store.verdict_changes([o.run_id for o in report.outcomes if o.run_id and
                                                o.status == "completed"])
        if report.count("completed") == 0 and report.failures:
            raise _nothing_verified(report)

    return tracked_run(store, report, body)
