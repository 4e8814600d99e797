"""Every ```sql block of the README runs, as `claims query` runs it, against a database
made by the main job, and returns at least one row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from claims.store import Store, run_user_query

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```sql\n(.*?)^```", re.M | re.S)


def sql_blocks() -> list[str]:
    return [m.group(1).strip() for m in _BLOCK.finditer(README.read_text(encoding="utf-8"))]


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
