"""Issue 34 items 5 and 6 and the smaller ones, and issue 35's query formats and cell cut:
``claims query``'s output is bounded like its statement, ``-f`` reads regular files only,
and the commands that only read leave the database byte for byte as it was.

Every case runs the real command in a subprocess (with a timeout that only guards against a
hang: nothing here asserts a duration) on a small database made for the module.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from claims.store import Store
from tests.conftest import cli_env, one_error, run_cli

WIDE = 4_000_000  # characters of one column's name (13.7 s before, growing with its square)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bounded") / "claims.duckdb"
    store = Store(path)
    store.migrate()
    store.start_run(flow_name="check", input="a.txt")
    return path


@pytest.fixture
def env(db: Path, prefect_home: Path) -> dict[str, str]:
    return cli_env(db, prefect_home)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_rows_are_streamed_and_stop_at_the_output_limit(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "big.json"
    result = run_cli(["query", "select repeat('x', 200) || i from range(10000000) t(i)", "--format", "json",
                      "--out", str(out)], {**env, "CLAIMS_QUERY_OUTPUT_LIMIT": "20MB"}, timeout=300)
    line = one_error(result)
    assert "query_output_limit (20MB)" in line and "rows" in line, line
    assert not out.exists() and not list(tmp_path.iterdir())  # no half-written file is left
    # to standard output as well: what was written stays under the limit
    result = run_cli(["query", "select repeat('x', 200) || i from range(10000000) t(i)", "--format", "csv"],
                     {**env, "CLAIMS_QUERY_OUTPUT_LIMIT": "5MB"}, timeout=300)
    assert "query_output_limit (5MB)" in one_error(result)
    assert len(result.stdout.encode()) <= 5_000_000


@pytest.mark.slow
def test_the_time_limit_holds_the_writing_out_too(env: dict[str, str]) -> None:
    # DuckDB makes these rows at once: what took 122 s was turning them into output
    result = run_cli(["query", "select repeat('x', 200) || i from range(10000000) t(i)", "--format", "tsv"],
                     {**env, "CLAIMS_QUERY_TIMEOUT_SECONDS": "3", "CLAIMS_QUERY_OUTPUT_LIMIT": "100GB"},
                     timeout=300)
    assert "query_timeout_seconds (3 s)" in one_error(result)


def test_a_table_shows_a_bounded_number_of_rows_and_says_so(env: dict[str, str]) -> None:
    result = run_cli(["query", "select i from range(1000000) t(i)"], {**env, "CLAIMS_QUERY_TIMEOUT_SECONDS": "5"},
                     timeout=300)
    assert result.returncode == 0, result.stderr
    assert "showed the first 10,000 rows of more" in result.stderr and "10,000 rows" in result.stderr
    assert result.stdout.count("\n") < 10_100


def test_a_long_column_name_is_cut_for_the_table(env: dict[str, str], tmp_path: Path) -> None:
    sql = tmp_path / "wide.sql"
    sql.write_text(f"select 1 as \"{'a' * WIDE}\", 2 as b", encoding="utf-8")
    result = run_cli(["query", "-f", str(sql)], env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) < 1000
    assert "a" * 40 in result.stdout and "a" * 81 not in result.stdout


@pytest.mark.parametrize("source", ["/dev/zero", "/dev/urandom", "fifo", "folder"])
def test_f_reads_a_regular_file_only(env: dict[str, str], tmp_path: Path, source: str) -> None:
    if source == "fifo":
        os.mkfifo(tmp_path / "fifo")  # opening it would wait for a writer forever
    if source == "folder":
        (tmp_path / "folder").mkdir()
    path = source if source.startswith("/") else str(tmp_path / source)
    line = one_error(run_cli(["query", "-f", path], env, timeout=120), 2)
    assert path in line and ("not a regular file" in line or "is a folder" in line), line


def test_standard_input_is_bounded_like_an_article(env: dict[str, str]) -> None:
    exe = Path(os.environ.get("VIRTUAL_ENV", Path(__file__).resolve().parent.parent / ".venv")) / "bin" / "claims"
    with open("/dev/zero", "rb") as zero:
        proc = subprocess.run([str(exe), "query", "-"], stdin=zero, env=env, capture_output=True, text=True,
                              timeout=120, check=False)
    line = one_error(subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout, proc.stderr), 2)
    assert "standard input holds more than 5,000,000 bytes (max_input_bytes)" in line


def test_a_sql_file_with_a_byte_order_mark_is_read(env: dict[str, str], tmp_path: Path) -> None:
    sql = tmp_path / "bom.sql"
    sql.write_bytes("\ufeffselect 42 as answer".encode())
    result = run_cli(["query", "-f", str(sql), "--format", "csv"], env)
    assert result.returncode == 0 and result.stdout.splitlines() == ["answer", "42"], result.stderr


def test_pivot_without_its_values_says_what_to_write(env: dict[str, str]) -> None:
    line = one_error(run_cli(["query", "pivot runs on status using count(*)"], env))
    assert "IN ('a', 'b')" in line and "2 statements" not in line
    listed = run_cli(["query", "pivot (select status from runs) on status in ('running') using count(*)",
                      "--format", "csv"], env)
    assert listed.returncode == 0 and listed.stdout.splitlines() == ["running", "1"], listed.stderr


def test_a_negative_snapshot_is_the_option_not_the_catalog(env: dict[str, str]) -> None:
    for command in (["query", "select 1"], ["report"]):
        line = one_error(run_cli([*command, "--at", "-1"], env), 2)
        assert "--at -1 is not a snapshot" in line, line


def test_a_sqlite_file_is_refused_without_fetching_its_reader(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("create table t (a)")
    before = _digest(path)
    for command in (["query", "select 1"], ["report", "--out", str(tmp_path / "r.html")]):
        line = one_error(run_cli(["--db", str(path), *command], env))
        assert "is a SQLite file, not a DuckDB database" in line, line
    assert _digest(path) == before
    assert not (Path.home() / ".duckdb" / "extensions" / "v1.5.5" / "linux_amd64" / "sqlite_scanner.duckdb_extension"
                ).exists()


@pytest.mark.slow
def test_report_export_and_query_leave_the_file_as_it_was(db: Path, env: dict[str, str], tmp_path: Path) -> None:
    before = _digest(db)
    for command in (["report", "--out", str(tmp_path / "r.html")],
                    ["export", "claimreview", "--out", str(tmp_path / "c.jsonld")],
                    ["export", "parquet", str(tmp_path / "pq")],
                    ["query", "select * from runs"]):
        result = run_cli(command, env)
        assert result.returncode == 0, (command, result.stderr)
        assert _digest(db) == before, command
    assert not Path(f"{db}.wal").exists()


@pytest.mark.slow
def test_markdown_and_tsv_beside_the_other_formats(env: dict[str, str]) -> None:
    sql = "select 1 as n, 'a|b' as pipe, 'tab\there' as tab, null as nothing, 'two\nlines' as text"
    markdown = run_cli(["query", sql, "--format", "markdown"], env)
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.splitlines() == ["| n | pipe | tab | nothing | text |", "|---|---|---|---|---|",
                                            "| 1 | a\\|b | tab\there |  | two<br>lines |"]
    tsv = run_cli(["query", sql, "--format", "tsv"], env)
    assert tsv.returncode == 0, tsv.stderr
    assert tsv.stdout.splitlines() == ["n\tpipe\ttab\tnothing\ttext", "1\ta|b\ttab\\there\t\\N\ttwo\\nlines"]
    rows = json.loads(run_cli(["query", "select i from range(3) t(i)", "--format", "json"], env).stdout)
    assert rows == [{"i": 0}, {"i": 1}, {"i": 2}]
    assert run_cli(["query", "select 1 as i where false", "--format", "json"], env).stdout == "[]\n"


def test_a_cut_cell_says_it_was_cut(env: dict[str, str]) -> None:
    result = run_cli(["query", "select repeat('word ', 200) as long, 1 as n", "--no-expanded"], env)
    assert result.returncode == 0, result.stderr
    assert "[+" in result.stdout and "chars]" in result.stdout, result.stdout
    whole = run_cli(["query", "select repeat('word ', 200) as long", "--format", "csv"], env)
    assert whole.stdout.count("word") == 200
