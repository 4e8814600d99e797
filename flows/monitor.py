"""The ``monitor-feeds`` flow: new articles of the configured feeds, each verified.

The pass is the library's (:func:`claims.monitor.monitor`): this flow resolves the settings
(with secrets) and passes a runner that makes each step a Prefect task, one
``verify-article`` task per article, at most ``monitor_concurrency`` at a time on the task
runner the settings choose (threads, or a Dask cluster: :mod:`flows.runners`). It publishes
a markdown summary (counts, failures, verdict changes) and a table of its articles, both
under stable keys.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from claims.monitor import monitor
from flows.runners import PrefectRunner, current_flow_run_id
from flows.secrets import with_credentials
from flows.settings import flow_settings

__all__ = ["SUMMARY_KEY", "TABLE_KEY", "monitor_feeds"]

SUMMARY_KEY = "monitor-feeds-summary"
TABLE_KEY = "monitor-feeds-articles"


@flow(name="monitor-feeds")
def monitor_feeds(feeds: list[str] | None = None, config: str | None = None,
                  overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Verify the articles of the feeds (default: ``sources.feeds.feeds``) not seen before.
    A feed given without its credentials gets them from the settings' feeds."""
    settings = flow_settings(config, overrides)
    report = monitor(settings, with_credentials(feeds, settings), runner=PrefectRunner(settings),
                     flow_run_id=current_flow_run_id())
    create_markdown_artifact(key=SUMMARY_KEY, markdown=report.markdown(),
                             description=f"Feed monitoring run {report.run_id}")
    create_table_artifact(key=TABLE_KEY, table=report.table_rows(),
                          description=f"Articles taken by monitoring run {report.run_id}")
    get_run_logger().info("verified %d, duplicates %d, failed %d; verdicts %s", report.count("completed"),
                          report.count("duplicate"), report.count("failed"), report.label_counts())
    return report.summary()
