"""``claims query`` can read the database and nothing else, and can change nothing.

It was read-only for the database but not for the machine: ``copy (...) to '/any/path'``
overwrote files, ``export database`` dumped every table, ``install httpfs`` and ``create
secret`` started extension downloads, ``read_text('/etc/passwd')`` read local files. Two
layers now stop them, and each is tested on its own: the command runs only one statement
that reads (SELECT, EXPLAIN), and the connection it runs on is DuckDB's sandbox (external
access off, no extension install or load, configuration locked), so that even a statement
that got past the first layer could not reach a file or the network.

Every probe that could touch the network names 127.0.0.1 only, and the sandbox's extension
repositories point at no network place, so nothing here can send a packet elsewhere.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from claims.errors import QueryError
from claims.store import Store, run_user_query
from claims.store.queries import sandboxed
from tests.conftest import one_error, run_cli


@pytest.fixture
def own_file(tmp_path: Path) -> Path:
    """A file of the user's beside the database, that a query must not read or overwrite."""
    path = tmp_path / "mine" / "notes.csv"
    path.parent.mkdir()
    path.write_text("note\nkeep me\n", encoding="utf-8")
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


@pytest.mark.slow
def test_the_command_writes_installs_loads_attaches_copies_and_exports_nothing(
        existing_env: dict[str, str], existing_db: Path, own_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "out"
    statements = {
        f"copy (select * from claims) to '{own_file}'": "not COPY",
        f"copy claims to '{target}.csv'": "not COPY",
        f"export database '{target}'": "not EXPORT",
        f"attach '{tmp_path / 'other.duckdb'}' as other": "not ATTACH",
        "install httpfs": "not INSTALL",
        "force install httpfs": "not FORCE",
        "load httpfs": "not LOAD",
        f"load '{tmp_path / 'x.duckdb_extension'}'": "not LOAD",
        "create secret s (type s3, key_id 'k', secret 'planted-secret')": "not CREATE",
        "create persistent secret p (type s3, key_id 'k', secret 'planted-secret')": "not CREATE",
        "set enable_external_access = true": "not SET",
        "set lock_configuration = false": "not SET",
        f"pragma profiling_output = '{target}.json'": "not PRAGMA",
        f"import database '{tmp_path}'": "not IMPORT",
        f"/* read */ import database '{tmp_path}'": "not IMPORT",
        f"select 1; import database '{tmp_path}'": "reads only the database",  # DuckDB's parser reads its files
        "pragma table_info('claims')": "not PRAGMA",  # parsed as a SELECT
        "delete from verdicts": "not DELETE",
        "drop table claims": "not DROP",
        "checkpoint": "not CHECKPOINT",
        "select 1; copy claims to 'x.csv'": "give one SQL statement (2 given)",
    }
    before, files_before, mine = _digest(existing_db), _files(tmp_path), _digest(own_file)
    for sql, why in statements.items():
        line = one_error(run_cli(["query", sql], existing_env))
        assert why in line, (sql, line)
    assert _digest(existing_db) == before and _digest(own_file) == mine
    assert _files(tmp_path) == files_before  # nothing written anywhere


@pytest.mark.slow
def test_files_outside_the_database_are_read_only_with_allow_read(
        existing_env: dict[str, str], own_file: Path) -> None:
    for sql in (f"select * from read_text('{own_file}')", f"select * from read_csv('{own_file}')",
                "select * from read_text('/etc/passwd')", f"select * from glob('{own_file.parent}/*')",
                f"select * from '{own_file}'"):
        line = one_error(run_cli(["query", sql], existing_env))
        assert "reads only the database" in line or "does not exist" in line, (sql, line)
        assert "keep me" not in line
    # named with --allow-read, a file (or a folder's files) can be read, and nothing else
    result = run_cli(["query", f"select note from read_csv('{own_file}')", "--allow-read", str(own_file),
                      "--format", "csv"], existing_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["note", "keep me"]
    result = run_cli(["query", f"select count(*) as n from glob('{own_file.parent}/*')", "--allow-read",
                      str(own_file.parent), "--format", "csv"], existing_env)
    assert result.returncode == 0 and result.stdout.splitlines() == ["n", "1"], result.stderr
    line = one_error(run_cli(["query", "select * from read_text('/etc/passwd')", "--allow-read", str(own_file)],
                             existing_env))
    assert "reads only the database" in line
    # reading is all it allows: the statement still cannot write there
    mine = _digest(own_file)
    line = one_error(run_cli(["query", f"copy (select 1) to '{own_file}'", "--allow-read", str(own_file)],
                             existing_env))
    assert "not COPY" in line and _digest(own_file) == mine
    assert run_cli(["query", "select 1", "--allow-read", "/no/such/file"], existing_env).returncode == 2


def test_nothing_is_fetched_even_from_a_local_server(httpserver: HTTPServer, existing_env: dict[str, str]) -> None:
    httpserver.expect_request("/x.parquet").respond_with_data(b"PAR1", content_type="application/octet-stream")
    url = f"http://127.0.0.1:{httpserver.port}/x.parquet"
    for sql in (f"select * from read_parquet('{url}')", f"select * from read_text('{url}')"):
        one_error(run_cli(["query", sql], existing_env))
    assert httpserver.log == []


def test_outputs_go_only_where_out_says(existing_env: dict[str, str], existing_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "results" / "latest.parquet"
    for _ in range(2):  # a second time over the existing file (DuckDB writes tmp_latest.parquet, then renames)
        result = run_cli(["query", "select claim_id, label from latest_verdicts", "--format", "parquet", "--out", str(out)],
                         existing_env)
        assert result.returncode == 0, result.stderr
    assert {p.name for p in out.parent.iterdir()} == {"latest.parquet"}
    assert duckdb.sql(f"select count(*) from read_parquet('{out}')").fetchall()[0][0] > 0
    # the statement cannot read the output file back, nor any other file, on its way there
    line = one_error(run_cli(["query", f"select * from read_parquet('{out}')", "--format", "parquet", "--out",
                              str(tmp_path / "again.parquet")], existing_env))
    assert "reads only the database" in line
    export = tmp_path / "export"
    result = run_cli(["export", "parquet", str(export)], existing_env)
    assert result.returncode == 0, result.stderr
    assert {p.parent for p in export.rglob("*")} == {export} and (export / "claims.parquet").exists()


def test_the_sandbox_itself_refuses_what_the_statement_check_would_let_through(
        existing_db: Path, own_file: Path, tmp_path: Path) -> None:
    """The second layer alone: statements run straight on the sandboxed connection."""
    store = Store(existing_db)
    before, mine = _digest(existing_db), _digest(own_file)
    with sandboxed(store) as con:
        settings = dict(con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'lock_configuration', "
            "'autoinstall_known_extensions', 'autoload_known_extensions', 'allow_community_extensions', "
            "'allow_unsigned_extensions', 'python_enable_replacements', 'custom_extension_repository')").fetchall())
        assert settings == {"enable_external_access": "false", "lock_configuration": "true",
                            "autoinstall_known_extensions": "false", "autoload_known_extensions": "false",
                            "allow_community_extensions": "false", "allow_unsigned_extensions": "false",
                            "python_enable_replacements": "false", "custom_extension_repository": "/dev/null"}
        for sql in (f"copy (select 1) to '{own_file}'", f"copy claims to '{tmp_path / 'c.csv'}'",
                    f"export database '{tmp_path / 'dump'}'", f"attach '{tmp_path / 'other.duckdb'}' as o",
                    "install httpfs", "load httpfs", "create secret s (type s3, key_id 'k', secret 'v')",
                    "set enable_external_access = true", "set allowed_paths = ['/etc/passwd']",
                    "set lock_configuration = false", "reset lock_configuration",
                    "select * from read_text('/etc/passwd')", f"select * from read_csv('{own_file}')",
                    "delete from verdicts", "create table t (a int)"):
            with pytest.raises(duckdb.Error):
                con.execute(sql).fetchall()
    assert _digest(existing_db) == before and _digest(own_file) == mine
    assert not (tmp_path / "c.csv").exists() and not (tmp_path / "dump").exists()
    assert not (tmp_path / "other.duckdb").exists()


def test_the_library_call_is_sandboxed_too(existing_db: Path, own_file: Path) -> None:
    store = Store(existing_db)
    with pytest.raises(QueryError, match="reads only the database"):
        run_user_query(store, f"select * from read_text('{own_file}')")
    assert run_user_query(store, f"select content from read_text('{own_file}')",
                          allow_read=[own_file]).rows == [("note\nkeep me\n",)]
    assert run_user_query(store, "select count(*) > 0 from claims").rows == [(True,)]
