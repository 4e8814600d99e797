"""Overlapping runs on one DuckDB file: nothing fails on the lock, nothing is lost.

DuckDB lets one process at a time open a file for writing; the store opens a connection
per short write transaction and retries the open while another process holds the lock
(claims/store/connection.py). Within one process, write transactions are serialised so that two
threads writing the same keys never make DuckDB fail one of them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from claims.models import Document, Passage
from claims.store import Store, run_user_query
from tests.conftest import cli_env

LOCK_ERROR = re.compile(r"\block(ed)?\b|DatabaseLocked|lock_timeout", re.IGNORECASE)

ARTICLES = {
    "blinken": ("---\ntitle: Blinken on Kursk\noutlet: Wire One\npublished: 2024-10-31\n---\n"
                "US Secretary of State Antony Blinken said on Thursday that 8,000 North Korean soldiers "
                "were in Russia's Kursk region near the border with Ukraine.\n"),
    "pentagon": ("---\ntitle: Pentagon estimate\noutlet: Wire Two\npublished: 2024-10-28\n---\n"
                 "The Pentagon said on Monday that about 10,000 North Korean soldiers had been sent to "
                 "eastern Russia for training.\n"),
    "nis": ("---\ntitle: Seoul briefing\noutlet: Wire Three\npublished: 2024-10-18\n---\n"
            "South Korea's spy agency said North Korea had sent 1,500 special forces troops to Russia "
            "by ship in the first transfer of a larger deployment.\n"),
    "kirby": ("---\ntitle: White House estimate\noutlet: Wire Four\npublished: 2024-10-23\n---\n"
              "White House spokesman John Kirby said at least 3,000 North Korean soldiers had moved to "
              "eastern Russia in early to mid October.\n"),
}


def test_threads_writing_the_same_rows_at_once_all_succeed(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.duckdb")
    store.migrate()
    docs = [Document.make(f"Text number {i} about 8,000 soldiers.", url=f"https://example.org/{i}")
            for i in range(50)]
    passages = [Passage(id=f"p{i}", document_id=docs[i % 50].id, position=i, text=f"passage {i}")
                for i in range(300)]
    vectors = np.ones((300, 384), dtype=np.float32) / np.sqrt(384)
    errors: list[BaseException] = []
    added: list[int] = []

    def write() -> None:
        try:
            added.append(store.upsert_documents(docs) + store.upsert_passages(passages, vectors, "m"))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(added) == 350  # every row stored once, none twice
    counts = run_user_query(store, "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM passages)").rows
    assert counts == [(50, 300)]


@pytest.mark.slow
@pytest.mark.timeout(1200)  # the four runs are each allowed 900 s
def test_four_check_runs_at_once_on_one_database(tmp_path: Path, prefect_home: Path) -> None:
    db = tmp_path / "shared.duckdb"
    env = cli_env(db, prefect_home)
    exe = shutil.which("claims", path=str(Path(sys.executable).parent)) or "claims"
    paths = []
    for name, text in ARTICLES.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    # Prefect's own SQLite database is created once, as any earlier run would have done: the
    # very first runs of a fresh PREFECT_HOME, started at the same instant, race on Prefect's
    # migrations (its "duplicate column" traceback, not a DuckDB matter).
    prefect = shutil.which("prefect", path=str(Path(sys.executable).parent)) or "prefect"
    subprocess.run([prefect, "server", "database", "upgrade", "-y"], env=env, capture_output=True, check=True,
                   timeout=300)
    procs = [subprocess.Popen([exe, "check", str(p), "--json"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for p in paths]
    results = [(p, *p.communicate(timeout=900)) for p in procs]

    store = Store(db)
    printed: dict[str, int] = {}
    for proc, stdout, stderr in results:
        err = stderr.decode("utf-8", "replace")
        assert proc.returncode == 0, err
        assert not LOCK_ERROR.search(err), err
        payload = json.loads(stdout)
        printed[payload["run_id"]] = len(payload["verdicts"])
    assert len(printed) == 4

    runs = run_user_query(store, "SELECT id, status, started_at, finished_at FROM runs").rows
    assert {r[0] for r in runs} == set(printed) and {r[1] for r in runs} == {"completed"}
    # The runs really overlapped: the last one started before the first one finished.
    assert max(r[2] for r in runs) < min(r[3] for r in runs)

    per_run = dict(run_user_query(store, """
        SELECT r.id, count(v.claim_id) FROM runs r LEFT JOIN verdicts v ON v.run_id = r.id GROUP BY r.id""").rows)
    claims_per_run = dict(run_user_query(store, """
        WITH run_docs AS (SELECT DISTINCT v.run_id, c.document_id FROM verdicts v JOIN claims c ON c.id = v.claim_id)
        SELECT rd.run_id, count(c.id) FROM run_docs rd JOIN claims c ON c.document_id = rd.document_id
        GROUP BY rd.run_id""").rows)
    for run_id, n in printed.items():
        assert n >= 1, "every article has at least one check-worthy claim"
        assert per_run[run_id] == n  # every verdict printed is stored
        assert claims_per_run[run_id] == n  # one verdict per claim of the article: none lost
    total = run_user_query(store, "SELECT count(*), count(DISTINCT (run_id, claim_id)) FROM verdicts").rows[0]
    assert total == (sum(printed.values()), sum(printed.values()))
    orphans = run_user_query(store, """
        SELECT count(*) FROM evidence e
        WHERE NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.run_id = e.run_id AND v.claim_id = e.claim_id)""").rows
    assert orphans == [(0,)]
