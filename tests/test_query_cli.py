"""``claims query`` through the real command: formats, bound parameters, column widths,
read-only refusal; in a real terminal (a pseudo-terminal of 80 and 200 columns), every
column shown, one record at a time when the rows are wider; SQL from a file or standard
input, comments as written."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import cli_env, one_error, run_cli
from tests.test_report_views import build_history


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("query") / "claims.duckdb"
    build_history(path)
    return path


@pytest.fixture(scope="module")
def env(db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return cli_env(db, tmp_path_factory.mktemp("prefect"), COLUMNS="100")


def query(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = run_cli(["query", *args], env, timeout=120)
    return result.returncode, result.stdout, result.stderr


def test_table_keeps_short_columns_whole_and_wraps_long_text(env: dict[str, str]) -> None:
    code, out, err = query(env, "select label, confidence, top_sources, claim from latest_verdicts", "--width", "30")
    assert code == 0, err
    lines = out.splitlines()
    header = next(line for line in lines if "label" in line)
    assert "confidence" in header and "top_sources" in header
    row = next(line for line in lines if "refuted" in line)
    assert "0.7" in row  # numbers printed with 4 significant digits
    assert "later.example, Harbor Times" in out  # lists joined, not Python reprs
    # the claim (59 characters) wraps at --width 30; the other columns fit and stay on one line
    assert "Seoul said 8,000 North Korean soldiers are near the border." not in out
    assert "Seoul said 8,000 North Korean" in out and "border." in out
    assert len(row) < 100
    assert err.strip().endswith("1 row")  # not "1 rows"


def test_table_prints_figures_whole(env: dict[str, str]) -> None:
    code, out, err = query(env, "select source, value, low from quantity_reports where role = 'evidence' "
                                "order by value")
    assert code == 0, err
    assert "1e+04" not in out and "10,000" in out and "11,500" in out and "9,000" in out


def test_csv_and_json_formats(env: dict[str, str]) -> None:
    code, out, err = query(env, "select claim_id, label, top_sources, created_at from latest_verdicts", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1 and rows[0]["label"] == "refuted"
    assert json.loads(rows[0]["top_sources"]) == ["later.example", "Harbor Times"]
    code, out, err = query(env, "select label, confidence, top_sources, created_at from latest_verdicts", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data[0]["label"] == "refuted" and data[0]["confidence"] == pytest.approx(0.7)
    assert data[0]["top_sources"] == ["later.example", "Harbor Times"]
    assert data[0]["created_at"][:2] == "20"  # ISO timestamp


def test_bound_parameters(env: dict[str, str]) -> None:
    code, out, err = query(env, "select run_id from verdicts where label = $label order by run_id",
                           "--param", "label=supported", "--format", "json")
    assert code == 0, err
    assert json.loads(out) == [{"run_id": "run-1"}]
    code, out, err = query(env, "select count(*) as n from claim_evidence where source = $s and run_id = $r",
                           "-p", "s=Harbor Times", "-p", "r=run-2", "--format", "csv")
    assert code == 0, err
    assert out.splitlines() == ["n", "1"]
    code, _, err = query(env, "select 1", "--param", "nothing")
    assert code == 2 and "Error: --param 'nothing' is not NAME=VALUE" in err


def test_parquet_needs_out_and_writes_the_rows(env: dict[str, str], tmp_path: Path) -> None:
    code, _, err = query(env, "select * from claim_evidence", "--format", "parquet")
    assert code == 2 and "--format parquet needs --out" in err
    target = tmp_path / "evidence.parquet"
    code, _, err = query(env, "select * from claim_evidence where run_id = $r", "-p", "r=run-2",
                         "--format", "parquet", "--out", str(target))
    assert code == 0, err
    assert "wrote 2 rows" in err
    assert duckdb.sql(f"select count(*), min(run_id) from read_parquet('{target}')").fetchall() == [(2, "run-2")]


def test_table_to_a_file(env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "table.txt"
    code, out, err = query(env, "select source, agreed, disagreed from source_agreement order by source",
                           "--out", str(target))
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    assert "Harbor Times" in text and "later.example" in text and out == ""


def test_writes_and_unknown_formats_are_refused(env: dict[str, str], db: Path) -> None:
    code, _, err = query(env, "delete from verdicts")
    assert code == 1 and err.startswith("Error: claims query is read-only")
    assert duckdb.connect(str(db), read_only=True).execute("select count(*) from verdicts").fetchall() == [(2,)]
    code, _, err = query(env, "select 1", "--format", "xml")
    assert code == 2 and "unknown --format 'xml'" in err
    code, _, err = query(env, "select * from no_such_view")
    assert code == 1 and err.startswith("Error: query failed:")


# -- every column, in a terminal of any width ---------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def in_terminal(args: list[str], env: dict[str, str], columns: int, *, rows: int = 50,
                timeout: float = 120) -> tuple[int, str]:
    """``claims ARGS`` with its standard output and error on a pseudo-terminal ``columns``
    wide (set with TIOCSWINSZ before the command starts): its exit code and what the
    terminal received, colours taken out."""
    exe = shutil.which("claims", path=str(Path(sys.executable).parent)) or "claims"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    proc = subprocess.Popen([exe, *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    received = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the command has ended and closed the terminal
                break
            if not chunk:
                break
            received += chunk
    finally:
        os.close(master)
    code = proc.wait(timeout=30)
    return code, _ANSI.sub("", received.decode("utf-8", "replace").replace("\r\n", "\n"))


def _terminal_env(env: dict[str, str], **extra: str) -> dict[str, str]:
    plain = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    return {**plain, "TERM": "xterm-256color", **extra}


def _columns(db: Path, view: str) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [d[0] for d in con.execute(f"select * from {view} limit 0").description]


@pytest.mark.parametrize("columns", [80, 200])
def test_every_column_of_latest_verdicts_in_a_terminal(env: dict[str, str], db: Path, columns: int) -> None:
    names = _columns(db, "latest_verdicts")
    assert len(names) > 30
    for sized in (_terminal_env(env), _terminal_env(env, COLUMNS=str(columns))):  # the window's size, or COLUMNS
        code, shown = in_terminal(["query", "select * from latest_verdicts"], sized, columns)
        assert code == 0, shown
        fields = {line.split("│", 1)[0].strip() for line in shown.splitlines() if "│" in line}
        assert set(names) <= fields, sorted(set(names) - fields)  # one record at a time: each field on a line
        assert "-[ RECORD 1 ]" in shown
        assert max(len(line) for line in shown.splitlines()) <= columns  # nothing runs past the window
        assert "Seoul said 8,000 North Korean soldiers are near" in shown  # long text wrapped, not cut away


def test_a_narrow_result_stays_a_table_and_expanded_can_be_forced(env: dict[str, str]) -> None:
    sql = "select label, confidence, top_sources from latest_verdicts"
    code, shown = in_terminal(["query", sql], _terminal_env(env), 200)
    assert code == 0, shown
    header = next(line for line in shown.splitlines() if "label" in line)
    assert "confidence" in header and "top_sources" in header and "RECORD" not in shown
    code, shown = in_terminal(["query", sql, "--expanded"], _terminal_env(env), 200)
    assert code == 0 and "-[ RECORD 1 ]" in shown and re.search(r"^top_sources +│ later.example", shown, re.MULTILINE)
    # forced into a table wider than the terminal: every column still there, none squeezed away
    code, shown = in_terminal(["query", "select * from latest_verdicts", "--no-expanded"], _terminal_env(env), 80)
    assert code == 0 and "RECORD" not in shown
    assert all(name in shown for name in ("claim_id", "rationale", "verdict_count", "checkable"))


def test_a_pipe_gets_records_when_the_table_is_too_wide(env: dict[str, str]) -> None:
    code, out, err = query(env, "select * from latest_verdicts")
    assert code == 0, err
    assert out.startswith("-[ RECORD 1 ]") and "│ refuted" in out
    assert max(len(line) for line in out.splitlines()) <= 160 and err.strip() == "1 row"
    code, out, err = query(env, "select label from latest_verdicts where false", "--expanded")
    assert code == 0 and out.strip() == "(no rows; columns: label)"
    assert "--expanded is a way to print a table" in one_error(run_cli(
        ["query", "select 1", "--format", "csv", "--expanded"], env), 2)


# -- SQL from a file, standard input, or an argument that opens with a comment ------------------

COMMENTED = """-- Which claims are refuted? (a question, as the README writes one)
/* a block comment */
select label, count(*) as n
from latest_verdicts
group by label;
"""


def test_sql_from_a_file_and_from_standard_input(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "question.sql"
    path.write_text(COMMENTED, encoding="utf-8")
    code, out, err = query(env, "-f", str(path), "--format", "csv")
    assert code == 0, err
    assert out.splitlines() == ["label,n", "refuted,1"]
    for args in (["query", "-", "--format", "csv"], ["query", "--format", "csv", "-f", "-"]):
        piped = run_cli(args, env, input=COMMENTED.encode())
        assert piped.returncode == 0, piped.stderr
        assert piped.stdout.splitlines() == ["label,n", "refuted,1"]
    # pasted as the argument, comment first: an argument, not an unknown option
    code, out, err = query(env, COMMENTED, "--format", "csv")
    assert code == 0, err
    assert out.splitlines() == ["label,n", "refuted,1"]


def test_sql_source_errors_are_one_line(env: dict[str, str], tmp_path: Path) -> None:
    line = one_error(run_cli(["query", "-f", "json"], env), 2)
    assert "no such SQL file" in line and "--format json" in line
    assert "not both" in one_error(run_cli(["query", "select 1", "-f", str(tmp_path / "q.sql")], env), 2)
    assert "give the SQL" in one_error(run_cli(["query"], env), 2)
    (tmp_path / "empty.sql").write_text("-- nothing\n\n", encoding="utf-8")
    assert one_error(run_cli(["query", "-f", str(tmp_path / "empty.sql")], env)).startswith("Error: ")
    assert "is a folder" in one_error(run_cli(["query", "-f", str(tmp_path)], env), 2)
