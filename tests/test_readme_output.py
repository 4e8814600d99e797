"""The README shows the demo's real output: this test runs ``make demo``'s command and the
README's follow-up query on a fresh database and compares their output with the README's
blocks, so that the README cannot go stale.

When the output changes on purpose (a better verdict, a new column), regenerate the blocks:

    CLAIMS_UPDATE_README=1 .venv/bin/pytest tests/test_readme_output.py

A block sits between ``<!-- output: NAME -->`` and ``<!-- end output -->``; the run id and
the database path are the only parts compared loosely (they differ on every run).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, cli_env, run_cli

README = ROOT / "README.md"
DEMO = ["check", "examples/seed-article.txt"]  # the Makefile's `demo` target
FOLLOW_UP = ["query", "select claim, label, confidence, rationale from latest_verdicts order by char_start"]
_BLOCK = re.compile(r"(<!-- output: (?P<name>[\w-]+) -->\n```\n)(?P<body>.*?)(```\n<!-- end output -->)", re.DOTALL)


def _loose(text: str) -> str:
    """What may differ between two runs of the same command: the run id."""
    return re.sub(r"\brun [0-9a-f]{32}\b", "run <id>", text)


def _blocks() -> dict[str, str]:
    return {m.group("name"): m.group("body") for m in _BLOCK.finditer(README.read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, prefect_home: Path) -> dict[str, str]:
    """The demo and the follow-up query on a new database, as a pipe receives them."""
    db = tmp_path_factory.mktemp("readme") / "claims.duckdb"
    env = cli_env(db, prefect_home)
    produced = {}
    for name, args in (("demo", DEMO), ("follow-up", FOLLOW_UP)):
        result = run_cli(args, env)
        assert result.returncode == 0, result.stderr
        # no log lines without -v: nothing, or the query's row count
        assert re.fullmatch(r"(\d+ rows?)?", result.stderr.strip()), result.stderr
        produced[name] = result.stdout.replace(str(db), "claims.duckdb")
    return produced


@pytest.mark.slow
def test_the_readme_shows_the_demo_output(outputs: dict[str, str]) -> None:
    if os.environ.get("CLAIMS_UPDATE_README"):
        text = README.read_text(encoding="utf-8")
        text = _BLOCK.sub(lambda m: m.group(1) + outputs[m.group("name")] + m.group(4), text)
        README.write_text(text, encoding="utf-8")
    blocks = _blocks()
    assert set(blocks) == set(outputs), "the README has a block for the demo and one for the follow-up query"
    for name, produced in outputs.items():
        assert _loose(blocks[name]) == _loose(produced), (
            f"the README's {name} output is stale: regenerate it with "
            "CLAIMS_UPDATE_README=1 .venv/bin/pytest tests/test_readme_output.py")


def test_the_readme_names_the_commands_it_shows() -> None:
    text = README.read_text(encoding="utf-8")
    assert "claims " + " ".join(f'"{a}"' if " " in a else a for a in FOLLOW_UP) in text
    assert "make demo" in text and "$(BIN)/claims " + " ".join(DEMO) in (ROOT / "Makefile").read_text()
