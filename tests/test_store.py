"""The DuckDB store: migrations, schema version, idempotent writes, read-only queries."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import numpy as np
import pytest

from claims.errors import DatabaseLockedError, QueryError, SchemaVersionError
from claims.models import Claim, Document, Passage, Quantity
from claims.store import SCHEMA_VERSION, Store, run_user_query


def test_migrate_creates_public_tables_and_records_version(tmp_path):
    store = Store(tmp_path / "c.duckdb")
    assert store.migrate() == SCHEMA_VERSION
    assert store.migrate() == SCHEMA_VERSION  # idempotent
    result = run_user_query(store, "SELECT table_name FROM duckdb_tables() ORDER BY 1")
    tables = {r[0] for r in result.rows}
    assert {"documents", "claims", "passages", "evidence", "verdicts", "runs", "schema_migrations"} <= tables
    assert store.schema_version() == SCHEMA_VERSION
    columns = {r[0] for r in run_user_query(
        store, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'claims'").rows}
    assert {"id", "document_id", "text", "checkworthiness", "quantity_value", "quantity_low",
            "quantity_high", "quantity_unit"} <= columns


def test_a_file_from_an_older_version_is_upgraded_in_place(tmp_path):
    """A database written by schema version 5 (evidence figures as text only) gains the
    parsed-figure columns and keeps its rows; the views read them."""
    import duckdb

    from claims.store.connection import migration_files

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)")
    for version, name, sql in migration_files():
        if version <= 5:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
    con.execute("INSERT INTO evidence VALUES ('r1', 'c1', 'p1', 'd1', 1, 0.8, 'support', 0.9, 'match', "
                "'about 8,000 soldiers')")
    con.close()
    store = Store(path)
    assert store.migrate() == SCHEMA_VERSION >= 6
    kept = run_user_query(store, "SELECT passage_quantity, passage_quantity_value, quantity_date FROM evidence")
    assert kept.rows == [("about 8,000 soldiers", None, None)]


def test_newer_schema_is_refused(tmp_path):
    store = Store(tmp_path / "c.duckdb")
    store.migrate()
    with store.transaction() as con:
        con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    with pytest.raises(SchemaVersionError, match="newer than this claims"):
        store.migrate()
    with pytest.raises(SchemaVersionError):
        run_user_query(store, "SELECT 1")


def test_upserts_add_nothing_twice(tmp_path):
    store = Store(tmp_path / "c.duckdb")
    store.migrate()
    doc = Document.make("Some text about 8,000 soldiers.", url="https://a.example.org/x", outlet="A")
    assert store.upsert_documents([doc]) == 1
    assert store.upsert_documents([doc, doc]) == 0
    q = Quantity(8000, 8000, 8000, "soldiers", None, "8,000 soldiers", 16, 30)
    claim = Claim(id="c1", document_id=doc.id, text=doc.text, start=0, end=len(doc.text),
                  checkworthiness=0.9, quantity=q)
    assert store.upsert_claims([claim]) == 1
    assert store.upsert_claims([claim]) == 0
    passage = Passage(id="p1", document_id=doc.id, position=0, text=doc.text)
    vec = np.ones((1, 384), dtype=np.float32) / np.sqrt(384)
    assert store.upsert_passages([passage], vec, "m") == 1
    assert store.upsert_passages([passage], vec, "m") == 0
    assert store.stored_passage_ids(["p1", "nope"]) == {"p1"}
    stored = run_user_query(store, "SELECT model, len(embedding), round(list_sum(list_transform(embedding, "
                                   "lambda x: x * x)), 4) FROM passages").rows
    assert stored == [("m", 384, 1.0)]
    row = run_user_query(store, "SELECT quantity_value, quantity_unit FROM claims").rows
    assert row == [(8000.0, "soldiers")]


def test_user_query_is_read_only_and_reports_bad_sql(tmp_path):
    store = Store(tmp_path / "c.duckdb")
    store.migrate()
    with pytest.raises(QueryError, match="read-only"):
        run_user_query(store, "DELETE FROM documents")
    with pytest.raises(QueryError, match="query failed"):
        run_user_query(store, "SELEC 1")
    assert run_user_query(store, "SELECT $x::INT AS x", {"x": "3"}).rows == [(3,)]


def test_lock_held_by_another_process_gives_clear_error(tmp_path):
    path = tmp_path / "c.duckdb"
    Store(path).migrate()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(30)",
         str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(DatabaseLockedError, match="locked by another process"):
            Store(path, lock_timeout=1.0).start_run(flow_name="t", input="x")
    finally:
        holder.kill()
        holder.wait()
    # once released, the same call goes through: nothing was lost or half-written
    run_id = Store(path, lock_timeout=5.0).start_run(flow_name="t", input="x")
    assert run_user_query(Store(path), "SELECT id, status FROM runs").rows == [(run_id, "running")]


def test_run_rows_record_status_and_stats(tmp_path):
    store = Store(tmp_path / "c.duckdb")
    store.migrate()
    run_id = store.start_run(flow_name="verify-document", input="x", flow_run_id="abc")
    store.finish_run(run_id, status="completed", stats={"claims": 3})
    row = run_user_query(store, "SELECT flow_run_id, status, stats->>'claims', finished_at >= started_at FROM runs").rows
    assert row == [("abc", "completed", "3", True)]
    assert isinstance(run_user_query(store, "SELECT started_at FROM runs").rows[0][0], datetime)


def test_rows_sent_as_json_keep_their_values_and_nan_falls_back(tmp_path):
    """insert_json writes strings, numbers, NULLs, dates and timestamps as they are; a row
    holding NaN (which JSON cannot write) still goes in, through parameters."""
    import duckdb

    from claims.store.connection import insert_json, vector_text

    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    con.execute("CREATE TABLE t (a VARCHAR, b INTEGER, c DOUBLE, d DATE, e TIMESTAMP, f VARCHAR, v FLOAT[])")
    when = datetime(2026, 12, 7, 10, 0, 15, 184789)
    vector = np.array([0.1, -0.25, 1e-7, 3.0], dtype=np.float32)
    insert_json(con, "INSERT INTO t (a, b, c, d, e, f)", ("VARCHAR", "INTEGER", "DOUBLE", "DATE", "TIMESTAMP", "VARCHAR"),
                [("it's \"quoted\"", 3, 0.5, when.date(), when, None), ("x", None, None, None, None, "é")])
    insert_json(con, "INSERT INTO t (a, c)", ("VARCHAR", "DOUBLE"), [("nan", float("nan"))])
    con.execute("INSERT INTO t (a, v) VALUES ('vec', CAST(? AS FLOAT[]))", [vector_text(vector)])
    rows = con.execute("SELECT a, b, c, d, e, f FROM t WHERE a <> 'vec' ORDER BY a").fetchall()
    assert rows[0] == ("it's \"quoted\"", 3, 0.5, when.date(), when, None)
    assert rows[1][0] == "nan" and np.isnan(rows[1][2])
    assert rows[2] == ("x", None, None, None, None, "é")
    stored = con.execute("SELECT v FROM t WHERE a = 'vec'").fetchone()[0]
    assert np.array_equal(np.asarray(stored, dtype=np.float32), vector)  # the same float32 values
    assert vector_text(None) is None


def test_ctrl_c_during_a_statement_stays_an_interrupt(tmp_path):
    """DuckDB turns a Ctrl-C during a statement into its own InterruptException, a
    duckdb.Error that a handler of store errors would swallow (a check then ran on and exited
    0); inside the store it is a KeyboardInterrupt again."""
    import os
    import signal
    import threading

    import duckdb

    store = Store(tmp_path / "i.duckdb")
    store.migrate()
    # Ctrl-C as at a terminal (a runner started in the background has SIGINT ignored)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            try:
                with store.connect() as con:  # a statement that runs for many seconds
                    con.execute("SELECT count(*) FROM range(20000000000) a").fetchall()
            except duckdb.Error:
                pytest.fail("the interrupt came out as a DuckDB error")
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, before)
