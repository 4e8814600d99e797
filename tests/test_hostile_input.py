"""What an attacker or a careless user can give ``claims``, and what it does with it.

Every case runs the real ``claims`` command in a subprocess under a memory limit
(``RLIMIT_AS``, 3 GiB: a full run with the model needs about 1 GiB resident) and a
timeout, against a copy of a real database made by the main job. A refused input gets one
``Error:`` line, a non-zero exit and leaves every table's row count as it was; an input
that is accepted gets a bounded result. The query sandbox has its own module
(``tests/test_query_sandbox.py``), as have credentials and the orchestrator
(``tests/test_secrets_not_stored.py``).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from claims.errors import RefusedURLError
from claims.sources.safety import resolve_and_check
from tests.conftest import CORPUS, cli_env, one_error

MEMORY_LIMIT = 3 << 30
EXE = shutil.which("claims", path=str(Path(sys.executable).parent)) or "claims"
ARTICLE = ("North Korea has sent about 8,000 soldiers to Russia's Kursk region near the Ukrainian border, "
           "US officials said on Thursday.")


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def claims(args: list[str], env: dict[str, str], *, stdin: Any = subprocess.DEVNULL, input: bytes | None = None,
           timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real command, its memory limited and its time bounded (a hang fails the test)."""
    proc = subprocess.run([EXE, *args], env=env, stdin=None if input is not None else stdin, input=input,
                          capture_output=True, timeout=timeout, check=False,
                          preexec_fn=_limit_memory)  # setrlimit only, in the child
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


def row_counts(existing_db: Path) -> dict[str, int]:
    con = duckdb.connect(str(existing_db), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in tables}
    finally:
        con.close()


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "article.fifo"
    os.mkfifo(path)
    return path


@pytest.fixture
def unix_socket(tmp_path: Path) -> Any:
    path = tmp_path / "article.sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        yield path


@pytest.mark.parametrize("target, kind", [
    ("/dev/zero", "a character device"),      # read until the kernel killed it: 22.5 GB, 63 s
    ("/dev/urandom", "a character device"),   # a 35-line traceback under a memory limit
    ("/dev/stdin", "named pipe"),             # a pipe by name: only - reads standard input
    ("fifo", "a named pipe"),                 # no writer: hung forever
    ("unix_socket", "a socket"),
    ("zero_link", "a character device"),      # a link to a device is the device
])
def test_devices_pipes_and_sockets_are_refused_before_reading(target: str, kind: str, existing_env: dict[str, str],
                                                              existing_db: Path, request: pytest.FixtureRequest,
                                                              tmp_path: Path) -> None:
    if target in ("fifo", "unix_socket"):
        target = str(request.getfixturevalue(target))
    elif target == "zero_link":
        (tmp_path / "article.txt").symlink_to("/dev/zero")
        target = str(tmp_path / "article.txt")
    before = row_counts(existing_db)
    stdin = subprocess.PIPE if target == "/dev/stdin" else subprocess.DEVNULL
    given = b"" if stdin == subprocess.PIPE else None
    line = one_error(claims(["check", target], existing_env, stdin=stdin, input=given))
    assert kind in line and target in line, line
    assert row_counts(existing_db) == before


def test_standard_input_is_read_up_to_the_limit_only(existing_env: dict[str, str], existing_db: Path) -> None:
    before = row_counts(existing_db)
    with open("/dev/zero", "rb") as zeros:  # endless: refused after max_input_bytes + 1
        line = one_error(claims(["check", "-"], {**existing_env, "CLAIMS_MAX_INPUT_BYTES": "100000"}, stdin=zeros))
    assert "standard input is over the 0.1 MB limit" in line
    assert row_counts(existing_db) == before


