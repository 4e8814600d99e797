"""What the README's commands write into the checkout is ignored by git: every ``--out``
file and ``export parquet`` folder its command lines name, and the default outputs (the
database, ``out/report.html``), so that following the README leaves ``git status`` clean."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

_COMMAND_OUTPUT = re.compile(r"^(?:\$ )?claims .*?(?:--out|export parquet) (\S+)", re.MULTILINE)


def readme_outputs() -> list[str]:
    """The files and folders the README's command lines write, as they name them."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    named = {m.group(1).rstrip("]") for m in _COMMAND_OUTPUT.finditer(text)}
    return sorted(named - {"FILE", "DIR", "FILE.parquet"})


def test_the_readme_names_its_outputs() -> None:
    found = readme_outputs()
    assert {"out/report.html", "out/reviews.jsonld", "out/exports/", "out/verdicts.parquet"} <= set(found), found


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout")
@pytest.mark.parametrize("path", [*readme_outputs(), "claims.duckdb", "claims.duckdb.wal", "out/report.html",
                                  "report.html", "reviews.jsonld", "claimreview.json", "verdicts.parquet",
                                  "verdicts.csv", "before.html", "exports/documents.parquet"])
def test_every_output_is_ignored(path: str) -> None:
    inside = path + "x.parquet" if path.endswith("/") else path  # a file in a named folder
    result = subprocess.run(["git", "check-ignore", "--no-index", "-q", inside], cwd=ROOT, check=False)
    assert result.returncode == 0, f"{path} is not in .gitignore: git status would list it"
