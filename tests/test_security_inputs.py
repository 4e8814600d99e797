"""Issue 34 item 8: inputs that ended in tracebacks give one ``Error:`` line and a non-zero
exit, stopped where they enter (the date's parsing, the option, the settings model), before
any model is loaded or anything is stored."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from claims.sources.html import _parse_date
from claims.sources.text import in_date_range
from tests.conftest import cli_env, one_error, run_cli

ARTICLE = "The city spent 5 million dollars on roads in 2023, the mayor said on Tuesday.\n"


@pytest.fixture
def env(tmp_path: Path, prefect_home: Path) -> dict[str, str]:
    return cli_env(tmp_path / "claims.duckdb", prefect_home)


@pytest.mark.slow
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_at_the_calendar_s_ends_is_one_line(env: dict[str, str], tmp_path: Path, day: str) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    line = one_error(run_cli(["check", str(tmp_path / "a.txt"), "--published", day], env))
    assert f"publication date {day} is not in the years 1000-9000" in line, line
    (tmp_path / "b.md").write_text(f"---\npublished: {day}\n---\n{ARTICLE}", encoding="utf-8")
    line = one_error(run_cli(["check", str(tmp_path / "b.md")], env))
    assert f"publication date {day} is not in the years 1000-9000" in line, line
    assert not (tmp_path / "claims.duckdb").exists()  # refused before anything was stored


def test_feed_and_page_dates_at_the_calendar_s_ends_are_no_dates() -> None:
    assert not in_date_range(datetime(9999, 12, 31)) and not in_date_range(datetime(1, 1, 1))
    assert in_date_range(datetime(2024, 10, 31)) and in_date_range(None)
    assert _parse_date("9999-12-31") is None and _parse_date("2024-10-31") == datetime(2024, 10, 31)


def test_reverify_older_than_a_century_is_refused_as_the_option(env: dict[str, str]) -> None:
    result = run_cli(["reverify", "--older-than-days", "1000000000000"], env)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("Error: ")], result.stderr


@pytest.mark.parametrize("name, value, said", [
    ("CLAIMS_QUERY_TIMEOUT_SECONDS", "1e308", "query_timeout_seconds"),
    ("CLAIMS_QUERY_TIMEOUT_SECONDS", "inf", "query_timeout_seconds"),
    ("CLAIMS_PASSAGE_SENTENCES", "0", "passage_sentences"),
    ("CLAIMS_PASSAGE_OVERLAP", "3", "passage_overlap"),
    ("CLAIMS_LOCK_TIMEOUT", "1e308", "lock_timeout"),
    ("CLAIMS_REVERIFY_AFTER_DAYS", "1e12", "reverify_after_days"),
    ("CLAIMS_QUERY_OUTPUT_LIMIT", "lots", "query_output_limit"),
    ("CLAIMS_STANCE_MODEL", "/etc/passwd", "stance_model"),
    ("CLAIMS_STANCE_MODEL", "README.md", "stance_model"),
    ("CLAIMS_ONNX_DIR", "/proc/self", "onnx_dir"),
    ("CLAIMS_ONNX_DIR", "/etc/passwd", "onnx_dir"),
    ("CLAIMS_HTTP__TOTAL_TIMEOUT", "1e308", "total_timeout"),
    ("CLAIMS_HTTP__MAX_HTML_ELEMENTS", "0", "max_html_elements"),
])
def test_a_setting_out_of_bounds_is_one_line(env: dict[str, str], name: str, value: str, said: str) -> None:
    line = one_error(run_cli(["query", "select 1"], {**env, name: value}))
    assert line.startswith("Error: invalid settings") and said in line, line
