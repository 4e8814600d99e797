"""Re-verification: open claims judged again when new sources appear, verdict rows
appended (history kept), the change visible in the ``verdict_changes`` view, and the
``reverify-claims`` flow's artifacts."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from claims import pipeline
from claims.ingest import document_from_text
from claims.models import Claim, Document
from claims.reverify import claims_to_reverify, load_claims, reverify
from claims.settings import Settings
from claims.store import Store, open_store, run_user_query
from tests.conftest import CORPUS

ARTICLE = ("---\ntitle: Kursk\noutlet: Re Wire\npublished: 2024-10-31\n---\n"
           "US Secretary of State Antony Blinken said on Thursday that 8,000 North Korean soldiers were in "
           "Russia's Kursk region near the border with Ukraine.\n")
IRRELEVANT = "2024-10-11-bank-of-korea-rate-cut.md"
ARRIVES_LATER = "2024-10-31-blinken-8000-kursk.md"


def rows(store: Store, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    return run_user_query(store, sql, params).rows


@pytest.fixture
def checked(tmp_path: Path) -> tuple[Settings, Store, str]:
    """The article verified while the corpus holds only an unrelated story."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / IRRELEVANT, corpus / IRRELEVANT)
    settings = Settings(db=tmp_path / "r.duckdb")
    settings.sources.corpus.path = corpus
    store = open_store(settings)
    report = pipeline.verify(document_from_text(ARTICLE), settings, store=store)
    [claim] = [c for c in report.claims if c.quantity is not None and c.quantity.value == 8000]
    return settings, store, claim.id


def test_open_claim_rejudged_when_a_source_appears(checked: tuple[Settings, Store, str]) -> None:
    settings, store, claim_id = checked
    assert rows(store, "SELECT label FROM verdicts WHERE claim_id = $c", {"c": claim_id}) == [("not_enough_evidence",)]
    due = claims_to_reverify(store, settings)
    assert claim_id in due

    shutil.copy(CORPUS / ARRIVES_LATER, settings.sources.corpus.path / ARRIVES_LATER)
    report = reverify(due, settings, store)
    assert {v.claim_id for v in report.verdicts} == set(due)
    history = rows(store, "SELECT label, run_id FROM verdicts WHERE claim_id = $c ORDER BY created_at", {"c": claim_id})
    assert [h[0] for h in history] == ["not_enough_evidence", "supported"] and history[1][1] == report.run_id
    assert rows(store, "SELECT flow_name, status FROM runs WHERE id = $r", {"r": report.run_id}) == \
        [("reverify-claims", "completed")]

    [change] = [c for c in store.verdict_changes([report.run_id]) if c["claim_id"] == claim_id]
    assert (change["previous_label"], change["new_label"]) == ("not_enough_evidence", "supported")
    assert change["new_evidence_count"] >= 1
    cited = rows(store, "SELECT DISTINCT d.url FROM evidence e JOIN documents d ON d.id = e.document_id "
                        "WHERE e.run_id = $r AND e.claim_id = $c AND e.stance = 'support'",
                 {"r": report.run_id, "c": claim_id})
    assert ("https://news.example.org/2024/10/31/blinken-north-korean-soldiers-kursk",) in cited

    # Supported now, and recent: no longer due unless older than the age limit.
    assert claim_id not in claims_to_reverify(store, settings)
    assert claim_id in claims_to_reverify(store, settings, now=datetime.now(UTC).replace(tzinfo=None) + timedelta(days=8))


def test_unchanged_sources_give_the_same_verdicts(checked: tuple[Settings, Store, str]) -> None:
    settings, store, _ = checked
    before = dict(rows(store, "SELECT claim_id, label FROM verdicts"))
    report = reverify(list(before), settings, store)
    assert {v.claim_id: v.label for v in report.verdicts} == before
    assert store.verdict_changes([report.run_id]) == []
    assert rows(store, "SELECT count(*) FROM verdicts") == [(2 * len(before),)]


def test_claims_rebuilt_from_the_store_match_extraction(checked: tuple[Settings, Store, str]) -> None:
    _, store, claim_id = checked
    [claim], [document] = load_claims(store, [claim_id])
    assert claim.quantity is not None and (claim.quantity.value, claim.quantity.unit) == (8000, "North Korean soldiers")
    assert document.id == claim.document_id and "Kursk" in document.text


def test_claims_without_a_verdict_are_due_once_their_run_is_stale(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "u.duckdb", monitor_lease_minutes=30)
    store = open_store(settings)
    doc = Document.make("A killed run stored this claim about 8,000 soldiers.")
    store.upsert_documents([doc])
    store.upsert_claims([Claim(id="orphan", document_id=doc.id, text=doc.text, start=0, end=len(doc.text),
                               checkworthiness=0.9)])
    assert claims_to_reverify(store, settings) == []  # its run may still be going
    with store.transaction() as con:
        con.execute("UPDATE claims SET created_at = created_at - INTERVAL 1 HOUR")
    assert claims_to_reverify(store, settings) == ["orphan"]


@pytest.mark.slow
def test_flow_publishes_changes(checked: tuple[Settings, Store, str], prefect_harness: None) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.reverify import SUMMARY_KEY, TABLE_KEY, reverify_claims

    settings, store, _ = checked
    shutil.copy(CORPUS / ARRIVES_LATER, settings.sources.corpus.path / ARRIVES_LATER)
    result = reverify_claims(overrides={"db": str(settings.db),
                                        "sources": {"corpus": {"path": str(settings.sources.corpus.path)}}})
    assert result["claims"] >= 1 and result["changes"] >= 1 and result["failed_batches"] == []
    flow_run_id = rows(store, "SELECT flow_run_id FROM runs WHERE id = $r", {"r": result["run_ids"][0]})[0][0]

    async def mine(key: str) -> Any:
        async with get_client() as client:
            found = await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
        return [a for a in found if str(a.flow_run_id) == flow_run_id]

    [table] = asyncio.run(mine(TABLE_KEY))
    data = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert any(r["before"] == "not_enough_evidence" and r["now"] == "supported" for r in data)
    [summary] = asyncio.run(mine(SUMMARY_KEY))
    assert "not_enough_evidence | supported" in summary.data


@pytest.mark.slow
def test_reverify_after_the_main_job_changes_no_verdict(existing_db: Path) -> None:
    """Right after `make demo`, re-checking every claim against the same corpus gives every
    claim the label its first run gave (one engine: a claim read back from the store, its
    scope included, is judged by the same checks as when it was extracted)."""
    settings = Settings(db=existing_db)
    settings.sources.corpus.path = CORPUS
    store = open_store(settings)
    before = dict(rows(store, "SELECT claim_id, label FROM latest_verdicts"))
    assert len(before) >= 5
    report = reverify(list(before), settings, store)
    assert {v.claim_id: v.label for v in report.verdicts} == before
    assert store.verdict_changes([report.run_id]) == []
