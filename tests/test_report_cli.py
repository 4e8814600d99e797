"""``claims report`` and ``claims export parquet`` through the real command."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import cli_env, run_cli
from tests.test_report_views import build_history


@pytest.fixture()
def env(tmp_path: Path, prefect_home: Path) -> dict[str, str]:
    db = tmp_path / "claims.duckdb"
    build_history(db)
    return cli_env(db, prefect_home)


def test_report_writes_one_file_and_filters_by_date(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "site" / "report.html"
    result = run_cli(["report", "--out", str(out), "--title", "Desk <report>"], env)
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}: 1 claim, 1 chart" in result.stderr  # not "1 claims, 1 charts"
    page = out.read_text(encoding="utf-8")
    assert "<title>Desk &lt;report&gt;</title>" in page and 'data-label="refuted"' in page
    result = run_cli(["report", "--out", str(out), "--since", "2999-01-01"], env)
    assert result.returncode == 0, result.stderr
    assert "0 claims" in result.stderr and "No verdicts in this period." in out.read_text(encoding="utf-8")


def test_report_errors_are_one_line(env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(["report", "--since", "last week", "--out", str(tmp_path / "r.html")], env)
    assert result.returncode == 2
    assert result.stderr.strip() == ("Error: --since 'last week' is not a date: use YYYY-MM-DD "
                                     "(or YYYY-MM-DDTHH:MM)")
    missing = dict(env, CLAIMS_DB=str(tmp_path / "nothing.duckdb"))
    result = run_cli(["report", "--out", str(tmp_path / "r.html")], missing)
    assert result.returncode == 1 and result.stderr.startswith("Error: database ")
    assert "run `claims check` first" in result.stderr
    assert not (tmp_path / "nothing.duckdb").exists() and not (tmp_path / "r.html").exists()


def test_export_parquet_writes_every_table(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    result = run_cli(["export", "parquet", str(folder)], env)
    assert result.returncode == 0, result.stderr
    with duckdb.connect(env["CLAIMS_DB"], read_only=True) as con:
        tables = {r[0]: con.execute(f'select count(*) from "{r[0]}"').fetchall()[0][0] for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main'").fetchall()}
    assert {p.stem for p in folder.glob("*.parquet")} == set(tables)
    for table, n in tables.items():
        assert duckdb.sql(f"select count(*) from read_parquet('{folder / (table + '.parquet')}')").fetchall()[0][0] == n
    assert tables["verdicts"] == 2 and tables["evidence"] == 4
    result = run_cli(["export", "parquet", env["CLAIMS_DB"]], env)
    assert result.returncode == 2 and "is a file: give a folder" in result.stderr
