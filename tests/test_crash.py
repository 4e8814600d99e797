"""A verify run killed with SIGKILL at several moments leaves nothing half-written, and the
next run completes the work without duplicates.

Each attempt starts a real ``claims check`` in its own process group (the CLI and the
Prefect server it starts) and kills the whole group with SIGKILL: once after the claims
are stored (polled with short read-only opens, which the writer's retried opens tolerate)
and once at a random moment. After every kill, each run has either all of its article's
verdicts, each with its evidence, or none. A final run then completes, and the database
holds what a clean run produces, nothing twice. Killed runs are marked ``abandoned`` by the
next run on the machine, their processes being gone (:mod:`claims.store.runs`).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from claims.store import Store, run_user_query
from tests.conftest import cli_env

ARTICLE = ("---\ntitle: Kursk estimates\noutlet: Crash Wire\npublished: 2024-10-31\n---\n"
           "US Secretary of State Antony Blinken said on Thursday that 8,000 North Korean soldiers were "
           "in Russia's Kursk region near the border with Ukraine. The Pentagon said on Monday that about "
           "10,000 North Korean soldiers had been sent to eastern Russia for training. South Korea's spy "
           "agency said 1,500 special forces troops had gone first, by ship.\n")

EXE = shutil.which("claims", path=str(Path(sys.executable).parent)) or "claims"


def _start(article: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([EXE, "check", str(article), "--json"], env=env, cwd=article.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate(timeout=60)


def _peek(db: Path, sql: str) -> Any:
    """One short read-only look (None while the writer holds the file)."""
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return None
    try:
        return con.execute(sql).fetchall()[0][0]
    except duckdb.CatalogException:
        return None
    finally:
        con.close()


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    return run_user_query(Store(db), sql).rows


def _counts(db: Path) -> dict[str, Any]:
    return {
        "documents": _rows(db, "SELECT count(*), count(DISTINCT id) FROM documents")[0],
        "claims": _rows(db, "SELECT count(*), count(DISTINCT id) FROM claims")[0],
        "passages": _rows(db, "SELECT count(*), count(DISTINCT id) FROM passages")[0],
    }


def _assert_nothing_half_written(db: Path) -> None:
    """Per run: all of the article's verdicts or none; every verdict's evidence with it."""
    n_claims = _rows(db, "SELECT count(*) FROM claims c JOIN documents d ON d.id = c.document_id "
                         "WHERE d.source_kind = 'input'")[0][0]
    per_run = _rows(db, "SELECT r.id, r.status, count(v.claim_id) FROM runs r "
                        "LEFT JOIN verdicts v ON v.run_id = r.id GROUP BY ALL")
    for run_id, status, n in per_run:
        assert n in (0, n_claims), (run_id, status, n, n_claims)
        if status == "completed":
            assert n == n_claims
    orphans = _rows(db, "SELECT count(*) FROM evidence e WHERE NOT EXISTS (SELECT 1 FROM verdicts v "
                        "WHERE v.run_id = e.run_id AND v.claim_id = e.claim_id)")[0][0]
    assert orphans == 0
    # What users read: the latest verdict of each claim carries all of its evidence rows.
    mismatched = _rows(db, """
        SELECT count(*) FROM latest_verdicts l
        WHERE l.n_evidence <> (SELECT count(*) FROM evidence e WHERE e.run_id = l.run_id AND e.claim_id = l.claim_id)""")
    assert mismatched == [(0,)]


@pytest.mark.slow
@pytest.mark.timeout(1800)  # up to four runs of the CLI, each allowed 600 s
def test_kill_9_mid_run_then_rerun_equals_a_clean_run(tmp_path: Path, prefect_home: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    clean_db, crash_db = tmp_path / "clean.duckdb", tmp_path / "crash.duckdb"

    started = time.monotonic()
    clean = _start(article, cli_env(clean_db, prefect_home))
    out, err = clean.communicate(timeout=600)
    assert clean.returncode == 0, err.decode()
    clean_seconds = time.monotonic() - started
    clean_labels = sorted(v["verdict"] for v in json.loads(out)["verdicts"])
    assert clean_labels, "the article has check-worthy claims"

    env = cli_env(crash_db, prefect_home)
    rng = random.Random(int(os.environ.get("CLAIMS_CRASH_SEED", "6")))
    killed_at: list[str] = []
    for attempt in ("after claims stored", "random moment"):
        proc = _start(article, env)
        deadline = time.monotonic() + (rng.uniform(0.2, 1.0) * clean_seconds if attempt == "random moment" else 600)
        while proc.poll() is None and time.monotonic() < deadline:
            if attempt == "after claims stored" and (_peek(crash_db, "SELECT count(*) FROM claims") or 0) > 0:
                break
            time.sleep(0.1)
        finished = proc.poll() is not None
        _kill(proc)
        killed_at.append(f"{attempt}: {'finished before the kill' if finished else 'killed'}")
        print(attempt, "->", killed_at[-1], _rows(crash_db, "SELECT status, (SELECT count(*) FROM verdicts v "
                                                    "WHERE v.run_id = r.id) FROM runs r ORDER BY started_at"))
        _assert_nothing_half_written(crash_db)
    assert "after claims stored: killed" in killed_at, killed_at
    assert _rows(crash_db, "SELECT count(*) FROM claims")[0][0] > 0

    rerun = _start(article, env)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err.decode()
    rerun_id = json.loads(out)["run_id"]
    _assert_nothing_half_written(crash_db)

    assert _counts(crash_db) == _counts(clean_db)
    for table, (rows, distinct) in _counts(crash_db).items():
        assert rows == distinct, f"duplicate {table}"
    assert sorted(r[0] for r in _rows(crash_db, f"SELECT label FROM verdicts WHERE run_id = '{rerun_id}'")) == clean_labels
    assert _rows(crash_db, f"SELECT status FROM runs WHERE id = '{rerun_id}'") == [("completed",)]

    # Killed runs recorded no end; their processes are gone, so the rerun, on this machine,
    # marked them abandoned when it started (not an hour later, after the lease).
    abandoned = _rows(crash_db, "SELECT count(*) FROM runs WHERE status = 'abandoned' AND finished_at IS NULL")[0][0]
    assert 1 <= abandoned <= sum(1 for k in killed_at if k.endswith(": killed"))  # a kill at start-up leaves no row
    assert _rows(crash_db, "SELECT count(*) FROM runs WHERE status = 'running'") == [(0,)]
    assert Store(crash_db).mark_abandoned_runs(timedelta(0)) == 0
