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
import base64
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from claims.errors import RefusedURLError
from claims.sources.safety import resolve_and_check
from tests.conftest import CORPUS, cli_env, one_error
from tests.pg import closed_port

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


@pytest.mark.slow
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
    # found by the block-by-block check before any write (claims.store.integrity; more in test_store_integrity.py)
    assert "is damaged (" in line and "fails its checksum" in line and "nothing was written" in line
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


@pytest.mark.slow
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
    assert status == "abandoned" and error is not None and "process ended" in error


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


@pytest.mark.slow
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


# -- credentials, catalog strings, front matter, a full disk, figures and sizes ----------------
# Each case plants what it must not find (PLANTED, a password) or refuses an input; where
# nothing should change, the database is compared byte for byte (sha256 of the file and its WAL).

PLANTED = f"planted-{uuid.uuid4().hex}"
TITLED_PAGE = ("<html><head><title>Kursk deployment</title></head><body><article><p>{body}</p>"
               "<p>Officials in Seoul said the troops had trained at bases in eastern Russia for weeks.</p>"
               "</article></body></html>")


def _digest(db: Path) -> str:
    """sha256 of the database file and of its WAL, if any: equal means not one byte changed."""
    h = hashlib.sha256(db.read_bytes())
    wal = Path(str(db) + ".wal")
    h.update(wal.read_bytes() if wal.exists() else b"")
    return h.hexdigest()


def _files_holding(secrets: list[bytes], *places: Path) -> dict[str, list[bytes]]:
    """The files under ``places`` (folders searched recursively) that hold any of ``secrets``."""
    found: dict[str, list[bytes]] = {}
    for place in places:
        for path in [place] if place.is_file() else [p for p in place.rglob("*") if p.is_file()]:
            data = path.read_bytes()
            hits = [s for s in secrets if s in data]
            if hits:
                found[str(path)] = hits
    return found


def _guarded(body: str, content_type: str, seen: list[str]) -> Any:
    """A handler that answers only to alice with the planted password (HTTP Basic)."""
    def answer(request: Request) -> Response:
        auth = request.authorization
        seen.append(f"{auth.username}:{auth.password}" if auth else "")
        if not auth or (auth.username, auth.password) != ("alice", PLANTED):
            return Response("login required", status=401, headers={"WWW-Authenticate": 'Basic realm="x"'})
        return Response(body, content_type=content_type)
    return answer


