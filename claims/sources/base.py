"""The one small interface every evidence backend implements.

A backend is async (it shares the run's one ``httpx.AsyncClient``). It takes a :class:`SourceRequest` (a claim's search queries, its date, or nothing
for feed-style backends) and returns documents. Backends never raise for a failure of one
source: they report it in :attr:`SourceResult.errors` so the run goes on with the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from claims.models import Document

__all__ = ["Backend", "SourceError", "SourceRequest", "SourceResult"]


@dataclass(frozen=True)
class SourceRequest:
    """What to look for: search queries for one claim (may be empty for feeds and corpora)."""

    claim_id: str | None = None
    claim_text: str = ""
    queries: tuple[str, ...] = ()
    claim_date: date | None = None


@dataclass(frozen=True)
class SourceError:
    """One failure of one backend, recorded instead of raised."""

    backend: str
    target: str
    error: str


@dataclass
class SourceResult:
    documents: list[Document] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)

    def extend(self, other: SourceResult) -> None:
        self.documents.extend(other.documents)
        self.errors.extend(other.errors)


class Backend(Protocol):
    """An evidence source. ``name`` identifies it in settings, logs and the fetches table."""

    name: str

    async def gather(self, request: SourceRequest) -> SourceResult: ...
