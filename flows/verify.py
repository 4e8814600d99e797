"""The ``verify-document`` flow: one article through every stage of the pipeline.

The stages and their order are the library's (:func:`claims.pipeline.verify_source`); this
flow resolves the settings (with secrets), passes a runner that makes each stage a Prefect
task of the flow run, and publishes a table artifact of the verdicts.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from claims import pipeline
from claims.models import Document
from claims.pipeline import RunReport, verdict_rows
from flows.runners import PrefectRunner, current_flow_run_id
from flows.settings import flow_settings

__all__ = ["ARTIFACT_KEY", "verify_document"]

ARTIFACT_KEY = "verify-document-verdicts"


@flow(name="verify-document")
def verify_document(source: str, text: str | None = None, config: str | None = None,
                    overrides: dict[str, Any] | None = None, title: str | None = None,
                    outlet: str | None = None, published: str | None = None,
                    document: Document | None = None) -> RunReport:
    """Verify one article: a path, an http(s) URL, or ``text`` given directly (named
    ``source``); or a ``document`` already read (by ``claims check``, which reads its
    input once)."""
    logger = get_run_logger()
    settings = flow_settings(config, overrides)
    runner = PrefectRunner(settings)
    if document is None:
        meta = {k: v for k, v in {"title": title, "outlet": outlet, "published": published}.items() if v}
        report = pipeline.verify_source(source, settings, text=text, meta=meta, runner=runner,
                                        flow_run_id=current_flow_run_id())
    else:
        report = pipeline.verify(document, settings, runner=runner, flow_run_id=current_flow_run_id(),
                                 source=source)
    rows = verdict_rows(report)
    if rows:
        create_table_artifact(key=ARTIFACT_KEY, table=rows, description=f"Verdicts for {source} (run {report.run_id})")
    logger.info("%d claims; verdicts: %s", len(report.claims), report.label_counts())
    return report
