"""Commands import only what they use: ``--help``, ``query``, ``report``, ``export`` and
``lake`` load no model, and import neither torch nor sentence-transformers (nor
transformers, ONNX Runtime, Prefect or the HTTP server), so that they answer at once; and
a check, on the default backend (the int8 ONNX export that ships), imports no torch.

Each command runs in a new Python process, through the console entry point, and reports
the modules it ended with (``sys.modules``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from claims.embed.onnx import PACKAGED_ONNX
from claims.store import Store
from tests.conftest import CORPUS

HEAVY = ("torch", "sentence_transformers", "transformers", "onnxruntime", "prefect", "fastapi", "uvicorn", "scipy",
         "sklearn")

_CHILD = """
import json, sys
sys.argv = ["claims", *json.loads(sys.argv[1])]
from claims_cli.app import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)), file=sys.__stderr__)
"""


def _modules_after(args: list[str], db: Path, cwd: Path, **env_extra: str) -> list[str]:
    """The heavy modules a ``claims ARGS`` process imported (and its exit status was 0)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMS_", "PREFECT_API"))}
    env.update({"CLAIMS_DB": str(db), "HF_HUB_OFFLINE": "1", **env_extra})
    code = _CHILD.replace("HEAVY", repr(HEAVY))
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(args)], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False)
    lines = proc.stderr.strip().splitlines()
    assert lines, proc
    return list(json.loads(lines[-1]))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with no rows (no model needed to make it)."""
    path = tmp_path_factory.mktemp("lazy") / "claims.duckdb"
    Store(path).migrate()
    return path


@pytest.mark.parametrize("args", [
    ["--help"],
    ["query", "--help"],
    ["query", "select count(*) from latest_verdicts"],
    ["query", "select * from latest_verdicts", "--format", "json"],
    ["report", "--out", "{tmp}/report.html"],
    ["export", "claimreview", "--out", "{tmp}/reviews.jsonld"],
    ["export", "parquet", "{tmp}/parquet"],
    ["lake", "--help"],
    ["lake", "snapshots"],  # a DuckDB file: one Error line, still no model
    ["serve", "--help"],
], ids=lambda args: " ".join(a for a in args if "{tmp}" not in a))
def test_the_command_imports_no_model(args: list[str], db: Path, tmp_path: Path) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert _modules_after(args, db, tmp_path) == []


@pytest.mark.slow
def test_the_probe_sees_a_model_import(tmp_path: Path) -> None:
    """The check above can fail: a command that loads the model (a check) shows torch."""
    article = tmp_path / "article.txt"
    article.write_text("Officials said on Monday that 8,000 soldiers had been sent to the border.\n", encoding="utf-8")
    found = _modules_after(["check", str(article), "--corpus", str(CORPUS)], tmp_path / "probe.duckdb", tmp_path,
                           CLAIMS_EMBEDDING_BACKEND="torch")
    assert "torch" in found and "sentence_transformers" in found, found


@pytest.mark.slow
@pytest.mark.parametrize("backend", [None, "onnx"], ids=["default", "onnx"])
def test_a_check_loads_the_shipped_export_and_no_torch(backend: str | None, tmp_path: Path) -> None:
    """The default backend (``auto``) and ``onnx``: the packaged model's int8 export ships in
    the package (make export-embedder), so a check on a new database loads it without torch."""
    assert PACKAGED_ONNX.is_file()
    article = tmp_path / "article.txt"
    article.write_text("Officials said on Monday that 8,000 soldiers had been sent to the border.\n", encoding="utf-8")
    env = {"CLAIMS_EMBEDDING_BACKEND": backend} if backend else {}
    found = _modules_after(["check", str(article), "--corpus", str(CORPUS)], tmp_path / "onnx.duckdb", tmp_path,
                           **env)
    assert "onnxruntime" in found and not {"torch", "sentence_transformers", "transformers"} & set(found), found
    assert not {"scipy", "sklearn"} & {m.split(".")[0] for m in found}, found  # BM25 and stance in numpy
