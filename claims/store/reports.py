"""Reads of the views for what people are shown: the HTML report and the ClaimReview
export (the views themselves are in ``views.sql``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from claims.store.connection import Database, rows_as_dicts
from claims.store.records import ReportRows

__all__ = ["ReportsTable"]


def _as_datetime(since: datetime | date | None) -> datetime | None:
    if isinstance(since, date) and not isinstance(since, datetime):
        return datetime(since.year, since.month, since.day)
    return since


class ReportsTable(Database):
    """Read-only reads of the verdict views."""

    def report_rows(self, since: datetime | date | None = None) -> ReportRows:
        """The latest verdict of every claim created at or after ``since``, their evidence,
        their documents' texts, the figures of their clusters, the per-source agreement
        and each claim's latest label change; one read-only connection."""
        since = _as_datetime(since)
        with self.connect(read_only=True) as con:
            self.check_version(con)
            verdicts = rows_as_dicts(con.execute(
                "SELECT * FROM latest_verdicts WHERE ? IS NULL OR created_at >= ? "
                "ORDER BY document_id, char_start, claim_id", [since, since]))
            ids = [v["claim_id"] for v in verdicts]
            evidence = rows_as_dicts(con.execute(
                "SELECT * FROM claim_evidence WHERE is_latest AND claim_id IN "
                "(SELECT unnest(?::VARCHAR[])) ORDER BY claim_id, rank", [ids])) if ids else []
            texts = dict(con.execute(
                "SELECT id, text FROM documents WHERE id IN (SELECT unnest(?::VARCHAR[]))",
                [sorted({v["document_id"] for v in verdicts})]).fetchall()) if ids else {}
            clusters = sorted({v["cluster_id"] for v in verdicts})
            reports = rows_as_dicts(con.execute(
                "SELECT * FROM quantity_reports WHERE cluster_id IN (SELECT unnest(?::VARCHAR[])) "
                "ORDER BY cluster_id, reported_at NULLS LAST, source", [clusters])) if clusters else []
            sources = rows_as_dicts(con.execute(
                "SELECT * FROM source_agreement ORDER BY evidence_count DESC, source"))
            changes = {r["claim_id"]: r for r in rows_as_dicts(con.execute(
                "SELECT claim_id, previous_label, new_created_at FROM verdict_changes "
                "WHERE claim_id IN (SELECT unnest(?::VARCHAR[])) "
                "QUALIFY row_number() OVER (PARTITION BY claim_id ORDER BY new_created_at DESC) = 1",
                [ids]))} if ids else {}
        return ReportRows(verdicts, evidence, texts, reports, sources, changes)

    def latest_verdict_rows(self, *, label: str | None = None, since: datetime | date | None = None,
                            limit: int = 100) -> list[dict[str, Any]]:
        """``latest_verdicts`` rows, newest first (at most ``limit``), with label ``label``
        and made at or after ``since`` when given (``GET /verdicts``)."""
        since = _as_datetime(since)
        with self.connect(read_only=True) as con:
            self.check_version(con)
            return rows_as_dicts(con.execute(
                "SELECT * FROM latest_verdicts WHERE (? IS NULL OR label = ?) AND (? IS NULL OR created_at >= ?) "
                "ORDER BY created_at DESC, claim_id LIMIT ?", [label, label, since, since, limit]))

    def claim_rows(self, claim_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """A claim's ``latest_verdicts`` row and its latest verdict's cited evidence
        (``claim_evidence``), best rank first; (None, []) when the claim has no verdict."""
        with self.connect(read_only=True) as con:
            self.check_version(con)
            rows = rows_as_dicts(con.execute("SELECT * FROM latest_verdicts WHERE claim_id = ?", [claim_id]))
            if not rows:
                return None, []
            evidence = rows_as_dicts(con.execute(
                "SELECT * FROM claim_evidence WHERE is_latest AND claim_id = ? ORDER BY rank", [claim_id]))
        return rows[0], evidence

    def claim_review_rows(self, since: datetime | date | None = None) -> list[dict[str, Any]]:
        """``latest_verdicts`` rows created at or after ``since``."""
        since = _as_datetime(since)
        with self.connect(read_only=True) as con:
            self.check_version(con)
            return rows_as_dicts(con.execute(
                "SELECT * FROM latest_verdicts lv WHERE ? IS NULL OR lv.created_at >= ? "
                "ORDER BY lv.created_at, lv.claim_id", [since, since]))