def _rows(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.parametrize("through", ["the library", "Prefect flows"])
def test_credentials_in_urls_reach_no_library_table_report_export_log_or_flow(
        through: str, httpserver: HTTPServer, existing_env: dict[str, str], existing_db: Path,
        prefect_home: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """``claims check http://alice:PASSWORD@host/page`` on a page without a site name stored
    ``alice:PASSWORD@host`` as its outlet (trafilatura named it after the URL's host part),
    printed it in the report and the export and handed it to Prefect. The password is still
    used (HTTP Basic, to that origin), for the article and for a feed whose entries carry one too.
    Run by the library directly, and by the flows on Prefect's test server, whose database
    and home are searched too."""
    seen: list[str] = []
    base = f"http://127.0.0.1:{httpserver.port}"
    entry = f"http://alice:{PLANTED}@127.0.0.1:{httpserver.port}/news/pentagon.html"
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback</title><link>{base}/</link>'
            f"<description>t</description><item><title>Pentagon</title><link>{entry}</link><guid>1</guid>"
            "</item></channel></rss>")
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    httpserver.expect_request("/members/kursk.html").respond_with_handler(
        _guarded(TITLED_PAGE.format(body=ARTICLE), "text/html; charset=utf-8", seen))
    httpserver.expect_request("/members/feed.xml").respond_with_handler(_guarded(feed, "application/rss+xml", seen))
    httpserver.expect_request("/news/pentagon.html").respond_with_data(TITLED_PAGE.format(
        body="The Pentagon said on Monday that about 10,000 North Korean soldiers had been sent to eastern Russia."),
        content_type="text/html; charset=utf-8")
    env = {**existing_env, "CLAIMS_ALLOW_PRIVATE_HOSTS": f"127.0.0.1:{httpserver.port}"}
    places = [prefect_home, tmp_path / "report.html", tmp_path / "reviews.jsonld"]
    if through == "Prefect flows":
        request.getfixturevalue("prefect_harness")
        from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_DATABASE_CONNECTION_URL

        env["PREFECT_API_URL"] = str(PREFECT_API_URL.value())
        places.append(Path(str(PREFECT_SERVER_DATABASE_CONNECTION_URL.value()).split(":///", 1)[1]).parent)
    with_password = f"http://alice:{PLANTED}@127.0.0.1:{httpserver.port}"
    results = [claims(["-v", "check", f"{with_password}/members/kursk.html", "--json"], env, timeout=600),
               claims(["-v", "monitor", f"{with_password}/members/feed.xml", "--json"], env, timeout=600),
               claims(["report", "--out", str(tmp_path / "report.html")], env),
               claims(["export", "claimreview", "--out", str(tmp_path / "reviews.jsonld")], env)]
    for result in results:
        assert result.returncode == 0, result.stderr[-3000:]
    assert seen.count(f"alice:{PLANTED}") == 2  # used, once per guarded page
    [(outlet,)] = _rows(existing_db, "SELECT outlet FROM documents WHERE url = ?", [f"{base}/members/kursk.html"])
    assert outlet == f"127.0.0.1:{httpserver.port}"  # the host, never alice:PASSWORD@host
    assert f"127.0.0.1:{httpserver.port}" in (tmp_path / "reviews.jsonld").read_text(encoding="utf-8")

    secrets = [PLANTED.encode(), base64.b64encode(f"alice:{PLANTED}".encode())]
    assert _files_holding(secrets, *places, *existing_db.parent.glob(existing_db.name + "*")) == {}
    printed = "".join(r.stdout + r.stderr for r in results)
    assert not any(s.decode() in printed for s in secrets)


@pytest.mark.parametrize("catalog", [
    "postgresql://reader:{password}@127.0.0.1:{port}/lake",
    "postgres://reader:{password}@127.0.0.1:{port}/lake?sslmode=disable",
    "dbname=lake host=127.0.0.1 port={port} user=reader password={password}",
])
@pytest.mark.parametrize("args", [["check", "ARTICLE"], ["query", "select 1"], ["report", "--out", "r.html"],
                                  ["lake", "snapshots"], ["-v", "reverify"]])
def test_a_catalog_password_is_masked_in_every_form(catalog: str, args: list[str], prefect_home: Path,
                                                    tmp_path: Path) -> None:
    """A lake whose catalog is given as a URI printed its password in the error line (the
    ``password=`` form was masked)."""
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    args = [str(article) if a == "ARTICLE" else str(tmp_path / a) if a.endswith(".html") else a for a in args]
    store = "ducklake:postgres:" + catalog.format(password=PLANTED, port=closed_port())
    env = cli_env(tmp_path / "unused.duckdb", prefect_home, CLAIMS_STORE=store,
                  CLAIMS_LAKE_DATA_PATH=str(tmp_path / "data"), CLAIMS_LOCK_TIMEOUT="2")
    result = claims(args, env)
    if args[0] != "-v":  # with -v the log lines come too
        line = one_error(result)
        assert "cannot open DuckLake" in line and "reader" in line and "***" in line, line
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert PLANTED not in result.stdout + result.stderr


# 425 bytes of nested aliases took 2.9 GB and 78 s, then a traceback; in the title, more than 300 s
ALIAS_BOMB = ("---\n" + "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
              + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
              + "title: *i\n---\n")


@pytest.mark.parametrize("front, where", [
    (ALIAS_BOMB, "line 2"),
    ("---\ntitle: &t Kursk\noutlet: *t\n---\n", "line 2"),
    ("---\nurl: https://example.org/a\n" + "x: " + "[" * 10_000 + "]" * 10_000 + "\n---\n", "line 3"),
])
def test_front_matter_aliases_and_nesting_are_refused_at_once(front: str, where: str, existing_env: dict[str, str],
                                                              existing_db: Path, tmp_path: Path) -> None:
    article = tmp_path / "article.md"
    article.write_text(front + ARTICLE, encoding="utf-8")
    digest = _digest(existing_db)
    started = time.monotonic()
    line = one_error(claims(["check", str(article)], existing_env, timeout=60))
    assert time.monotonic() - started < 30
    assert f"{article}, front matter {where}:" in line, line
    assert ("anchors and aliases" in line) or ("nest more than" in line), line
    assert _digest(existing_db) == digest


@pytest.mark.parametrize("front, expected", [
    ("title: Kursk\nurl: [1, 2]", "front matter line 3: url is a list, expected text: write it as url: "),
    ("title: {a: 1}", "front matter line 2: title is a mapping (key: value pairs), expected text"),
    ("outlet: Wire\npublished: [2024]", "front matter line 3: published is a list, expected a date"),
    ("published: 2024-13-45", "front matter line 2: published '2024-13-45' is not a date: write it as published: "),
    ("outlet: Wire\ntitle: Kursk: the numbers",
     ('front matter line 3 is not valid YAML (mapping values are not allowed here): quote the value: '
      'title: "Kursk: the numbers"')),
])
def test_front_matter_values_of_the_wrong_type_are_one_line_naming_key_and_line(
        front: str, expected: str, existing_env: dict[str, str], existing_db: Path, tmp_path: Path) -> None:
    """``url: [1, 2]`` was a 67-line TypeError traceback; ``title: {a: 1}`` was stored as "{'a': 1}"."""
    article = tmp_path / "article.md"
    article.write_text(f"---\n{front}\n---\n{ARTICLE}", encoding="utf-8")
    digest = _digest(existing_db)
    line = one_error(claims(["check", str(article)], existing_env))
    assert f"Error: {article}, {expected}" in line, line
    assert _digest(existing_db) == digest


def _mount_small_disk(folder: Path, size: int) -> bool:
    """A tmpfs of ``size`` bytes at ``folder``; False where mounting is not permitted."""
    folder.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size // 4096 * 4}k", "tmpfs", str(folder)],
                              capture_output=True, timeout=30, check=False)
    except FileNotFoundError:
        return False
    return done.returncode == 0


