"""The local corpus backend: a folder of text/Markdown documents with front matter.

Each file may start with a ``---`` block giving ``url``, ``title``, ``outlet`` and
``published`` (YYYY-MM-DD). The whole folder is the candidate set: ranking passages by
similarity to the claim is the scorer's job, not the backend's.
"""

from __future__ import annotations

import logging
from pathlib import Path

from claims.errors import InputError
from claims.sources.base import SourceError, SourceRequest, SourceResult
from claims.sources.text import document_from_text

__all__ = ["CorpusBackend", "load_corpus"]

log = logging.getLogger(__name__)

_SUFFIXES = {".md", ".txt", ".markdown"}


def load_corpus(folder: Path) -> SourceResult:
    """Every readable document in ``folder`` (recursively), errors recorded per file."""
    result = SourceResult()
    if not folder.is_dir():
        result.errors.append(SourceError("corpus", str(folder), "corpus folder does not exist"))
        return result
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in _SUFFIXES or not path.is_file():
            continue
        try:
            raw = path.read_text(encoding="utf-8")
            doc = document_from_text(raw, name=str(path), source_kind="corpus")
            if doc.url is None:  # a stable identity for documents without a URL
                doc = document_from_text(raw, name=str(path), source_kind="corpus",
                                         url=path.resolve().as_uri())
            result.documents.append(doc)
        except (InputError, UnicodeDecodeError, OSError) as exc:
            log.warning("skipping corpus file %s: %s", path, exc)
            result.errors.append(SourceError("corpus", str(path), str(exc)))
    return result


class CorpusBackend:
    """Serves the documents of one local folder (read once per backend instance)."""

    name = "corpus"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._loaded: SourceResult | None = None

    def _load(self) -> SourceResult:
        if self._loaded is None:
            self._loaded = load_corpus(self.folder)
        return self._loaded

    async def gather(self, request: SourceRequest) -> SourceResult:
        loaded = self._load()
        return SourceResult(documents=list(loaded.documents), errors=list(loaded.errors))
