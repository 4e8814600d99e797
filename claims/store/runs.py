"""The ``runs`` table: one row per pipeline run (a verification, a re-check, a monitoring
pass), opened as ``running`` and closed as ``completed`` or ``failed`` with its stats.

A run killed outright (kill -9, an out-of-memory kill, a lost machine) cannot record its
own end. Each row therefore names its process (``host``, ``pid``), and every run that
starts marks ``abandoned`` the ``running`` rows of its own machine whose process is gone
(a pid now held by a process that started after the run counts as gone). Rows of other
machines, and rows older than schema version 8, are marked after ``monitor_lease_minutes``
by the scheduled flows (:meth:`RunsTable.mark_abandoned_runs`)."""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from claims.models import utcnow
from claims.redact import scrub_text
from claims.store.connection import Database, retry_on_conflict

__all__ = ["RunsTable"]

log = logging.getLogger(__name__)


def _scrubbed(value: Any) -> Any:
    """A run's parameters with the secrets in their texts masked (:func:`claims.redact.scrub_text`)."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrubbed(v) for v in value]
    return value


class RunsTable(Database):
    """Writes of the ``runs`` table."""

    @retry_on_conflict
    def start_run(self, *, flow_name: str, input: str | None, parameters: dict[str, Any] | None = None,
                  flow_run_id: str | None = None, run_id: str | None = None) -> str:
        run_id = run_id or uuid.uuid4().hex
        host = socket.gethostname()
        with self.transaction() as con:
            _mark_dead_runs(con, host)
            con.execute(
                "INSERT INTO runs (id, flow_run_id, flow_name, input, parameters, started_at, status, host, pid) "
                "VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?) ON CONFLICT (id) DO NOTHING",
                [run_id, flow_run_id, flow_name, input and scrub_text(input),
                 json.dumps(_scrubbed(parameters or {}), default=str), utcnow(), host, os.getpid()],
            )
        return run_id

    @retry_on_conflict
    def finish_run(self, run_id: str, *, status: str, error: str | None = None,
                   stats: dict[str, Any] | None = None) -> None:
        with self.transaction() as con:
            con.execute(
                "UPDATE runs SET finished_at = ?, status = ?, error = ?, stats = ? WHERE id = ?",
                [utcnow(), status, error and scrub_text(error), json.dumps(stats or {}, default=str), run_id],
            )

    @retry_on_conflict
    def mark_abandoned_runs(self, older_than: timedelta) -> int:
        """Mark ``abandoned`` the ``running`` runs of this machine whose process is gone, and
        those of any machine started longer ago than ``older_than``.

        A killed run's row stays ``running`` with no ``finished_at``, and everything it
        wrote is complete (verdicts and their evidence go in one transaction). Scheduled
        flows call this with ``monitor_lease_minutes`` for runs of other machines (whose
        processes cannot be looked at from here); a slow run wrongly marked still records
        ``completed`` when it ends."""
        cutoff = utcnow() - older_than
        with self.transaction() as con:
            dead = _mark_dead_runs(con, socket.gethostname())
            # ids first, then the update (a DuckLake takes no UPDATE ... RETURNING)
            rows = con.execute("SELECT id FROM runs WHERE status = 'running' AND finished_at IS NULL "
                               "AND started_at < ?", [cutoff]).fetchall()
            if rows:
                con.execute("UPDATE runs SET status = 'abandoned', error = 'no end recorded: the run was killed or "
                            "lost' WHERE id IN (SELECT unnest(?::VARCHAR[]))", [[r[0] for r in rows]])
        if rows:
            log.warning("marked %d runs abandoned (running for more than %s)", len(rows), older_than)
        return dead + len(rows)


def _process_started(pid: int) -> datetime | None:
    """When process ``pid`` started (UTC, naive), from /proc; None where that is unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        with open("/proc/stat", encoding="ascii") as handle:
            boot = next(float(line.split()[1]) for line in handle if line.startswith("btime "))
    except (OSError, IndexError, StopIteration, ValueError):
        return None
    started = boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22 of stat: start time in ticks
    return datetime.fromtimestamp(started, UTC).replace(tzinfo=None)


def _process_gone(pid: int, run_started: datetime) -> bool:
    """Whether the process that started a run at ``run_started`` is gone: no process has
    ``pid`` now, or the one that has it started after the run did (the pid was reused)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # a process of another user holds it
    started = _process_started(pid)
    return started is not None and started > run_started + timedelta(seconds=2)  # /proc's boot time is whole seconds


def _mark_dead_runs(con: duckdb.DuckDBPyConnection, host: str) -> int:
    """Mark ``abandoned`` the ``running`` rows of ``host`` whose process is gone."""
    running = con.execute("SELECT id, pid, started_at FROM runs WHERE status = 'running' AND finished_at IS NULL "
                          "AND host = ? AND pid IS NOT NULL", [host]).fetchall()
    dead = [run_id for run_id, pid, started in running if _process_gone(int(pid), started)]
    if dead:
        con.execute("UPDATE runs SET status = 'abandoned', error = 'no end recorded: its process ended without "
                    "one (killed?)' WHERE id IN (SELECT unnest(?))", [dead])
        log.warning("marked %d runs abandoned (their process on %s is gone)", len(dead), host)
    return len(dead)
