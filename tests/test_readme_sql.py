"""Every ```sql block of the README runs, as `claims query` runs it, against a database
made by the main job, and returns at least one row; and runs through the real command
exactly as printed, comments and all: from a file (``claims query -f FILE``), from standard
input (``claims query -``) and pasted as the argument."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from claims.store import Store, run_user_query
from tests.conftest import cli_env, run_cli

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```sql\n(.*?)^```", re.MULTILINE | re.DOTALL)


def sql_blocks(*, as_printed: bool = False) -> list[str]:
    """The README's ```sql blocks (``as_printed``: each exactly as the README prints it)."""
    found = [m.group(1) for m in _BLOCK.finditer(README.read_text(encoding="utf-8"))]
    return found if as_printed else [sql.strip() for sql in found]


def _question(sql: str) -> str:
    first = sql.splitlines()[0]
    return first.removeprefix("--").strip()[:60] if first.startswith("--") else first[:60]


def test_the_readme_has_example_queries() -> None:
    blocks = sql_blocks()
    assert len(blocks) >= 6
    assert all(b.startswith("--") for b in blocks), "each query opens with the question it answers"


@pytest.mark.parametrize("sql", sql_blocks(), ids=_question)
def test_readme_query_returns_rows(sql: str, main_job_db: Path) -> None:
    result = run_user_query(Store(main_job_db), sql)
    assert result.columns, "the statement returns a result set"
    assert result.rows, f"no rows for: {_question(sql)}"


@pytest.mark.parametrize("sql", sql_blocks(as_printed=True), ids=_question)
def test_readme_query_runs_as_printed_through_the_command(sql: str, main_job_db: Path, prefect_home: Path,
                                                           tmp_path: Path) -> None:
    env = cli_env(main_job_db, prefect_home)
    path = tmp_path / "question.sql"
    path.write_text(sql, encoding="utf-8")
    from_file = run_cli(["query", "-f", str(path), "--format", "json"], env)
    assert from_file.returncode == 0, from_file.stderr
    assert json.loads(from_file.stdout), f"no rows for: {_question(sql)}"
    for args, given in ((["query", "-", "--format", "json"], sql.encode()), (["query", sql, "--format", "json"], None)):
        result = run_cli(args, env, input=given)
        assert result.returncode == 0, result.stderr
        assert _rows(result.stdout) == _rows(from_file.stdout)  # the same rows (ties in ORDER BY in any order)


def _rows(printed: str) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True) for row in json.loads(printed))
