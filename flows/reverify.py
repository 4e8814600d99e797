"""The ``reverify-claims`` flow: open or stale claims judged again, verdicts appended.

The pass is the library's (:func:`claims.reverify.reverify_due`): this flow resolves the
settings (with secrets) and passes a runner that makes each step a Prefect task, one
``reverify-batch`` task per batch of claims on the settings' task runner. It publishes a
markdown summary and a table of the verdicts that changed, under stable keys.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from claims.reverify import reverify_due
from flows.runners import PrefectRunner, current_flow_run_id
from flows.settings import flow_settings

__all__ = ["SUMMARY_KEY", "TABLE_KEY", "reverify_claims"]

SUMMARY_KEY = "reverify-claims-summary"
TABLE_KEY = "reverify-claims-changes"


@flow(name="reverify-claims")
def reverify_claims(claim_ids: list[str] | None = None, older_than_days: float | None = None,
                    config: str | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Judge again the given claims, or those due (see :func:`claims.reverify.claims_to_reverify`)."""
    settings = flow_settings(config, overrides)
    report = reverify_due(settings, claim_ids, older_than_days=older_than_days, runner=PrefectRunner(settings),
                          flow_run_id=current_flow_run_id())
    create_markdown_artifact(key=SUMMARY_KEY, markdown=report.markdown(),
                             description="Claims re-verified and verdict changes")
    create_table_artifact(key=TABLE_KEY, table=report.table_rows(),
                          description="Verdict changes of this re-verification")
    get_run_logger().info("%d claims re-checked, %d verdicts changed", report.selected, len(report.changes))
    return report.summary()
