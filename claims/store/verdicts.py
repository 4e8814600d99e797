"""Claims and their verdict history: the ``claims``, ``verdicts`` and ``evidence`` tables.

A claim is stored once (its id is a hash of document and span) and keeps its first
cluster; every run that judges it appends one verdict row with its evidence rows, in one
transaction, so the history is kept and the views never see half a verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import duckdb
import numpy as np

from claims.models import Claim, Scope, Verdict, utcnow
from claims.store.connection import (
    Database,
    insert_json,
    insert_rows,
    retry_on_conflict,
    row_count,
    rows_as_dicts,
    vector_text,
)

__all__ = ["VerdictsTable"]

# claims.scope_* in the order of Scope's fields (migration 010)
_SCOPE_COLUMNS = ("scope_thing", "scope_status", "scope_place", "scope_start", "scope_end", "scope_time_text",
                  "scope_holder", "scope_bound")


def _scope_values(scope: Scope | None) -> tuple[Any, ...]:
    """A claim's scope as the values of its ``scope_*`` columns (all NULL without one)."""
    if scope is None:
        return (None,) * len(_SCOPE_COLUMNS)
    return (scope.thing, scope.status, scope.place, scope.start, scope.end, scope.time_text, scope.holder,
            scope.bound)


def _scope_of(values: Sequence[Any]) -> Scope | None:
    """The scope stored in a claim's ``scope_*`` columns; None when all are NULL (a claim
    stored before migration 010, or one whose scope read nothing)."""
    if all(v is None for v in values):
        return None
    thing, status, place, start, end, time_text, holder, bound = values
    return Scope(thing=thing, status=status, place=place, start=start, end=end, time_text=time_text,
                 holder=holder, bound=bound)


# The columns of the evidence and verdicts rows that save_verdicts writes, in its order, with their types
_EVIDENCE_COLUMNS = (
    ("run_id", "VARCHAR"), ("claim_id", "VARCHAR"), ("passage_id", "VARCHAR"), ("document_id", "VARCHAR"),
    ("rank", "INTEGER"), ("similarity", "DOUBLE"), ("stance", "VARCHAR"), ("stance_score", "DOUBLE"),
    ("quantity_relation", "VARCHAR"), ("passage_quantity", "VARCHAR"), ("passage_quantity_value", "DOUBLE"),
    ("passage_quantity_low", "DOUBLE"), ("passage_quantity_high", "DOUBLE"), ("passage_quantity_unit", "VARCHAR"),
    ("passage_quantity_qualifier", "VARCHAR"), ("quantity_date", "DATE"), ("role", "VARCHAR"), ("origin", "VARCHAR"),
    ("role_cue", "VARCHAR"), ("vote_weight", "DOUBLE"), ("scope_note", "VARCHAR"))
_VERDICT_COLUMNS = (
    ("run_id", "VARCHAR"), ("claim_id", "VARCHAR"), ("label", "VARCHAR"), ("confidence", "DOUBLE"),
    ("rationale", "VARCHAR"), ("n_support", "INTEGER"), ("n_refute", "INTEGER"), ("n_neutral", "INTEGER"),
    ("model", "VARCHAR"), ("created_at", "TIMESTAMP"), ("best_passage_id", "VARCHAR"))


def _insert_typed(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[tuple[str, str]],
                  rows: Sequence[Sequence[Any]], tail: str = "") -> None:
    """:func:`insert_json` of ``rows`` into ``table``'s ``columns`` (name, type)."""
    insert_json(con, f"INSERT INTO {table} ({', '.join(name for name, _ in columns)})",
                [kind for _, kind in columns], rows, tail)


