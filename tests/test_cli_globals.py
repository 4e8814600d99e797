"""The global options (``--db``, ``--config``, ``-v``) before or after the command; the
default corpus found from any working directory; a configured evidence source that is
missing stops a check with one line before anything is written."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from claims_cli.app import app
from claims_cli.context import RootGroup
from tests.conftest import ROOT, SEED, cli_env, one_error, run_cli
from tests.test_report_views import build_history

ROOT_GROUP = typer.main.get_command(app)


def _moved(args: list[str]) -> list[str]:
    ctx = ROOT_GROUP.make_context("claims", ["--help"], resilient_parsing=True)
    assert isinstance(ROOT_GROUP, RootGroup)  # the app's cls
    return ROOT_GROUP.global_options_first(ctx, args)


@pytest.mark.parametrize("args,expected", [
    (["check", "a.txt", "--db", "x.duckdb"], ["--db", "x.duckdb", "check", "a.txt"]),
    (["check", "a.txt", "--db=x.duckdb", "-v", "--json"], ["--db=x.duckdb", "-v", "check", "a.txt", "--json"]),
    (["lake", "snapshots", "--config", "c.toml", "-n", "3"], ["--config", "c.toml", "lake", "snapshots", "-n", "3"]),
    # the last one given wins, as for any click option
    (["--db", "a", "query", "select 1", "--db", "b"], ["--db", "a", "--db", "b", "query", "select 1"]),
    # an option's value is never taken for one, nor is anything after --
    (["check", "--title", "--db", "a.txt"], ["check", "--title", "--db", "a.txt"]),
    (["query", "select $p", "--param", "p=--db", "--", "--db"], ["query", "select $p", "--param", "p=--db", "--", "--db"]),
    (["--verbose", "query", "-- a comment\nselect 1", "--verbose"],
     ["--verbose", "--verbose", "query", "-- a comment\nselect 1"]),
])
def test_global_options_move_before_the_command(args: list[str], expected: list[str]) -> None:
    assert _moved(args) == expected


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("globals") / "claims.duckdb"
    build_history(path)
    return path


def test_db_and_verbose_after_the_command(history: Path, tmp_path: Path, prefect_home: Path) -> None:
    env = cli_env(tmp_path / "not-this.duckdb", prefect_home)  # CLAIMS_DB names a file that is not there
    sql = "select count(*) as n from verdicts"
    for args in (["query", sql, "--db", str(history), "--format", "csv"],
                 ["query", sql, "--format", "csv", "-v", f"--db={history}"],
                 ["--db", str(tmp_path / "nothing.duckdb"), "query", sql, "--db", str(history), "--format", "csv"]):
        result = run_cli(args, env)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stdout.split() == ["n", "2"]
    assert not (tmp_path / "not-this.duckdb").exists()
    config = tmp_path / "desk.toml"
    config.write_text(f'db = "{history.name}"\n', encoding="utf-8")
    shutil.copyfile(history, tmp_path / history.name)
    env.pop("CLAIMS_DB")
    result = run_cli(["query", sql, "--format", "csv", "--config", str(config)], env, cwd=ROOT / "examples")
    assert result.returncode == 0 and result.stdout.split() == ["n", "2"], result.stderr  # db beside the file


def _claims_exe() -> str:
    return shutil.which("claims", path=str(Path(sys.executable).parent)) or "claims"


def _environment_without_corpus(prefect_home: Path) -> dict[str, str]:
    env = cli_env(Path("unused.duckdb"), prefect_home)
    for name in ("CLAIMS_DB", "CLAIMS_SOURCES__CORPUS__PATH", "CLAIMS_CONFIG"):
        env.pop(name, None)
    return env


@pytest.mark.slow
def test_a_check_from_another_folder_finds_the_example_corpus(tmp_path: Path, prefect_home: Path,
                                                              main_job_db: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    db = tmp_path / "elsewhere.duckdb"
    proc = subprocess.run([_claims_exe(), "--db", str(db), "check", str(SEED), "--json"], cwd=empty,
                          env=_environment_without_corpus(prefect_home), capture_output=True, text=True, timeout=900,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert "corpus folder does not exist" not in proc.stderr and list(empty.iterdir()) == []
    labels = [v["verdict"] for v in json.loads(proc.stdout)["verdicts"]]
    from_repo = [v["verdict"] for v in json.loads((main_job_db.parent / "check.json").read_text())["verdicts"]]
    assert labels == from_repo and len(labels) >= 5
    assert labels.count("not_enough_evidence") < len(labels)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_missing_corpus_is_one_error_and_writes_nothing(tmp_path: Path, prefect_home: Path, history: Path) -> None:
    env = {**_environment_without_corpus(prefect_home), "CLAIMS_SOURCES__CORPUS__PATH": str(tmp_path / "gone")}
    new_db = tmp_path / "new.duckdb"
    line = one_error(run_cli(["check", str(SEED), "--db", str(new_db)], env, cwd=tmp_path))
    assert f"the evidence corpus {tmp_path / 'gone'} does not exist" in line and "sources.corpus.path" in line
    assert not new_db.exists() and not Path(str(new_db) + ".wal").exists()
    existing = tmp_path / "existing.duckdb"
    shutil.copyfile(history, existing)
    before = _digest(existing)
    for args in (["check", str(SEED)], ["reverify"]):
        one_error(run_cli([*args, "--db", str(existing)], env, cwd=tmp_path))
    assert _digest(existing) == before
