"""The store as a DuckLake with a DuckDB catalog file (one machine; the PostgreSQL catalog
and concurrent workers are in tests/test_lake.py): the migrations without keys, upserts as
merges that stay idempotent, the same verdicts as a DuckDB file from the same command, time
travel (``--at``), snapshots (tables named), compaction (its file counts explained), the
lines for a plain DuckDB shell (``claims lake attach-sql``), the query sandbox, and one-line
errors that never show a password."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pytest

from claims.errors import ConfigError
from claims.models import Document, Passage
from claims.settings import load_settings
from claims.store import Store, open_store, run_user_query
from claims.store.connection import migration_files
from claims.store.lake import LakeDatabase, lake_ddl, merge_sql
from tests.conftest import SEED, cli_env, one_error, run_cli


def test_keys_leave_the_ddl_and_are_remembered():
    sql, keys = lake_ddl("CREATE TABLE t (\n  id VARCHAR PRIMARY KEY, -- the id\n  n INTEGER\n);\n"
                         "CREATE TABLE IF NOT EXISTS u (\n  a VARCHAR, b INTEGER, v FLOAT[],\n  PRIMARY KEY (a, b)\n);")
    assert "PRIMARY" not in sql.upper() and "--" not in sql
    assert keys == {"t": ["id"], "u": ["a", "b"]}
    every = {}
    for _, _, migration in migration_files():
        every.update(lake_ddl(migration)[1])
    assert every["documents"] == ["id"] and every["verdicts"] == ["run_id", "claim_id"]
    assert every["evidence"] == ["run_id", "claim_id", "passage_id"]


def test_upserts_become_merges():
    merged, table = merge_sql("INSERT INTO t (id, n) VALUES (?, ?), (?, ?) ON CONFLICT (id) DO UPDATE SET "
                              "n = coalesce(t.n, excluded.n)", {})
    assert table == "t"
    assert merged.startswith("MERGE INTO t USING (SELECT DISTINCT ON (id) * FROM (VALUES (?, ?), (?, ?)) AS s(id, n))")
    assert "WHEN MATCHED THEN UPDATE SET n = coalesce(t.n, excluded.n)" in merged
    assert merged.endswith("WHEN NOT MATCHED THEN INSERT (id, n) VALUES (excluded.id, excluded.n)")
    nothing, _ = merge_sql("INSERT INTO u (a, b) SELECT x, y FROM z ON CONFLICT DO NOTHING", {"u": ["a", "b"]})
    assert "ON u.a = excluded.a AND u.b = excluded.b" in nothing and "WHEN MATCHED" not in nothing
    assert merge_sql("SELECT 1", {}) == ("SELECT 1", None)


@pytest.fixture
def lake(tmp_path: Path) -> Store:
    settings = load_settings(store=f"ducklake:{tmp_path / 'catalog.ducklake'}")
    return open_store(settings)


def test_writes_are_idempotent_on_a_lake(lake: Store, tmp_path: Path):
    assert isinstance(lake, LakeDatabase) and lake.data_path == str(tmp_path / "catalog.ducklake.files") + "/"
    doc = Document.make("About 8,000 North Korean soldiers are in Kursk.", title=None, outlet="Wire")
    assert lake.upsert_documents([doc, doc]) == 1
    assert lake.upsert_documents([doc]) == 0
    dated = Document(**{**doc.__dict__, "title": "Kursk", "published_at": datetime(2024, 11, 1)})
    lake.upsert_documents([dated])  # fills in what was missing, keeps the first copy's row
    rows = run_user_query(lake, "SELECT count(*), any_value(title), any_value(outlet) FROM documents").rows
    assert rows == [(1, "Kursk", "Wire")]
    passages = [Passage(id=f"p{i}", document_id=doc.id, position=i, text=f"text {i}", start=0, end=6)
                for i in range(3)]
    vectors = np.random.default_rng(0).random((3, 384), dtype=np.float32)
    assert lake.upsert_passages(passages, vectors, "m") == 3
    assert lake.upsert_passages(passages, vectors, "m") == 0
    assert run_user_query(lake, "SELECT count(*), count(DISTINCT id) FROM passages").rows == [(3, 3)]
    lake.migrate()  # a second open changes nothing, views included
    assert run_user_query(lake, "SELECT count(*) FROM schema_migrations").rows[0][0] == len(migration_files())


@pytest.mark.slow
def test_the_seed_on_a_lake_equals_the_seed_in_a_file(tmp_path: Path, prefect_home: Path, main_job_db: Path):
    env = cli_env(tmp_path / "unused.duckdb", prefect_home, CLAIMS_STORE=f"ducklake:{tmp_path / 'seed.ducklake'}")
    checked = run_cli(["check", str(SEED), "--json"], env)
    assert checked.returncode == 0, checked.stderr
    assert not (tmp_path / "unused.duckdb").exists()
    sql = ("SELECT claim, label, round(confidence, 2) AS confidence, best_source FROM latest_verdicts "
           "ORDER BY claim")
    on_lake = run_cli(["query", sql, "--format", "json"], env)
    in_file = run_cli(["query", sql, "--format", "json"], cli_env(main_job_db, prefect_home))
    assert on_lake.returncode == 0, on_lake.stderr
    assert json.loads(on_lake.stdout) == json.loads(in_file.stdout) and len(json.loads(in_file.stdout)) >= 5

    # time travel: after the migrations (snapshot 1; 0 is the empty lake), no verdicts; the
    # latest snapshot, every one
    listed = run_cli(["lake", "snapshots", "--limit", "0", "--json"], env)
    snapshots = [row["snapshot"] for row in json.loads(listed.stdout)]
    assert snapshots == sorted(snapshots, reverse=True) and len(snapshots) > 5
    count = "SELECT count(*) AS n FROM verdicts"
    first = run_cli(["query", count, "--format", "json", "--at", str(snapshots[-2])], env)
    assert json.loads(first.stdout) == [{"n": 0}], first.stderr
    latest = run_cli(["query", count, "--format", "json", "--at", str(snapshots[0])], env)
    assert json.loads(latest.stdout) == [{"n": len(json.loads(in_file.stdout))}]
    report = run_cli(["report", "--at", str(snapshots[0]), "--out", str(tmp_path / "r.html")], env)
    assert report.returncode == 0 and "claims" in report.stderr
    missing = one_error(run_cli(["query", count, "--at", "99999"], env))
    assert "has no snapshot 99999" in missing

    # compaction keeps the rows and the snapshots
    compacted = run_cli(["lake", "compact"], env)
    assert compacted.returncode == 0, compacted.stderr
    assert "data files:" in compacted.stderr
    assert json.loads(run_cli(["query", sql, "--format", "json"], env).stdout) == json.loads(in_file.stdout)
    again = run_cli(["query", count, "--format", "json", "--at", str(snapshots[-2])], env)
    assert json.loads(again.stdout) == [{"n": 0}]


def test_the_query_sandbox_holds_on_a_lake(lake, tmp_path: Path, prefect_home: Path):
    env = cli_env(tmp_path / "unused.duckdb", prefect_home, CLAIMS_STORE=lake.spec)
    assert one_error(run_cli(["query", "SELECT * FROM read_text('/etc/passwd')"], env)).startswith(
        "Error: claims query reads only the database")
    assert "read-only" in one_error(run_cli(["query", "DELETE FROM documents"], env))
    assert "read-only" in one_error(run_cli(["query", "DETACH lake"], env))
    assert run_cli(["query", "SELECT count(*) FROM documents"], env).returncode == 0


def test_lake_commands_and_settings_errors(tmp_path: Path, prefect_home: Path):
    file_env = cli_env(tmp_path / "file.duckdb", prefect_home)
    assert "not a DuckLake" in one_error(run_cli(["lake", "snapshots"], file_env), 2)
    assert "--at needs a DuckLake" in one_error(run_cli(["query", "SELECT 1", "--at", "1"], file_env))
    secret = "s3cr3t-pw"
    closed = cli_env(tmp_path / "file.duckdb", prefect_home,
                     CLAIMS_STORE=f"ducklake:postgres:dbname=lake host=127.0.0.1 port=9 user=u password={secret}",
                     CLAIMS_LAKE_DATA_PATH=str(tmp_path / "data"))
    result = run_cli(["query", "SELECT 1"], closed)
    line = one_error(result)
    assert "cannot open DuckLake" in line and "password=***" in line
    assert secret not in result.stdout + result.stderr
    with pytest.raises(ConfigError, match="lake_data_path"):
        open_store(load_settings(store="ducklake:postgres:dbname=lake host=127.0.0.1"))
    with pytest.raises(ConfigError, match="not a DuckLake"):
        open_store(load_settings(store="postgres:dbname=lake"))


@pytest.mark.slow
def test_snapshots_name_tables_compact_explains_and_attach_sql_opens_it(lake, tmp_path: Path,
                                                                       prefect_home: Path):
    for i in range(3):
        lake.upsert_documents([Document.make(f"About {i},000 soldiers are in Kursk.", title=None, outlet="Wire")])
    env = cli_env(tmp_path / "unused.duckdb", prefect_home, CLAIMS_STORE=lake.spec)

    listed = run_cli(["lake", "snapshots", "--json"], env)
    assert listed.returncode == 0, listed.stderr
    changes = json.loads(listed.stdout)[0]["changes"]
    assert "documents" in changes["tables_inserted_into"]  # named, not DuckLake's table number
    assert not any(v.isdigit() for values in changes.values() for v in values), changes
    table = run_cli(["lake", "snapshots", "-n", "1"], env)
    assert "tables inserted into: documents" in " ".join(table.stdout.split())

    compacted = run_cli(["lake", "compact"], env)
    assert compacted.returncode == 0, compacted.stderr
    lines = compacted.stderr.splitlines()
    counts = [re.match(pattern, line) for pattern, line in zip(
        (r"data files: (\d+) before, (\d+) after$", r"  \+(\d+) written out: rows kept in the catalog \(inlined",
         r"  -(\d+) merged: small adjacent files"), lines)]
    assert all(counts), lines
    (before, after), (written,), (merged,) = ([int(n) for n in m.groups()] for m in counts if m)
    assert written > 0 and before + written - merged == after

    printed = run_cli(["lake", "attach-sql"], env)
    assert printed.returncode == 0, printed.stderr
    statements = [line for line in printed.stdout.splitlines() if not line.startswith("--")]
    assert statements[0].startswith("LOAD '") and statements[0].endswith("/ducklake.duckdb_extension';")
    assert Path(statements[0][len("LOAD '"):-2]).is_file()
    assert statements[1] == (f"ATTACH '{lake.spec}' AS lake (DATA_PATH '{lake.data_path}', READ_ONLY);")
    shell = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    for statement in statements[:-1]:  # as a plain DuckDB shell runs them, offline
        shell.execute(statement)
    assert shell.execute("SELECT count(*) FROM documents").fetchall() == [(3,)]
    assert shell.execute(statements[-1]).description[0][0] == "claim"


def test_attach_sql_for_a_postgres_catalog_leaves_the_password_out(tmp_path: Path, prefect_home: Path):
    secret = "s3cr3t-pw"
    for spec in (f"ducklake:postgres:dbname=lake host=db1 user=analyst password={secret}",
                 f"ducklake:postgres:dbname=lake host=db1 password='{secret} x' user=analyst",
                 f"ducklake:postgres:postgresql://analyst:{secret}@db1/lake",
                 f"ducklake:postgres:postgresql://analyst@db1/lake?password={secret}&sslmode=require"):
        env = cli_env(tmp_path / "unused.duckdb", prefect_home, CLAIMS_STORE=spec, CLAIMS_LAKE_DATA_PATH="/mnt/lake/")
        printed = run_cli(["lake", "attach-sql"], env)
        assert printed.returncode == 0, printed.stderr
        assert secret not in printed.stdout + printed.stderr and "PGPASSWORD" in printed.stdout
        loads = [line for line in printed.stdout.splitlines() if line.startswith("LOAD ")]
        assert [Path(line[len("LOAD '"):-2]).name for line in loads] == [
            "postgres_scanner.duckdb_extension", "ducklake.duckdb_extension"]
        attach = next(line for line in printed.stdout.splitlines() if line.startswith("ATTACH "))
        assert "analyst" in attach and "db1" in attach and "DATA_PATH '/mnt/lake/', READ_ONLY" in attach