def test_a_file_larger_than_the_limit_is_refused(
        existing_env: dict[str, str], existing_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(ARTICLE * 2000, encoding="utf-8")
    before = row_counts(existing_db)
    line = one_error(claims(["check", str(path)], {**existing_env, "CLAIMS_MAX_INPUT_BYTES": "100000"}))
    assert "over the 0.1 MB limit" in line and "max_input_bytes" in line
    assert row_counts(existing_db) == before


def test_nul_bytes_anywhere_in_a_file_are_refused(
        existing_env: dict[str, str], existing_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes((ARTICLE + " ").encode() * 100 + b"\x00 after the first 8 KB")  # passed the old check
    assert path.stat().st_size > 8192
    before = row_counts(existing_db)
    assert "looks binary" in one_error(claims(["check", str(path)], existing_env))
    assert row_counts(existing_db) == before


def test_control_characters_never_reach_the_store_the_terminal_or_the_report(
        httpserver: HTTPServer, existing_env: dict[str, str], existing_db: Path, tmp_path: Path) -> None:
    """A page with NUL, escape sequences and rich markup after its first 8 KB: it is checked,
    and none of it reaches documents, claims, the printed table or the HTML report."""
    padding = "<p>" + "Officials in Seoul described the training of the troops in detail. " * 140 + "</p>"
    page = (f"<html><head><title>Kursk \x1b[2J report</title></head><body><article>{padding}<p>About 8,000 "
            "North Korean\x00 soldiers are in Russia's \x1b[31mKursk\x1b[0m region near the [/b] Ukrainian border, "
            "Secretary of State Antony Blinken said on Thursday.\x07</p></article></body></html>")
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    httpserver.expect_request("/kursk.html").respond_with_data(page.encode(), content_type="text/html; charset=utf-8")
    env = {**existing_env, "CLAIMS_ALLOW_PRIVATE_HOSTS": f"127.0.0.1:{httpserver.port}"}
    result = claims(["check", f"http://127.0.0.1:{httpserver.port}/kursk.html"], env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "[/b] Ukrainian border" in result.stdout  # printed as written, not read as markup
    assert not any(c in result.stdout + result.stderr for c in "\x00\x1b\x07")
    report = tmp_path / "report.html"
    assert claims(["report", "--out", str(report)], env).returncode == 0
    con = duckdb.connect(str(existing_db), read_only=True)
    try:
        for table, column in (("documents", "text"), ("documents", "title"), ("claims", "text"), ("passages", "text")):
            bad = con.execute(f"SELECT count(*) FROM {table} WHERE regexp_matches({column}, '[\\x00\\x07\\x1b]')")
            assert bad.fetchall() == [(0,)], (table, column)
        assert con.execute("SELECT count(*) FROM claims WHERE text LIKE '%8,000 North Korean soldiers%Kursk%'"
                           ).fetchall()[0][0] >= 1
    finally:
        con.close()
    html = report.read_bytes()
    assert b"8,000" in html and not any(c in html for c in (b"\x00", b"\x1b", b"\x07"))


def test_a_truncated_database_is_refused_and_left_as_it_was(
        existing_env: dict[str, str], existing_db: Path, tmp_path: Path) -> None:
    """It printed a 269-line traceback and wrote a run row into the corrupt file (5.4 -> 9.4 MB)."""
    with open(existing_db, "r+b") as handle:
        handle.truncate(existing_db.stat().st_size * 2 // 3)
    digest = hashlib.sha256(existing_db.read_bytes()).hexdigest()
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    for args in (["check", str(article)], ["report", "--out", str(tmp_path / "r.html")], ["reverify"]):
        line = one_error(claims(args, existing_env))
        assert f"database {existing_db} is damaged" in line and "nothing was written to it" in line, line
        assert "backup" in line and "Parquet export" in line
        assert hashlib.sha256(existing_db.read_bytes()).hexdigest() == digest  # not one byte written
    assert not Path(str(existing_db) + ".wal").exists()


def test_a_corrupt_block_is_refused_and_left_as_it_was(
        existing_env: dict[str, str], existing_db: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(existing_db), read_only=True)
    block = con.execute("SELECT min(block_id) FROM pragma_storage_info('claims') WHERE block_id >= 0").fetchall()[0][0]
    block_size = con.execute("PRAGMA database_size").fetchall()[0][2]
    con.close()
    with open(existing_db, "r+b") as handle:  # flip bytes just past the block's checksum
        handle.seek(3 * 4096 + block * block_size + 200)
        data = handle.read(64)
        handle.seek(3 * 4096 + block * block_size + 200)
        handle.write(bytes(b ^ 0xFF for b in data))
    digest = hashlib.sha256(existing_db.read_bytes()).hexdigest()
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    line = one_error(claims(["check", str(article)], existing_env))
    # duckdb 1.5.5 raises it as an IOException ("IO Error: Corrupt database file: ..."), 2.0.1 as a plain Error
    assert "is damaged (" in line and "Corrupt database file" in line and "nothing was written" in line
    assert hashlib.sha256(existing_db.read_bytes()).hexdigest() == digest


def test_a_file_written_by_a_newer_duckdb_is_refused_and_left_as_it_was(
        prefect_home: Path, tmp_path: Path) -> None:
    """claims pins duckdb 1.5.5 (for the DuckLake extension packages); earlier checkouts wrote
    their files with duckdb 2.0.1, whose storage version 1.5.5 cannot read. The file in
    tests/data was written by duckdb 2.0.1 (``ATTACH 'f' (BLOCK_SIZE 16384)``, one table)."""
    db = tmp_path / "newer.duckdb"
    shutil.copyfile(Path(__file__).parent / "data" / "duckdb-2.0.1.duckdb", db)
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    env = cli_env(db, prefect_home)
    for args in (["check", str(article)], ["query", "select 1"], ["report", "--out", str(tmp_path / "r.html")],
                 ["export", "parquet", str(tmp_path / "exports")]):
        line = one_error(claims(args, env))
        assert f"database {db} was written by a newer DuckDB (storage version 999;" in line, (args, line)
        assert "claims export parquet" in line and "move the file away" in line, line
        assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    assert not Path(str(db) + ".wal").exists() and not (tmp_path / "r.html").exists()


def test_a_200_kb_line_gives_claims_of_bounded_length(
        existing_env: dict[str, str], existing_db: Path, tmp_path: Path) -> None:
    """One 200 KB line with no full stop became one claim printed as a 2,880-line table."""
    rng = random.Random(16)
    words = ["North", "Korea", "sent", "8,000", "soldiers", "to", "the", "border", "officials", "said", "about",
             "troops", "were", "seen", "near", "Kursk", "region", "and", "China", "stayed", "silent"]
    path = tmp_path / "line.txt"
    path.write_text(" ".join(rng.choice(words) for _ in range(40_000))[:200_000], encoding="utf-8")
    result = claims(["check", str(path)], existing_env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "Note: " in result.stderr and "cut into pieces of at most 1,000 (max_sentence_chars)" in result.stderr
    con = duckdb.connect(str(existing_db), read_only=True)
    lengths = [r[0] for r in con.execute("SELECT length(c.text) FROM claims c JOIN documents d ON d.id = c.document_id "
                                         "WHERE length(d.text) > 100000").fetchall()]
    con.close()
    assert lengths and max(lengths) <= 1000
    # at most max_claims (50) claims of at most 1,000 characters, 70 to a table line: bounded
    assert len(result.stdout.splitlines()) < 50 * (1000 // 60 + 2) + 10


def test_a_repeated_param_is_refused(existing_env: dict[str, str]) -> None:
    args = ["query", "select $label", "--param", "label=a", "--param", "label=b"]
    line = one_error(claims(args, existing_env), code=2)
    assert "--param label is given twice" in line


def test_the_hint_for_an_ipv6_host_is_the_form_that_works(existing_env: dict[str, str], existing_db: Path) -> None:
    with socket.socket(socket.AF_INET6) as s:  # a port on ::1 that nothing listens to
        s.bind(("::1", 0))
        port = s.getsockname()[1]
    before = row_counts(existing_db)
    line = one_error(claims(["check", f"http://[::1]:{port}/a.html"], existing_env))
    assert f"add [::1]:{port} to http.allow_private_hosts" in line, line
    assert row_counts(existing_db) == before
    # the form the hint gives lets the host through (the bare form still does too)
    for form in (f"[::1]:{port}", f"::1:{port}"):
        checked = asyncio.run(resolve_and_check(f"http://[::1]:{port}/a.html", [form]))
        assert checked.addresses == ("::1",)
    with pytest.raises(RefusedURLError):
        asyncio.run(resolve_and_check(f"http://[::1]:{port}/a.html", [f"[::1]:{port + 1}"]))


@pytest.mark.slow
def test_a_killed_run_is_marked_abandoned_by_the_next_run(
        existing_env: dict[str, str], existing_db: Path, tmp_path: Path) -> None:
    """A kill -9 left the run ``running`` for an hour (the lease); its process is gone, so the
    next run on this machine marks it ``abandoned`` at once."""
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    proc = subprocess.Popen([EXE, "check", str(article)], env=existing_env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=_limit_memory)  # noqa: PLW1509 - setrlimit only, in the child
    try:
        deadline = time.monotonic() + 300
        killed: str | None = None
        while killed is None and proc.poll() is None and time.monotonic() < deadline:
            killed = _peek_running(existing_db, proc.pid)
            time.sleep(0.05)
        assert killed is not None, "the run row never showed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    assert _status(existing_db, killed) == ("running", None)
    result = claims(["check", str(article)], existing_env, timeout=600)
    assert result.returncode == 0, result.stderr
    status, error = _status(existing_db, killed)
    assert status == "abandoned" and "process ended" in error


def _peek_running(existing_db: Path, pid: int) -> str | None:
    """The id of the run of process ``pid``, once its row is there (None while the writer
    holds the file)."""
    try:
        con = duckdb.connect(str(existing_db), read_only=True)
    except duckdb.Error:
        return None
    try:
        rows = con.execute("SELECT id FROM runs WHERE pid = ? AND status = 'running'", [pid]).fetchall()
    finally:
        con.close()
    return rows[0][0] if rows else None


def _status(existing_db: Path, run_id: str) -> tuple[str, str | None]:
    con = duckdb.connect(str(existing_db), read_only=True)
    try:
        return con.execute("SELECT status, error FROM runs WHERE id = ?", [run_id]).fetchall()[0]
    finally:
        con.close()


def test_corpus_files_are_read_bounded_and_devices_skipped(
        existing_env: dict[str, str], existing_db: Path, tmp_path: Path) -> None:
    """The corpus reader is bounded the same way: a device, a pipe, a binary or an oversized
    file in the folder is a reported source error, and the run goes on with the others."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "zero.md").symlink_to("/dev/zero")
    os.mkfifo(corpus / "pipe.md")
    (corpus / "binary.md").write_bytes(b"---\ntitle: x\n---\n" + b"text " * 2000 + b"\x00")
    (corpus / "huge.md").write_text("North Korea sent troops. " * 10_000, encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    env = {**existing_env, "CLAIMS_SOURCES__CORPUS__PATH": str(corpus), "CLAIMS_MAX_INPUT_BYTES": "200000"}
    result = claims(["check", str(article)], env, timeout=600)
    assert result.returncode == 0, result.stderr
    for name, why in (("zero.md", "character device"), ("pipe.md", "named pipe"), ("binary.md", "looks binary"),
                      ("huge.md", "over the 0.2 MB limit")):
        assert f"corpus: {corpus / name}" in result.stderr and why in result.stderr, (name, result.stderr)
