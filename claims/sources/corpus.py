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
from claims.sources.text import document_from_text, read_text_file

__all__ = ["CorpusBackend", "load_corpus"]

log = logging.getLogger(__name__)

_SUFFIXES = {".md", ".txt", ".markdown"}


def load_corpus(folder: Path, max_bytes: int = 5_000_000) -> SourceResult:
    """Every readable document in ``folder`` (recursively), errors recorded per file (one
    over ``max_bytes``, binary or not a regular file among them)."""
    result = SourceResult()
    if not folder.is_dir():
        result.errors.append(SourceError("corpus", str(folder), "corpus folder does not exist"))
        return result
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in _SUFFIXES or path.is_dir():
            continue
        try:
            raw = read_text_file(path, max_bytes)
            doc = document_from_text(raw, name=str(path), source_kind="corpus")
            if doc.url is None:  # a stable identity for documents without a URL
                doc = document_from_text(raw, name=str(path), source_kind="corpus",
                                         url=path.resolve().as_uri())
            result.documents.append(doc)
        except InputError as exc:
            log.warning("skipping corpus file %s: %s", path, exc)
            result.errors.append(SourceError("corpus", str(path), _without_path(str(exc), str(path))))
    return result


def _without_path(message: str, path: str) -> str:
    """``message`` without the file's path it opens with: the error names the file in its
    ``target`` already, and is printed as ``corpus: PATH: message``."""
    if message.startswith(path):
        return message[len(path):].lstrip(",: ") or message
    return message


class CorpusBackend:
    """Serves the documents of one local folder (read once per backend instance, its
    unreadable files reported with the first request only)."""

    name = "corpus"

    def __init__(self, folder: Path, max_bytes: int = 5_000_000) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self._loaded: SourceResult | None = None
        self._errors_given = False

    def _load(self) -> SourceResult:
        if self._loaded is None:
            self._loaded = load_corpus(self.folder, self.max_bytes)
        return self._loaded

    async def gather(self, request: SourceRequest) -> SourceResult:
        loaded = self._load()
        # the folder is read once per run, and so is each of its errors reported once, with
        # the first request, not once per claim
        errors = [] if self._errors_given else list(loaded.errors)
        self._errors_given = True
        return SourceResult(documents=list(loaded.documents), errors=errors)
