"""The ``verify-document`` flow: one article through every stage of the pipeline.

Each task is a thin wrapper over one library call in :mod:`claims.pipeline`; the flow adds
the run row (with Prefect's flow-run id), logging and a table artifact of the verdicts.
Task inputs are documents, arrays and settings, so results are neither cached nor
persisted (``NO_CACHE``): the database is the store of record.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from claims import pipeline
from claims.extract import ExtractionResult
from claims.ingest import document_from_text, read_input
from claims.models import Claim, Document, Verdict
from claims.pipeline import PassageSet, RunReport
from claims.score.verdict import best_evidence
from claims.settings import Settings, load_settings
from claims.sources import SourceResult
from claims.store import Store
from flows.secrets import with_secrets

__all__ = ["verify_document", "verdict_rows", "run_verify"]

_task = task(cache_policy=NO_CACHE, persist_result=False)


@_task
def read_input_task(source: str, settings: Settings, text: str | None, meta: dict[str, Any]) -> Document:
    if text is not None:
        return document_from_text(text, name=source, **meta)
    return read_input(source, settings, **meta)


@_task
def store_input_task(document: Document, store: Store) -> int:
    return store.upsert_documents([document])


@_task
def extract_task(document: Document, settings: Settings, store: Store) -> ExtractionResult:
    return pipeline.extract_stage(document, settings, store, pipeline.embedder_for(settings))


@_task
def gather_task(claims: list[Claim], settings: Settings, store: Store, run_id: str, document: Document) -> SourceResult:
    return pipeline.gather_sources(claims, settings, store, run_id, exclude=[document])


@_task
def passages_task(documents: list[Document], settings: Settings, store: Store) -> PassageSet:
    return pipeline.prepare_passages(documents, settings, store, pipeline.embedder_for(settings))


@_task
def judge_task(extraction: ExtractionResult, passage_set: PassageSet, settings: Settings,
               store: Store) -> list[Verdict]:
    return pipeline.judge_claims(extraction.claims, extraction.claim_vectors, passage_set, settings,
                                 focus_vectors=extraction.focus_vectors, store=store)


@_task
def store_verdicts_task(run_id: str, verdicts: list[Verdict], store: Store, model: str) -> int:
    return store.save_verdicts(run_id, verdicts, model=model)


def verdict_rows(report: RunReport) -> list[dict[str, Any]]:
    """One row per claim for tables and artifacts: claim, verdict, confidence, best source."""
    by_claim = {v.claim_id: v for v in report.verdicts}
    rows = []
    for claim in report.claims:
        v = by_claim.get(claim.id)
        best = best_evidence(v) if v is not None else None
        rows.append({
            "claim": claim.text,
            "verdict": v.label if v else "not_checked",
            "confidence": round(v.confidence, 2) if v else None,
            "best_source": (f"{best.document.outlet or best.document.url or best.document.id}"
                            + (f" ({best.document.published_at:%Y-%m-%d})" if best.document.published_at else ""))
            if best else "",
            "rationale": v.rationale if v else "",
        })
    return rows


def run_verify(source: str, settings: Settings, *, text: str | None = None,
               meta: dict[str, Any] | None = None) -> RunReport:
    """The flow's body; callable from other flows (monitor, reverify) as well."""
    logger = get_run_logger()
    store = pipeline.open_store(settings)
    document = read_input_task(source, settings, text, meta or {})
    run_id = store.start_run(flow_name="verify-document", input=source if source != "-" else document.id,
                             flow_run_id=str(flow_run.id) if flow_run.id else None,
                             parameters={"source": source})
    report = RunReport(run_id=run_id, document=document)

    def body() -> None:
        store_input_task(document, store)
        extraction = extract_task(document, settings, store)
        report.claims = extraction.claims
        logger.info("%d check-worthy claims in %s", len(extraction.claims), source)
        if not extraction.claims:
            return
        sources = gather_task(extraction.claims, settings, store, run_id, document)
        report.errors = sources.errors
        for error in sources.errors:
            logger.warning("source failed: %s %s: %s", error.backend, error.target, error.error)
        passage_set = passages_task(sources.documents, settings, store)
        report.verdicts = judge_task(extraction, passage_set, settings, store)
        store_verdicts_task(run_id, report.verdicts, store, pipeline.embedder_for(settings).name)
        report.counts = pipeline.stage_counts(extraction.claims, sources, passage_set, report.verdicts)

    pipeline.tracked_run(store, report, body)
    rows = verdict_rows(report)
    if rows:
        create_table_artifact(key="verify-document-verdicts", table=rows,
                              description=f"Verdicts for {source} (run {run_id})")
    logger.info("verdicts: %s", report.label_counts())
    return report


@flow(name="verify-document")
def verify_document(source: str, text: str | None = None, config: str | None = None,
                    overrides: dict[str, Any] | None = None, title: str | None = None,
                    outlet: str | None = None, published: str | None = None) -> RunReport:
    """Verify one article: a path, an http(s) URL, or ``text`` given directly."""
    settings = with_secrets(load_settings(config, **(overrides or {})))
    meta = {"title": title, "outlet": outlet, "published": published}
    return run_verify(source, settings, text=text, meta={k: v for k, v in meta.items() if v})
