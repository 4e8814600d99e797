"""The ``sentences`` table: every sentence of a checked article, with its check-worthiness
score and, when it became no claim, why (one row per sentence per run)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass

from claims.store.connection import Database, retry_on_conflict

__all__ = ["SentenceRecord", "SentencesTable"]

_COLUMNS = "position, char_start, char_end, text, checkworthiness, claim_id, skipped"


@dataclass(frozen=True)
class SentenceRecord:
    """One sentence of a checked article, as stored in ``sentences``."""

    position: int
    char_start: int
    char_end: int
    text: str
    checkworthiness: float | None  # None: too short to be scored
    claim_id: str | None  # the claim it became
    skipped: str | None  # why it became no claim (None: it became one)


class SentencesTable(Database):
    """Writes and reads of ``sentences``."""

    @retry_on_conflict
    def save_sentences(self, run_id: str, document_id: str, records: Sequence[SentenceRecord]) -> None:
        """The sentences of the article a run checked, in one transaction (a run writes them once)."""
        if not records:
            return
        with self.transaction() as con:
            con.executemany(
                f"INSERT INTO sentences (run_id, document_id, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, document_id, *astuple(r)) for r in records])

    def run_sentences(self, run_id: str) -> list[SentenceRecord]:
        """The sentences a run stored, in the article's order."""
        with self.connect(read_only=True) as con:
            rows = con.execute(f"SELECT {_COLUMNS} FROM sentences WHERE run_id = ? ORDER BY position",
                               [run_id]).fetchall()
        return [SentenceRecord(*row) for row in rows]