def _file_size_limit(limit: int) -> Any:
    def limited() -> None:
        _limit_memory()
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limited


def _long_article(sentences: int = 200) -> str:
    """An article whose claims, passages and verdicts take about a megabyte to store."""
    rng = random.Random(8)
    return " ".join(f"Officials said {rng.randint(1000, 90000):,} soldiers from unit {i} arrived in the Kursk region "
                    f"on Thursday, according to a report by the Seoul agency number {i}." for i in range(sentences))


@pytest.mark.parametrize("how", ["tmpfs", "file size limit"])
@pytest.mark.slow
def test_a_full_disk_is_one_line_and_a_failed_run_with_earlier_verdicts_intact(
        how: str, existing_db: Path, prefect_home: Path, tmp_path: Path) -> None:
    """A full disk during a check was a 202-line traceback and left the run ``running``."""
    article = tmp_path / "long.txt"
    article.write_text(_long_article(), encoding="utf-8")
    db = existing_db
    if how == "tmpfs":  # a real full disk: about 600 KB free once the database is on it
        disk = tmp_path / "disk"
        if not _mount_small_disk(disk, existing_db.stat().st_size + (600 << 10)):
            pytest.skip("mounting a tmpfs is not permitted here (the file size limit case covers it)")
        db = disk / "claims.duckdb"
        shutil.copyfile(existing_db, db)
    earlier = _rows(db, "SELECT * FROM verdicts ORDER BY ALL")
    env = cli_env(db, prefect_home)
    try:
        proc = subprocess.run([EXE, "check", str(article)], env=env, capture_output=True, text=True, timeout=600,
                              check=False, preexec_fn=_file_size_limit(1_000_000) if how != "tmpfs" else _limit_memory)
        line = one_error(subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout, proc.stderr))
        assert f"no room to write database {db}" in line, line
        assert ("No space left on device" if how == "tmpfs" else "File too large") in line, line
        runs = _rows(db, "SELECT status, error FROM runs WHERE input = ?", [str(article)])
        assert len(runs) == 1 and runs[0][0] == "failed" and runs[0][1].startswith("DiskFullError: no room"), runs
        after = set(_rows(db, "SELECT * FROM verdicts ORDER BY ALL"))
        assert set(earlier) <= after  # every earlier verdict, unchanged
        assert not list(db.parent.glob(db.name + ".reserve-*"))  # the room kept for the run's end is given back
    finally:
        if how == "tmpfs":
            subprocess.run(["umount", "-l", str(tmp_path / "disk")], capture_output=True, timeout=30, check=False)