class VerdictsTable(Database):
    """Writes and reads of claims, verdicts and evidence."""

    @retry_on_conflict
    def upsert_claims(self, claims: Sequence[Claim], embeddings: np.ndarray | None = None,
                      model: str | None = None) -> int:
        """Insert claims or refresh their derived fields; a claim keeps its first cluster.
        ``embeddings`` (row i for claims[i]) are kept for matching later claims to them."""
        if not claims:
            return 0
        rows = []
        seen: set[str] = set()
        for i, c in enumerate(claims):
            if c.id in seen:
                continue
            seen.add(c.id)
            q = c.quantity
            vector = vector_text(embeddings[i]) if embeddings is not None else None
            rows.append((
                c.id, c.document_id, c.text, c.start, c.end, c.checkworthiness, c.claim_type,
                q.value if q else None, q.low if q else None, q.high if q else None,
                q.unit if q else None, q.qualifier if q else None, q.text if q else None,
                c.attribution, c.claim_date, list(c.entities), c.cluster_id, vector, model, c.checkable,
                *_scope_values(c.scope),
            ))
        with self.transaction() as con:
            before = row_count(con, "claims")
            insert_rows(
                con,
                "INSERT INTO claims (id, document_id, text, char_start, char_end, checkworthiness, "
                "claim_type, quantity_value, quantity_low, quantity_high, quantity_unit, "
                "quantity_qualifier, quantity_text, attribution, claim_date, entities, cluster_id, embedding, model, "
                "checkable, " + ", ".join(_SCOPE_COLUMNS) + ")",
                rows,
                "ON CONFLICT (id) DO UPDATE SET checkworthiness = excluded.checkworthiness, "
                "claim_type = excluded.claim_type, quantity_value = excluded.quantity_value, "
                "quantity_low = excluded.quantity_low, quantity_high = excluded.quantity_high, "
                "quantity_unit = excluded.quantity_unit, quantity_qualifier = excluded.quantity_qualifier, "
                "quantity_text = excluded.quantity_text, attribution = excluded.attribution, "
                "claim_date = excluded.claim_date, entities = excluded.entities, "
                "cluster_id = coalesce(claims.cluster_id, excluded.cluster_id), "
                "embedding = coalesce(excluded.embedding, claims.embedding), model = coalesce(excluded.model, claims.model), "
                "checkable = coalesce(excluded.checkable, claims.checkable), "
                + ", ".join(f"{col} = excluded.{col}" for col in _SCOPE_COLUMNS),
                casts={17: "FLOAT[]"},
            )
            return row_count(con, "claims") - before

    def claims_for_matching(self, model: str, *, exclude_document: str | None = None,
                            since_days: int = 90, limit: int = 20_000) -> list[dict[str, Any]]:
        """Recent stored claims with their embeddings, to match new claims against."""
        if not self.exists():
            return []
        with self.connect() as con:
            return rows_as_dicts(con.execute(
                "SELECT id, cluster_id, text, embedding, entities, quantity_value, quantity_low, "
                "quantity_high, quantity_unit, quantity_qualifier, quantity_text FROM claims "
                "WHERE model = ? AND embedding IS NOT NULL AND cluster_id IS NOT NULL "
                "AND document_id IS DISTINCT FROM ? "
                "AND created_at >= current_timestamp - to_days(CAST(? AS INTEGER)) "
                "ORDER BY created_at DESC LIMIT ?",
                [model, exclude_document, since_days, limit],
            ))

    def load_claims(self, claim_ids: Sequence[str]) -> list[Claim]:
        """Stored claims as :class:`Claim` objects, in the order of ``claim_ids`` (unknown ids
        are left out). Quantities are not read back: callers parse them again from the
        text, as extraction does (:func:`claims.extract.with_quantities`). The scope is read
        back (None for a claim stored without one)."""
        if not claim_ids:
            return []
        with self.connect() as con:
            rows = con.execute(
                "SELECT id, document_id, text, char_start, char_end, checkworthiness, claim_type, attribution, "
                "claim_date, entities, cluster_id, checkable, " + ", ".join(_SCOPE_COLUMNS) + " "
                "FROM claims WHERE id IN (SELECT unnest(?::VARCHAR[]))",
                [list(claim_ids)]).fetchall()
        order = {cid: i for i, cid in enumerate(claim_ids)}
        return [Claim(id=cid, document_id=doc_id, text=text, start=start or 0, end=end or 0,
                      checkworthiness=float(score or 0.0), claim_type=ctype or "other", attribution=attribution,
                      claim_date=cdate, entities=list(entities or []), cluster_id=cluster, checkable=checkable,
                      scope=_scope_of(scope))
                for (cid, doc_id, text, start, end, score, ctype, attribution, cdate, entities, cluster, checkable,
                     *scope)
                in sorted(rows, key=lambda r: order[r[0]])]

    def claims_due(self, *, cutoff: datetime, labels: Sequence[str], unjudged_after_minutes: float,
                   limit: int) -> list[str]:
        """Ids of the claims due for a new verdict, oldest verdict first (never judged first):
        the latest verdict has one of ``labels`` or is older than ``cutoff``, or there is no
        verdict although the claim was stored more than ``unjudged_after_minutes`` ago."""
        with self.connect() as con:
            rows = con.execute(
                """
                WITH latest AS (
                    SELECT claim_id, label, created_at
                    FROM verdicts
                    QUALIFY row_number() OVER (PARTITION BY claim_id ORDER BY created_at DESC, run_id DESC) = 1
                ),
                due AS (
                    SELECT claim_id, created_at AS judged_at FROM latest
                    WHERE label IN (SELECT unnest(?::VARCHAR[])) OR created_at < ?
                    UNION ALL
                    SELECT c.id, NULL FROM claims c
                    WHERE NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.claim_id = c.id)
                      AND c.created_at < current_timestamp::TIMESTAMP - to_minutes(?::BIGINT)
                )
                SELECT claim_id FROM due ORDER BY judged_at NULLS FIRST, claim_id LIMIT ?
                """,
                [list(labels), cutoff, int(unjudged_after_minutes), limit],
            ).fetchall()
        return [r[0] for r in rows]

    @retry_on_conflict
    def save_verdicts(self, run_id: str, verdicts: Sequence[Verdict], model: str | None = None) -> int:
        """Write each verdict with its evidence rows, all in one transaction."""
        if not verdicts:
            return 0
        now = utcnow()
        evidence_rows = []
        verdict_rows = []
        for v in verdicts:
            verdict_rows.append((run_id, v.claim_id, v.label, float(v.confidence), v.rationale,
                                 v.n_support, v.n_refute, v.n_neutral, model, now,
                                 v.best.passage.id if v.best is not None else None))
            for e in v.evidence:
                q = e.passage_quantity
                evidence_rows.append((
                    run_id, v.claim_id, e.passage.id, e.document.id, e.rank, float(e.similarity),
                    e.stance, float(e.stance_score), e.quantity_relation,
                    q.text if q else None, q.value if q else None, q.low if q else None,
                    q.high if q else None, q.unit if q else None, q.qualifier if q else None,
                    e.quantity_date if q else None, e.role, e.origin, e.role_cue or None, float(e.weight),
                    e.scope_note or None,
                ))
        with self.transaction() as con:
            _insert_typed(con, "evidence", _EVIDENCE_COLUMNS, evidence_rows, "ON CONFLICT DO NOTHING")
            _insert_typed(con, "verdicts", _VERDICT_COLUMNS, verdict_rows, "ON CONFLICT DO NOTHING")
        return len(verdict_rows)



    def verdict_changes(self, run_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Rows of the ``verdict_changes`` view whose new verdict was written by these runs."""
        if not run_ids:
            return []
        with self.connect() as con:
            return rows_as_dicts(con.execute(
                "SELECT claim_id, claim, previous_label, previous_confidence, previous_run_id, new_label, "
                "new_confidence, new_run_id, new_evidence_count FROM verdict_changes "
                "WHERE new_run_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY new_created_at, claim_id",
                [list(run_ids)]))
