"""The README's "your own article" example, run as written: the desk's budget story checked
against the desk's corpus (``--corpus examples/desk/corpus``), in a folder that holds this
checkout's ``examples/`` and ``.venv/`` as a fresh clone does, and compared with the block
the README shows after it.

When the output changes on purpose (a better verdict), regenerate the block:

    CLAIMS_UPDATE_README=1 .venv/bin/pytest tests/test_first_hour_readme.py
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
_BLOCK = re.compile(r"(<!-- first-hour: own-article -->\n```\n)(?P<body>.*?)(```\n<!-- end first-hour -->)", re.DOTALL)


def _command() -> list[str]:
    """The README's own-article command: the line that checks millbrook-budget.md against a
    corpus, in the code block just before the output block."""
    text = README.read_text(encoding="utf-8")
    before = text[:_BLOCK.search(text).start()]  # type: ignore[union-attr]  # the block is there (asserted below)
    lines = [line for line in before.splitlines() if "millbrook-budget.md" in line and "--corpus" in line]
    assert lines, "the README shows no `claims check ... millbrook-budget.md --corpus ...` line"
    return shlex.split(lines[-1], comments=True)


def _loose(text: str) -> str:
    """What differs between two runs: the run id."""
    return re.sub(r"\brun [0-9a-f]{32}\b", "run <id>", text)


def test_the_readme_example_names_the_desk_corpus() -> None:
    assert _BLOCK.search(README.read_text(encoding="utf-8")), "no <!-- first-hour: own-article --> block"
    command = _command()
    assert command[:3] == [".venv/bin/claims", "check", "examples/desk/articles/millbrook-budget.md"]
    assert command[command.index("--corpus") + 1] == "examples/desk/corpus"


@pytest.mark.slow
def test_the_readme_own_article_example_prints_what_the_readme_shows(tmp_path: Path, prefect_home: Path) -> None:
    # a folder laid out as the checkout: the command's relative paths (.venv/bin/claims,
    # examples/..., out/mine.duckdb) resolve as in a fresh clone, and out/ is written here
    for name in (".venv", "examples"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMS_", "PREFECT_API"))}
    env.update({"HF_HUB_OFFLINE": "1", "PREFECT_HOME": str(prefect_home)})
    result = subprocess.run(_command(), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # no warning, no log line
    assert (tmp_path / "out" / "mine.duckdb").is_file()
    produced = result.stdout
    assert "Millbrook" in produced and "claims checked" in produced
    # judged against the desk's corpus: its sources are cited, not the demo's Korea stories
    assert "Millbrook Courier" in produced and "Bank of Korea" not in produced
    if os.environ.get("CLAIMS_UPDATE_README"):
        text = README.read_text(encoding="utf-8")
        README.write_text(_BLOCK.sub(lambda m: m.group(1) + produced + m.group(3), text), encoding="utf-8")
    shown = _BLOCK.search(README.read_text(encoding="utf-8"))
    assert shown is not None
    assert _loose(shown.group("body")) == _loose(produced), (
        "the README's own-article output is stale: regenerate it with "
        "CLAIMS_UPDATE_README=1 .venv/bin/pytest tests/test_first_hour_readme.py")