@pytest.mark.slow
def test_non_finite_figures_are_stored_without_a_value_and_json_stays_json(
        existing_env: dict[str, str], existing_db: Path, tmp_path: Path) -> None:
    """"999...9 tanks" (400 digits) was stored as infinity and printed as ``Infinity``, not
    JSON; "10^400 troops" was read as 400 troops."""
    nines = "9" * 400
    article = tmp_path / "figures.txt"
    article.write_text(f"North Korea has sent {nines} tanks to Russia's Kursk region, US officials said on Thursday. "
                       "Pyongyang has deployed 10^400 troops near the Ukrainian border, the Pentagon said on Monday.",
                       encoding="utf-8")
    result = claims(["check", str(article), "--json"], existing_env, timeout=600)
    assert result.returncode == 0, result.stderr
    rows = _rows(existing_db, "SELECT c.quantity_text, c.quantity_value, c.quantity_low, c.quantity_high FROM claims c "
                              "JOIN documents d ON d.id = c.document_id WHERE d.text LIKE '%10^400 troops%'")
    texts = {r[0]: r[1:] for r in rows}
    assert texts == {f"{nines} tanks": (None, None, None), "10^400 troops": (None, None, None)}, texts
    printed = claims(["query", "select text, quantity_value, quantity_text from claims", "--format", "json"],
                     existing_env)
    assert printed.returncode == 0, printed.stderr

    def refuse(constant: str) -> None:
        raise AssertionError(f"not JSON: {constant}")

    assert any(r["quantity_text"] == "10^400 troops" for r in json.loads(printed.stdout, parse_constant=refuse))


@pytest.mark.parametrize("k, refused", [("1000000000", False), ("0", True), ("-5", True)])
@pytest.mark.slow
def test_an_absurd_k_is_bounded_by_the_store_or_refused(k: str, refused: bool, existing_env: dict[str, str]) -> None:
    """``claims search x -k 1000000000`` tried to allocate 74.5 GiB, then a MemoryError traceback."""
    result = claims(["search", "8,000 North Korean soldiers in Kursk", "-k", k, "--json"], existing_env, timeout=300)
    if refused:
        assert "ask for at least 1 hit per text" in one_error(result)
        return
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    [(passages,)] = _rows(Path(existing_env["CLAIMS_DB"]), "SELECT count(*) FROM passages")
    assert 0 < len(hits) <= passages * 20  # sentences of the passages the store holds, not a billion


def test_a_million_short_lines_are_refused_in_seconds(existing_env: dict[str, str], existing_db: Path,
                                                      tmp_path: Path) -> None:
    """1.6 million short lines (4.8 MB, under the input limit) took 8 min 55 s for 0 claims."""
    path = tmp_path / "lines.txt"
    path.write_text("Ab\n" * 1_600_000, encoding="utf-8")
    digest = _digest(existing_db)
    started = time.monotonic()
    line = one_error(claims(["check", str(path)], existing_env, timeout=120))
    assert time.monotonic() - started < 30
    assert "has 1,600,000 lines, more than the 50,000 an article may have: split it into articles" in line
    assert _digest(existing_db) == digest


@pytest.mark.slow
def test_many_short_lines_under_the_limit_are_split_fast(existing_env: dict[str, str], tmp_path: Path) -> None:
    """Headlines, list items and table rows skip the sentence splitter's fixed cost."""
    path = tmp_path / "lines.txt"
    path.write_text("Troops sent north\n" * 45_000 + ARTICLE + "\n", encoding="utf-8")  # too short to be claims
    started = time.monotonic()
    result = claims(["check", str(path), "--json"], existing_env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 120  # it was about 10 minutes per 1.6 million lines, 17 s per 45,000


def test_a_page_trafilatura_cannot_parse_is_one_line_without_its_logs(
        httpserver: HTTPServer, existing_env: dict[str, str], existing_db: Path) -> None:
    """trafilatura's own ERROR lines ("empty HTML tree: URL") reached standard error without -v."""
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    httpserver.expect_request("/blank.html").respond_with_data("   ", content_type="text/html")
    env = {**existing_env, "CLAIMS_ALLOW_PRIVATE_HOSTS": f"127.0.0.1:{httpserver.port}"}
    digest = _digest(existing_db)
    line = one_error(claims(["check", f"http://127.0.0.1:{httpserver.port}/blank.html"], env))
    assert "has no extractable article text" in line
    assert _digest(existing_db) == digest


def _at(httpserver: HTTPServer, path: str) -> str:
    """The server's URL of ``path`` by its address (pytest-httpserver names it "localhost")."""
    return f"http://127.0.0.1:{httpserver.port}{path}"


def _feed(httpserver: HTTPServer, paths: list[str]) -> str:
    items = "".join(f"<item><title>Entry {i}</title><link>{_at(httpserver, p)}</link><guid>{p}</guid></item>"
                    for i, p in enumerate(paths))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback</title>'
            f"<link>{_at(httpserver, '/')}</link><description>t</description>{items}</channel></rss>")


