"""Long commands show one progress bar on a terminal's standard error, and nothing when
standard error is a pipe: ``claims eval verdicts`` run in a real pseudo-terminal, and the
library's counting (:mod:`claims.progress`) on a real evaluation."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
from pathlib import Path

import pytest

from claims.eval.verdicts import evaluate_verdicts_file
from claims.progress import reporting, track
from claims.settings import Settings
from tests.conftest import ROOT, cli_env, run_cli
from tests.test_eval_verdicts import write_labelled


def test_track_reports_to_the_reporter_of_its_context_only() -> None:
    seen: list[tuple[str, int, int | None]] = []
    assert list(track([1, 2, 3], "items")) == [1, 2, 3]  # nobody listening: a plain loop
    with reporting(lambda what, done, total: seen.append((what, done, total))):
        assert list(track(iter("ab"), "letters")) == ["a", "b"]
        assert list(track([1, 2, 3], "items")) == [1, 2, 3]
    assert list(track([4], "after")) == [4]
    assert seen == [("letters", 0, None), ("letters", 1, None), ("letters", 2, None),
                    ("items", 0, 3), ("items", 1, 3), ("items", 2, 3), ("items", 3, 3)]


def test_an_evaluation_counts_its_claims(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int | None]] = []
    with reporting(lambda what, done, total: seen.append((what, done, total))):
        result = evaluate_verdicts_file(write_labelled(tmp_path / "mine.jsonl"), Settings(db=tmp_path / "c.duckdb"),
                                        split="all")
    n = result["overall"]["n"]
    assert seen[0] == ("judging claims", 0, n) and seen[-1] == ("judging claims", n, n)


def _run_in_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """The command with standard error on a pseudo-terminal (standard output a pipe)."""
    exe = ROOT / ".venv" / "bin" / "claims"
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(exe) if exe.exists() else "claims", *args], env={**env, "COLUMNS": "100"},
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    terminal = b""
    while True:
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the command closed the terminal
                break
            if not chunk:
                break
            terminal += chunk
        elif proc.poll() is not None:
            break
    stdout = proc.stdout.read().decode() if proc.stdout else ""
    code = proc.wait()
    os.close(master)
    return code, stdout, terminal.decode("utf-8", "replace")


@pytest.mark.slow
def test_a_long_command_shows_a_bar_on_a_terminal_and_nothing_in_a_pipe(tmp_path: Path, prefect_home: Path) -> None:
    data = write_labelled(tmp_path / "mine.jsonl")
    env = cli_env(tmp_path / "c.duckdb", prefect_home)
    args = ["eval", "verdicts", "--data", str(data), "--split", "all"]
    code, stdout, terminal = _run_in_terminal(args, env)
    assert code == 0, terminal
    n = json.loads(stdout)["overall"]["n"]  # standard output stays pure JSON
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal)
    assert "Evaluating" in plain
    assert "judging claims" in plain and f"{n}/{n}" in plain, plain[-500:]
    piped = run_cli(args, env)
    assert piped.returncode == 0 and piped.stderr == "", piped.stderr
    assert json.loads(piped.stdout)["overall"]["n"] == n
