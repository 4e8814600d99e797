"""``claims query`` through the real command: formats, bound parameters, column widths,
read-only refusal."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest

from tests.conftest import cli_env, run_cli
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
    assert err.strip().endswith("1 rows")


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
    code, out, err = query(env, "select label, confidence, top_sources, created_at from latest_verdicts", "-f", "json")
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
                           "-p", "s=Harbor Times", "-p", "r=run-2", "-f", "csv")
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
    assert duckdb.connect(str(db), read_only=True).execute("select count(*) from verdicts").fetchone()[0] == 2
    code, _, err = query(env, "select 1", "--format", "xml")
    assert code == 2 and "unknown --format 'xml'" in err
    code, _, err = query(env, "select * from no_such_view")
    assert code == 1 and err.startswith("Error: query failed:")
