"""The ``runs`` table: one row per pipeline run (a verification, a re-check, a monitoring
pass), opened as ``running`` and closed as ``completed`` or ``failed`` with its stats;
rows of runs that were killed are marked ``abandoned`` by the scheduled flows."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta
from typing import Any

from claims.models import utcnow
from claims.store.connection import Database

__all__ = ["RunsTable"]

log = logging.getLogger(__name__)


class RunsTable(Database):
    """Writes of the ``runs`` table."""

    def start_run(self, *, flow_name: str, input: str | None, parameters: dict[str, Any] | None = None,
                  flow_run_id: str | None = None, run_id: str | None = None) -> str:
        run_id = run_id or uuid.uuid4().hex
        with self.transaction() as con:
            con.execute(
                "INSERT INTO runs (id, flow_run_id, flow_name, input, parameters, started_at, status) "
                "VALUES (?, ?, ?, ?, ?, ?, 'running') ON CONFLICT (id) DO NOTHING",
                [run_id, flow_run_id, flow_name, input, json.dumps(parameters or {}, default=str), utcnow()],
            )
        return run_id

    def finish_run(self, run_id: str, *, status: str, error: str | None = None,
                   stats: dict[str, Any] | None = None) -> None:
        with self.transaction() as con:
            con.execute(
                "UPDATE runs SET finished_at = ?, status = ?, error = ?, stats = ? WHERE id = ?",
                [utcnow(), status, error, json.dumps(stats or {}, default=str), run_id],
            )

    def mark_abandoned_runs(self, older_than: timedelta) -> int:
        """Mark ``running`` runs started longer ago than ``older_than`` as ``abandoned``.

        A run killed outright (kill -9, a lost machine) cannot record its own end; its row
        stays ``running`` with no ``finished_at``, and everything it wrote is complete
        (verdicts and their evidence go in one transaction). Scheduled flows call this with
        ``monitor_lease_minutes`` so that such rows say what happened; a slow run wrongly
        marked still records ``completed`` when it ends."""
        cutoff = utcnow() - older_than
        with self.transaction() as con:
            rows = con.execute(
                "UPDATE runs SET status = 'abandoned', error = 'no end recorded: the run was killed or lost' "
                "WHERE status = 'running' AND finished_at IS NULL AND started_at < ? RETURNING id",
                [cutoff]).fetchall()
        if rows:
            log.warning("marked %d runs abandoned (running for more than %s)", len(rows), older_than)
        return len(rows)