def test_monitor_fails_when_every_feed_failed(httpserver: HTTPServer, existing_env: dict[str, str],
                                              existing_db: Path) -> None:
    """``claims monitor`` exited 0 when it could read none of its feeds."""
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    env = {**existing_env, "CLAIMS_ALLOW_PRIVATE_HOSTS": f"127.0.0.1:{httpserver.port}"}
    for path in ("/gone.xml", "/missing.xml"):
        httpserver.expect_request(path).respond_with_data("gone", status=404, content_type="text/plain")
    feeds = [_at(httpserver, "/gone.xml"), _at(httpserver, "/missing.xml")]
    line = one_error(claims(["monitor", *feeds], env))
    assert "every feed failed, nothing to verify" in line and "404" in line and "(and 1 more feeds)" in line, line
    assert _rows(existing_db, "SELECT status FROM runs WHERE flow_name = 'monitor-feeds'") == [("failed",)]


@pytest.mark.slow
def test_one_article_under_two_addresses_in_one_pass_is_verified_once(
        httpserver: HTTPServer, existing_env: dict[str, str], existing_db: Path) -> None:
    """Two entries of one pass that are the same article (fetched at once) were both verified."""
    page = TITLED_PAGE.format(body="The Pentagon said on Monday that about 10,000 North Korean soldiers had been "
                                   "sent to eastern Russia for training.")
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    httpserver.expect_request("/feed.xml").respond_with_data(_feed(httpserver, ["/a.html", "/b.html"]),
                                                             content_type="application/rss+xml")
    for path in ("/a.html", "/b.html"):
        httpserver.expect_request(path).respond_with_data(page, content_type="text/html; charset=utf-8")
    env = {**existing_env, "CLAIMS_ALLOW_PRIVATE_HOSTS": f"127.0.0.1:{httpserver.port}"}
    result = claims(["monitor", _at(httpserver, "/feed.xml"), "--concurrency", "2", "--json"], env, timeout=600)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["verified"], summary["duplicates"]) == (1, 1), summary
    items = _rows(existing_db, "SELECT status, document_id FROM feed_items ORDER BY status")
    assert [s for s, _ in items] == ["completed", "duplicate"] and items[0][1] == items[1][1], items
    # the pass, and one verification
    assert _rows(existing_db, "SELECT count(*) FROM runs WHERE flow_name = 'monitor-feeds'") == [(2,)]


@pytest.mark.slow
def test_claimreview_json_cannot_end_the_script_block_it_is_published_in(
        existing_env: dict[str, str], tmp_path: Path) -> None:
    """The ClaimReview JSON held a claim's raw ``</script>``: pasted into the
    ``<script type="application/ld+json">`` block where ClaimReview is published, it ended it."""
    article = tmp_path / "a.txt"
    article.write_text("North Korea has sent about 8,000 soldiers </script><script>alert(1)</script> to Russia's "
                       "Kursk region near the Ukrainian border, US officials said on Thursday.", encoding="utf-8")
    assert claims(["check", str(article)], existing_env, timeout=600).returncode == 0
    out = tmp_path / "reviews.jsonld"
    written = claims(["export", "claimreview", "--out", str(out)], existing_env)
    printed = claims(["export", "claimreview"], existing_env)
    assert written.returncode == 0 and printed.returncode == 0, written.stderr + printed.stderr
    for text in (out.read_text(encoding="utf-8"), printed.stdout):
        assert "</" not in text and "<script" not in text
        assert any("</script><script>alert(1)</script>" in r["claimReviewed"] for r in json.loads(text))
