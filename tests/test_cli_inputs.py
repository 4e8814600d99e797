"""Bad input gets one clear line, a non-zero exit, and loses nothing already stored.

Every case runs the real ``claims`` command in a subprocess against a real DuckDB file.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from claims.store import Store, run_user_query
from tests.conftest import cli_env, run_cli


@pytest.fixture()
def env(tmp_path: Path, prefect_home: Path) -> dict[str, str]:
    return cli_env(tmp_path / "c.duckdb", prefect_home)


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    assert "Traceback" not in result.stderr
    return lines[0]


def test_missing_file(env, tmp_path):
    line = _one_error_line(run_cli(["check", str(tmp_path / "nope.txt")], env))
    assert "does not exist" in line


def test_folder_instead_of_file(env, tmp_path):
    assert "is a folder" in _one_error_line(run_cli(["check", str(tmp_path)], env))


@pytest.mark.skipif(sys.platform != "linux", reason="uses /proc")
def test_unreadable_file(env, tmp_path):
    if os.geteuid() == 0:
        target = "/proc/self/mem"  # root reads any mode; this file refuses a plain read
    else:
        target = str(tmp_path / "secret.txt")
        Path(target).write_text("text")
        os.chmod(target, 0)
    assert "cannot be read" in _one_error_line(run_cli(["check", target], env))


def test_binary_file(env, tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "binary" in _one_error_line(run_cli(["check", str(path)], env))


def test_non_utf8_file(env, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Le président a dit que 8 000 soldats étaient là.".encode("latin-1"))
    assert "not UTF-8" in _one_error_line(run_cli(["check", str(path)], env))


def test_empty_file(env, tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("  \n\n ")
    assert "has no text" in _one_error_line(run_cli(["check", str(path)], env))


def test_ten_megabyte_file(env, tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text(("North Korea sent 8,000 soldiers to Kursk, officials said. " * 180_000)[:10_000_000])
    line = _one_error_line(run_cli(["check", str(path)], env))
    assert "10.0 MB" in line and "limit" in line


def test_binary_stdin(env):
    assert "binary" in _one_error_line(run_cli(["check", "-"], env, input=b"\x00\x01\x02abc"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_url(env):
    port = _free_port()  # nothing listens there
    env = {**env, "CLAIMS_ALLOW_PRIVATE_HOSTS": f"127.0.0.1:{port}"}
    line = _one_error_line(run_cli(["check", f"http://127.0.0.1:{port}/article"], env))
    assert f"127.0.0.1:{port}" in line


def test_bad_sql_and_write_through_query(env, tmp_path):
    Store(env["CLAIMS_DB"]).migrate()
    assert "query failed" in _one_error_line(run_cli(["query", "SELEC 1"], env))
    line = _one_error_line(run_cli(["query", "DROP TABLE documents"], env))
    assert "read-only" in line
    assert run_user_query(Store(env["CLAIMS_DB"]), "SELECT count(*) FROM documents").rows == [(0,)]


def test_query_on_missing_database(env):
    assert "does not exist" in _one_error_line(run_cli(["query", "SELECT 1"], env))


def test_newer_schema(env, tmp_path):
    store = Store(env["CLAIMS_DB"])
    store.migrate()
    with store.transaction() as con:
        con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    path = tmp_path / "a.txt"
    path.write_text("North Korea has sent 8,000 soldiers to the Kursk region, officials said.")
    assert "newer than this claims" in _one_error_line(run_cli(["check", str(path)], env))
    assert "newer than this claims" in _one_error_line(run_cli(["query", "SELECT 1"], env))


@pytest.mark.slow
def test_database_locked_by_another_process(env, tmp_path):
    store = Store(env["CLAIMS_DB"])
    store.migrate()
    run_id = store.start_run(flow_name="earlier", input="kept")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)",
         env["CLAIMS_DB"]], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        path = tmp_path / "a.txt"
        path.write_text("North Korea has sent 8,000 soldiers to the Kursk region, officials said.")
        locked_env = {**env, "CLAIMS_LOCK_TIMEOUT": "2"}
        assert "locked by another process" in _one_error_line(run_cli(["check", str(path)], locked_env))
        assert "locked by another process" in _one_error_line(run_cli(["query", "SELECT 1"], locked_env))
    finally:
        holder.kill()
        holder.wait()
    # what was stored before is still there
    assert run_user_query(store, "SELECT id FROM runs").rows == [(run_id,)]


def test_usage_errors_exit_2(env):
    result = run_cli(["query", "SELECT 1", "--format", "xml"], env)
    assert result.returncode == 2 and "unknown --format" in result.stderr
