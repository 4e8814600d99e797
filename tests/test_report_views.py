"""The views over a real DuckDB file written through the Store's own write path: a claim
verified twice (the second run cites a new source and flips the label), as the reverify
flow does."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any, TypedDict

import duckdb
import numpy as np
import pytest

from claims.extract.quantities import parse_quantities
from claims.models import Claim, Document, Evidence, Passage, Scope, Stance, Verdict, stable_id
from claims.store import Store

ARTICLE = ("Officials spoke on Monday.\nSeoul said 8,000 North Korean soldiers are near the border. "
           "Nothing else was said.\nA second paragraph.")


def _doc(text: str, outlet: str | None, day: str | None, url: str | None = None, title: str | None = None,
         kind: str = "corpus") -> Document:
    return Document.make(text, url=url, outlet=outlet, title=title, source_kind=kind,
                         published_at=datetime.fromisoformat(day) if day else None)


def _evidence(claim: Claim, doc: Document, stance: Stance, relation: str, rank: int, sim: float,
              scope_note: str = "") -> Evidence:
    passage = Passage(id=stable_id(doc.id, doc.text), document_id=doc.id, position=0, text=doc.text,
                      start=0, end=len(doc.text))
    quantities = parse_quantities(doc.text)
    return Evidence(claim_id=claim.id, passage=passage, document=doc, similarity=sim, rank=rank,
                    stance=stance, stance_score=0.9 if stance != "neutral" else 0.0,
                    quantity_relation=relation, passage_quantity=quantities[0] if quantities else None,
                    scope_note=scope_note)


class History(TypedDict):
    """What :func:`build_history` wrote: the store, the claim and its four documents."""

    store: Store
    claim: Claim
    harbor: Document
    pentagon: Document
    later: Document
    article: Document


def build_history(path: Path, *, outlet: str = "Harbor Times", url: str = "https://harbor.example/blinken",
                  title: str = "Blinken says 8,000 soldiers are in Kursk", scope: Scope | None = None,
                  notes: dict[str, str] | None = None) -> History:
    """Two runs over one claim: run 1 supported by two sources, run 2 refuted by a new one.
    ``scope``: the claim's; ``notes``: a scope note for the evidence from "harbor",
    "pentagon" or "later" (in both runs). Returns the ids the tests need."""
    notes = notes or {}
    store = Store(path)
    store.migrate()
    article = _doc(ARTICLE, None, None, kind="input")
    start = ARTICLE.index("Seoul said")
    end = ARTICLE.index("border.") + len("border.")
    quantity = parse_quantities(ARTICLE[start:end])[0]
    claim = Claim(id=stable_id(article.id, start, end), document_id=article.id, text=ARTICLE[start:end],
                  start=start, end=end, checkworthiness=0.9, quantity=quantity, claim_type="numerical",
                  scope=scope)
    harbor = _doc("Blinken said about 8,000 North Korean soldiers were in Kursk.", outlet, "2024-10-31",
                  url=url, title=title)
    pentagon = _doc("The Pentagon said about 10,000 North Korean soldiers were sent to eastern Russia.",
                    "Pacific Wire", "2024-10-28", url="https://www.pacificwire.example/pentagon")
    later = _doc("Officials now put the force at 11,000-12,000 North Korean troops.", None, "2024-11-05",
                 url="https://www.later.example/estimate")
    documents = [article, harbor, pentagon, later]
    store.upsert_documents(documents)
    store.upsert_claims([claim])
    ev1 = [_evidence(claim, harbor, "support", "match", 1, 0.8, notes.get("harbor", "")),
           _evidence(claim, pentagon, "neutral", "other_scope", 2, 0.7, notes.get("pentagon", ""))]
    ev2 = [_evidence(claim, harbor, "support", "match", 2, 0.8, notes.get("harbor", "")),
           _evidence(claim, later, "refute", "mismatch", 1, 0.85, notes.get("later", ""))]
    passages = {e.passage.id: e.passage for e in ev1 + ev2}
    store.upsert_passages(list(passages.values()), np.zeros((len(passages), 4), dtype=np.float32), "test")
    store.save_verdicts("run-1", [Verdict(claim.id, "supported", 0.8, "backed by Harbor Times", ev1, 1, 0, 1)])
    time.sleep(0.01)
    store.save_verdicts("run-2", [Verdict(claim.id, "refuted", 0.7, "contradicted by a later estimate", ev2, 1, 1, 0)])
    return {"store": store, "claim": claim, "harbor": harbor, "pentagon": pentagon, "later": later,
            "article": article}


@pytest.fixture()
def history(tmp_path: Path) -> History:
    return build_history(tmp_path / "claims.duckdb")


def rows(store: Store, sql: str, params: list[object] | None = None) -> list[dict[str, Any]]:
    with store.connect(read_only=True) as con:
        cursor = con.execute(sql, params) if params else con.execute(sql)
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, r)) for r in cursor.fetchall()]


def test_latest_verdicts_has_one_row_per_claim_with_the_newest_label(history: dict) -> None:
    store = history["store"]
    got = rows(store, "SELECT * FROM latest_verdicts")
    assert len(got) == 1
    row = got[0]
    assert row["claim_id"] == history["claim"].id
    assert (row["label"], row["run_id"], row["verdict_count"]) == ("refuted", "run-2", 2)
    assert row["top_sources"] == ["later.example", "Harbor Times"]  # host without www. when no outlet
    assert row["top_source_urls"] == ["https://www.later.example/estimate", "https://harbor.example/blinken"]
    assert row["best_source"] == "later.example (2024-11-05)"
    assert row["n_evidence"] == 2
    assert (row["quantity_value"], row["quantity_unit"]) == (8000.0, "North Korean soldiers")
    assert row["cluster_id"] == history["claim"].id  # no cluster yet: the claim is its own


def test_verdict_changes_shows_the_flip_and_only_the_new_evidence(history: dict) -> None:
    store = history["store"]
    got = rows(store, "SELECT * FROM verdict_changes")
    assert len(got) == 1
    change = got[0]
    assert (change["previous_label"], change["new_label"]) == ("supported", "refuted")
    assert (change["previous_run_id"], change["new_run_id"]) == ("run-1", "run-2")
    assert change["previous_created_at"] < change["new_created_at"]
    assert change["new_evidence_count"] == 1
    new = change["new_evidence"][0]
    assert (new["source"], new["stance"], new["passage_quantity"]) == ("later.example", "refute",
                                                                      "11,000-12,000 North Korean troops")


def test_a_rerun_with_the_same_label_is_not_a_change(history: dict) -> None:
    store, claim, harbor = history["store"], history["claim"], history["harbor"]
    time.sleep(0.01)
    store.save_verdicts("run-3", [Verdict(claim.id, "refuted", 0.75, "still contradicted",
                                          [_evidence(claim, harbor, "support", "match", 1, 0.8)], 1, 0, 0)])
    assert len(rows(store, "SELECT * FROM verdict_changes")) == 1
    assert rows(store, "SELECT run_id, verdict_count FROM latest_verdicts")[0] == {"run_id": "run-3", "verdict_count": 3}


def test_claim_evidence_marks_the_latest_run(history: dict) -> None:
    got = rows(history["store"], "SELECT run_id, source, is_latest, verdict_label, rank FROM claim_evidence "
                                 "ORDER BY run_id, rank")
    assert [(r["run_id"], r["source"], r["is_latest"], r["verdict_label"]) for r in got] == [
        ("run-1", "Harbor Times", False, "supported"),
        ("run-1", "Pacific Wire", False, "supported"),
        ("run-2", "later.example", True, "refuted"),
        ("run-2", "Harbor Times", True, "refuted"),
    ]


def test_quantity_reports_lists_every_figure_by_source_and_date(history: dict) -> None:
    got = rows(history["store"], "SELECT role, source, reported_at, quantity_text, value, low, high, unit, qualifier "
                                 "FROM quantity_reports ORDER BY reported_at NULLS FIRST, source")
    assert [(r["role"], r["source"], r["value"], r["low"], r["high"]) for r in got] == [
        ("claim", "unknown source", 8000.0, 8000.0, 8000.0),  # the input has no outlet, url, title or date
        ("evidence", "Pacific Wire", 10000.0, 9000.0, 11000.0),  # "about" allows 10% either way, as for claims
        ("evidence", "Harbor Times", 8000.0, 7200.0, 8800.0),
        ("evidence", "later.example", 11500.0, 11000.0, 12000.0),
    ]
    assert got[1]["qualifier"] == "about" and got[1]["unit"] == "North Korean soldiers"
    assert got[3]["reported_at"] == datetime(2024, 11, 5)


def test_quantity_reports_reads_the_stored_figures_and_parses_older_rows(history: dict) -> None:
    """Evidence keeps the figure the pipeline parsed (value, bounds, unit, the date it was
    given); rows written before those columns existed are parsed from their text in SQL."""
    store, claim, pentagon = history["store"], history["claim"], history["pentagon"]
    stored = rows(store, "SELECT passage_quantity, passage_quantity_value, passage_quantity_low, "
                         "passage_quantity_high, passage_quantity_unit, passage_quantity_qualifier "
                         "FROM evidence WHERE run_id = 'run-2' ORDER BY rank")
    assert [tuple(r.values()) for r in stored] == [
        ("11,000-12,000 North Korean troops", None, 11000.0, 12000.0, "North Korean troops", None),
        ("about 8,000 North Korean soldiers", 8000.0, 7200.0, 8800.0, "North Korean soldiers", "about"),
    ]
    ev = _evidence(claim, pentagon, "refute", "mismatch", 1, 0.9)
    with store.transaction() as con:  # a row as schema version 5 wrote it: the figure as text only
        con.execute("INSERT INTO evidence (run_id, claim_id, passage_id, document_id, rank, similarity, stance, "
                    "stance_score, quantity_relation, passage_quantity) "
                    "VALUES ('run-3', ?, ?, ?, 1, 0.9, 'refute', 0.9, 'mismatch', 'some 9,500 soldiers')",
                    [claim.id, ev.passage.id, pentagon.id])
        con.execute("INSERT INTO verdicts (run_id, claim_id, label, confidence, rationale, n_support, n_refute, "
                    "n_neutral, model, created_at) VALUES ('run-3', ?, 'refuted', 0.6, '', 0, 1, 0, 'test', "
                    "now() AT TIME ZONE 'UTC')", [claim.id])
    old = rows(store, "SELECT value, low, high, unit, qualifier FROM quantity_reports "
                      "WHERE quantity_text = 'some 9,500 soldiers'")
    assert old == [{"value": 9500.0, "low": 9500.0, "high": 9500.0, "unit": "soldiers", "qualifier": "some"}]


def test_source_agreement_counts_against_the_final_verdict(history: dict) -> None:
    got = {r["source"]: r for r in rows(history["store"], "SELECT * FROM source_agreement")}
    assert set(got) == {"Harbor Times", "later.example"}  # Pacific Wire was cited only by the older run
    assert (got["Harbor Times"]["disagreed"], got["Harbor Times"]["agreed"]) == (1, 0)  # support vs refuted
    assert (got["later.example"]["agreed"], got["later.example"]["agreement_rate"]) == (1, 1.0)


def test_evidence_without_its_verdict_is_invisible(history: dict) -> None:
    """Only complete results: evidence rows of a run that wrote no verdict do not show."""
    store, claim, pentagon = history["store"], history["claim"], history["pentagon"]
    ev = _evidence(claim, pentagon, "refute", "mismatch", 1, 0.9)
    assert ev.passage_quantity is not None
    with store.transaction() as con:
        con.execute("INSERT INTO evidence (run_id, claim_id, passage_id, document_id, rank, similarity, stance, "
                    "stance_score, quantity_relation, passage_quantity) "
                    "VALUES ('run-x', ?, ?, ?, 1, 0.9, 'refute', 0.9, 'mismatch', ?)",
                    [claim.id, ev.passage.id, pentagon.id, ev.passage_quantity.text])
    assert rows(store, "SELECT count(*) AS n FROM claim_evidence WHERE run_id = 'run-x'")[0]["n"] == 0
    assert rows(store, "SELECT run_id FROM latest_verdicts")[0]["run_id"] == "run-2"
    assert rows(store, "SELECT refute FROM source_agreement WHERE source = 'Pacific Wire'") == []


def test_views_are_recreated_idempotently(history: dict) -> None:
    store = history["store"]
    before = rows(store, "SELECT * FROM latest_verdicts")
    store.migrate()
    store.migrate()
    assert rows(store, "SELECT * FROM latest_verdicts") == before


@pytest.mark.parametrize("text", [
    "about 8,000 North Korean soldiers", "between 10,000 and 12,000 troops", "11,000-12,000 soldiers",
    "10,000 to 12,000 soldiers", "some 1.5 million people", "more than 10,000 troops", "at least 3,000 soldiers",
    "up to 3,000 soldiers", "an 8,000-strong force", "1,500 special forces", "10 to 12 million people",
    "fewer than 500 civilians", "nearly 2,000 troops",
])
def test_sql_figures_agree_with_the_python_parser(text: str) -> None:
    """quantity_reports parses evidence figures in SQL; on plain figures, ranges and open
    bounds it must read what claims.extract.quantities reads (hedges are not widened)."""
    q = parse_quantities(text)[0]
    con = duckdb.connect()
    for migration in sorted((Path(__file__).resolve().parent.parent / "claims" / "store" / "migrations").glob("*.sql")):
        con.execute(migration.read_text())
    con.execute((Path(__file__).resolve().parent.parent / "claims" / "store" / "views.sql").read_text())
    row = con.execute(
        "SELECT claims_figures($t), claims_qualifier($t), claims_counted($t), "
        "claims_open_above(claims_qualifier($t)), claims_open_below(claims_qualifier($t))", {"t": q.text}).fetchone()
    assert row is not None
    figures, qualifier, counted, above, below = row
    assert qualifier == q.qualifier
    assert counted == q.unit
    if q.value is None:  # a range: both ends
        assert figures == [q.low, q.high]
    else:
        assert figures == [q.value]
        assert above == (q.high is None)
        assert below == (q.low is None)
