"""The ``documents`` and ``passages`` tables: every text the pipeline read (inputs and
sources) and the passages cut from them with their vectors. Ids are content hashes and
writes keep what is stored, so a rerun writes nothing new. A URL is stored without its secrets
(:func:`claims.redact.scrub_url`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from claims.models import Document, Passage, utcnow
from claims.redact import scrub_url
from claims.store.connection import (
    Database,
    insert_rows,
    insert_scanned,
    retry_on_conflict,
    row_count,
)

__all__ = ["DocumentsTable"]


class DocumentsTable(Database):
    """Writes and reads of ``documents`` and ``passages``."""

    @retry_on_conflict
    def upsert_documents(self, documents: Sequence[Document]) -> int:
        """Insert documents not yet stored (by id); a stored document keeps its first copy,
        its metadata filled in where it was missing."""
        if not documents:
            return 0
        unique = {d.id: d for d in documents}
        with self.transaction() as con:
            # Skip documents stored before with nothing to fill in (a rerun writes nothing).
            stored = con.execute(
                "SELECT id, title IS NULL, outlet IS NULL, published_at IS NULL FROM documents "
                "WHERE id IN (SELECT unnest(?::VARCHAR[]))", [list(unique)]).fetchall()
            for doc_id, no_title, no_outlet, no_date in stored:
                d = unique[doc_id]
                if not ((no_title and d.title) or (no_outlet and d.outlet) or (no_date and d.published_at)):
                    del unique[doc_id]
            if not unique:
                return 0
            rows = [
                (d.id, d.url and scrub_url(d.url), d.title, d.outlet, d.author, d.published_at, utcnow(), d.source_kind,
                 d.content_hash, d.text)
                for d in unique.values()
            ]
            before = row_count(con, "documents")
            insert_rows(
                con,
                "INSERT INTO documents (id, url, title, outlet, author, published_at, fetched_at, "
                "source_kind, content_hash, text)", rows,
                "ON CONFLICT (id) DO UPDATE SET "
                "title = coalesce(documents.title, excluded.title), "
                "outlet = coalesce(documents.outlet, excluded.outlet), "
                "published_at = coalesce(documents.published_at, excluded.published_at)",
            )
            return row_count(con, "documents") - before

    @retry_on_conflict
    def upsert_passages(self, passages: Sequence[Passage], embeddings: np.ndarray, model: str) -> int:
        """Store passages with their embeddings; passages already stored are left alone."""
        if not passages:
            return 0
        meta = np.array([[p.id for p in passages], [p.document_id for p in passages],
                         [str(p.position) for p in passages], [str(p.start) for p in passages],
                         [str(p.end) for p in passages], [p.text for p in passages]], dtype=object)
        with self.transaction() as con:
            return insert_scanned(
                con, "passages", "id, document_id, position, char_start, char_end, text, embedding, model",
                "m.column0, m.column1, m.column2::INTEGER, m.column3::INTEGER, m.column4::INTEGER, m.column5, "
                "{vector}, ?", meta, embeddings, "ON CONFLICT (id) DO NOTHING", [model])

    def stored_passage_ids(self, passage_ids: Sequence[str]) -> set[str]:
        """Which of these passages the store already holds."""
        if not passage_ids or not self.exists():
            return set()
        with self.connect() as con:
            rows = con.execute("SELECT id FROM passages WHERE id IN (SELECT unnest(?::VARCHAR[]))",
                               [list(passage_ids)]).fetchall()
        return {r[0] for r in rows}


    def load_documents(self, document_ids: Sequence[str]) -> list[Document]:
        """The stored documents with these ids (in no particular order)."""
        if not document_ids:
            return []
        with self.connect() as con:
            rows = con.execute(
                "SELECT id, text, url, title, outlet, author, published_at, source_kind, content_hash "
                "FROM documents WHERE id IN (SELECT unnest(?::VARCHAR[]))", [sorted(set(document_ids))]).fetchall()
        return [Document(id=r[0], text=r[1], url=r[2], title=r[3], outlet=r[4], author=r[5], published_at=r[6],
                         source_kind=r[7] or "input", content_hash=r[8] or "") for r in rows]
