"""A claim's scope and its evidence's scope notes in a real DuckDB file (migration 010):
written by the store, read back into :class:`Claim`, and shown by the views."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest

from claims.models import Claim, Document, Evidence, Passage, Scope, Verdict, stable_id
from claims.store import SCHEMA_VERSION, Store
from claims.store.connection import migration_files
from tests.test_report_views import History, build_history, rows

KURSK = Scope(thing="North Korean troops", status="deployed", place="Russia's Kursk", start=date(2024, 10, 1),
              end=date(2024, 10, 31), time_text="in October", holder="the Pentagon", bound="as many as")


def _store(tmp_path: Path) -> tuple[Store, Document]:
    store = Store(tmp_path / "claims.duckdb")
    store.migrate()
    doc = Document.make("The Pentagon said as many as 8,000 North Korean troops were in Russia's Kursk in October. "
                        "Turnout was high.", url="https://a.example/x", outlet="A")
    store.upsert_documents([doc])
    return store, doc


def _store_of(history: History) -> Store:
    return history["store"]


def _claim(doc: Document, claim_id: str, scope: Scope | None) -> Claim:
    return Claim(id=claim_id, document_id=doc.id, text=doc.text, start=0, end=len(doc.text), checkworthiness=0.9,
                 scope=scope)


def test_a_claims_scope_is_read_back_as_written(tmp_path: Path) -> None:
    store, doc = _store(tmp_path)
    store.upsert_claims([_claim(doc, "c1", KURSK), _claim(doc, "c2", None)])
    first, second = store.load_claims(["c1", "c2"])
    assert first.scope == KURSK
    assert second.scope is None


def test_a_partial_scope_keeps_its_nulls(tmp_path: Path) -> None:
    store, doc = _store(tmp_path)
    before = Scope(thing="ballots", end=date(2024, 11, 5))  # "some time before 5 Nov", no place, holder or bound
    store.upsert_claims([_claim(doc, "c1", before)])
    assert store.load_claims(["c1"])[0].scope == before


def test_a_claim_stored_again_takes_its_new_scope(tmp_path: Path) -> None:
    """The scope is derived from the sentence, as the quantity is: a new extraction replaces it."""
    store, doc = _store(tmp_path)
    store.upsert_claims([_claim(doc, "c1", KURSK)])
    narrower = Scope(thing="North Korean troops", place="Kursk", start=date(2024, 10, 31), end=date(2024, 10, 31))
    assert store.upsert_claims([_claim(doc, "c1", narrower)]) == 0
    assert store.load_claims(["c1"])[0].scope == narrower
    store.upsert_claims([_claim(doc, "c1", None)])
    assert store.load_claims(["c1"])[0].scope is None


def test_an_evidence_scope_note_is_saved_and_shown_by_claim_evidence(tmp_path: Path) -> None:
    store, doc = _store(tmp_path)
    claim = _claim(doc, "c1", KURSK)
    store.upsert_claims([claim])
    source = Document.make("Officials said 3,000 troops were sent in 2023.", url="https://b.example/y", outlet="B")
    other = Document.make("Officials said 10,000 troops were sent in October.", url="https://c.example/z", outlet="C")
    store.upsert_documents([source, other])
    evidence = []
    for rank, (d, note) in enumerate([(source, "another time"), (other, "")], start=1):
        passage = Passage(id=stable_id(d.id, d.text), document_id=d.id, position=0, text=d.text, end=len(d.text))
        evidence.append(Evidence(claim_id=claim.id, passage=passage, document=d, similarity=0.8, rank=rank,
                                 scope_note=note))
    store.upsert_passages([e.passage for e in evidence], np.zeros((2, 4), dtype=np.float32), "test")
    store.save_verdicts("run-1", [Verdict(claim.id, "not_enough_evidence", 0.5, "", evidence)])
    got = rows(store, "SELECT source, scope_note FROM claim_evidence ORDER BY rank")
    assert got == [{"source": "B", "scope_note": "another time"}, {"source": "C", "scope_note": None}]
    assert rows(store, "SELECT scope_note FROM evidence ORDER BY rank") == [
        {"scope_note": "another time"}, {"scope_note": None}]


def test_latest_verdicts_describes_the_scope_as_the_model_does(tmp_path: Path) -> None:
    h = build_history(tmp_path / "claims.duckdb", scope=KURSK, notes={"later": "another place"})
    (row,) = rows(_store_of(h), "SELECT scope FROM latest_verdicts")
    assert row["scope"] == KURSK.describe() == (
        "North Korean troops (deployed); in Russia's Kursk; 1 Oct-31 Oct 2024 (in October); per the Pentagon; "
        "as many as")
    notes = rows(_store_of(h), "SELECT run_id, source, scope_note FROM claim_evidence ORDER BY run_id, rank")
    assert [(r["run_id"], r["source"], r["scope_note"]) for r in notes] == [
        ("run-1", "Harbor Times", None), ("run-1", "Pacific Wire", None),
        ("run-2", "later.example", "another place"), ("run-2", "Harbor Times", None)]


@pytest.mark.parametrize("scope", [
    Scope(start=date(2024, 10, 28), end=date(2024, 10, 28)),  # the article's date only
    Scope(thing="ballots", status="rejected", end=date(2024, 11, 5), time_text="originally"),
    Scope(place="Kursk", holder="NATO"),
    Scope(bound="about", start=date(2023, 12, 25), end=date(2024, 1, 7), time_text="over the holidays"),
])
def test_the_scope_column_matches_describe_for_partial_scopes(tmp_path: Path, scope: Scope) -> None:
    h = build_history(tmp_path / "claims.duckdb", scope=scope)
    assert rows(_store_of(h), "SELECT scope FROM latest_verdicts")[0]["scope"] == scope.describe()


def test_without_a_scope_the_column_is_null(tmp_path: Path) -> None:
    h = build_history(tmp_path / "claims.duckdb")
    assert rows(_store_of(h), "SELECT scope FROM latest_verdicts") == [{"scope": None}]
    assert {r["scope_note"] for r in rows(_store_of(h), "SELECT scope_note FROM claim_evidence")} == {None}


def test_a_version_9_file_gains_the_scope_columns_and_keeps_its_claims(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    for version, name, sql in migration_files():
        if version <= 9:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
    con.execute("INSERT INTO claims (id, document_id, text, char_start, char_end, checkworthiness) "
                "VALUES ('old', 'd1', 'An old claim of 5 things.', 0, 25, 0.9)")
    con.close()
    store = Store(path)
    assert store.migrate() == SCHEMA_VERSION >= 10
    (old,) = store.load_claims(["old"])
    assert old.text == "An old claim of 5 things." and old.scope is None


def test_the_scope_travels_through_a_ducklake(tmp_path: Path) -> None:
    """On a DuckLake (migration 010 without keys, upserts as merges) the scope and the notes
    are written, replaced and read as in a file."""
    from claims.settings import load_settings
    from claims.store import open_store

    lake = open_store(load_settings(store=f"ducklake:{tmp_path / 'catalog.ducklake'}"))
    doc = Document.make("The Pentagon said as many as 8,000 North Korean troops were in Russia's Kursk.", outlet="A")
    lake.upsert_documents([doc])
    lake.upsert_claims([_claim(doc, "c1", None), _claim(doc, "c2", None)])
    lake.upsert_claims([_claim(doc, "c1", KURSK)])  # a merge that fills in the scope
    first, second = lake.load_claims(["c1", "c2"])
    assert (first.scope, second.scope) == (KURSK, None)
    passage = Passage(id=stable_id(doc.id, doc.text), document_id=doc.id, position=0, text=doc.text, end=len(doc.text))
    lake.upsert_passages([passage], np.zeros((1, 4), dtype=np.float32), "test")
    evidence = Evidence(claim_id="c1", passage=passage, document=doc, similarity=0.9, rank=1,
                        scope_note="superseded: revised to 63 (21 Aug)")
    lake.save_verdicts("run-1", [Verdict("c1", "not_enough_evidence", 0.5, "", [evidence])])
    assert rows(lake, "SELECT scope_note FROM claim_evidence") == [{"scope_note": "superseded: revised to 63 (21 Aug)"}]
    assert rows(lake, "SELECT scope FROM latest_verdicts") == [{"scope": KURSK.describe()}]
