"""Cutting documents into passages: windows of whole sentences with overlap.

A passage holds a claim-sized statement with its context: ``size`` sentences, the next
window starting ``size - overlap`` sentences later, and never more than ``max_chars``
characters (the embedding model reads at most 256 word pieces).
"""

from __future__ import annotations

from collections.abc import Sequence

from claims.extract.sentences import split_sentences
from claims.models import Document, Passage, stable_id

__all__ = ["MAX_CHARS", "make_passages", "passages_for", "splitter_key"]

MAX_CHARS = 900
# Bump when make_passages or the sentence splitter cut text differently: stored cuts
# (the document_passages table) made by another version are then not reused.
SPLITTER_VERSION = 1


def splitter_key(size: int = 3, overlap: int = 1, max_chars: int = MAX_CHARS) -> str:
    """What decides how a text is cut, as one string stored beside the cut."""
    return f"sentences={size};overlap={overlap};max_chars={max_chars};v{SPLITTER_VERSION}"


def make_passages(document: Document, size: int = 3, overlap: int = 1, max_chars: int = MAX_CHARS) -> list[Passage]:
    """The passages of one document, in order; ids are stable (document id + text)."""
    if size < 1 or not 0 <= overlap < size:
        raise ValueError("passage size must be >= 1 and overlap in [0, size)")
    sentences = split_sentences(document.text)
    if not sentences:
        return []
    passages: list[Passage] = []
    seen: set[str] = set()
    i = 0
    while i < len(sentences):
        j = i + 1
        # grow the window up to `size` sentences while it stays under max_chars
        while j < len(sentences) and j - i < size and sentences[j].end - sentences[i].start <= max_chars:
            j += 1
        start, end = sentences[i].start, sentences[j - 1].end
        text = document.text[start:end]
        if text not in seen:
            seen.add(text)
            passages.append(Passage(id=stable_id(document.id, text), document_id=document.id,
                                    position=len(passages), text=text, start=start, end=end))
        if j >= len(sentences):
            break
        i += max(1, (j - i) - overlap)  # a window cut short by max_chars advances less
    return passages


def passages_for(documents: Sequence[Document], size: int = 3, overlap: int = 1) -> list[Passage]:
    out: list[Passage] = []
    for doc in documents:
        out.extend(make_passages(doc, size, overlap))
    return out
