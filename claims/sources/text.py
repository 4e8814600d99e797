"""Documents from text that may start with a ``---`` YAML front matter block giving
``url``, ``title``, ``outlet``, ``published`` (the article to check, or a corpus file)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import yaml

from claims.errors import InputError
from claims.models import Document

__all__ = ["document_from_text", "parse_front_matter"]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def _as_datetime(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if hasattr(value, "year") and hasattr(value, "month"):
        return datetime(value.year, value.month, value.day)
    try:
        return datetime.fromisoformat(str(value).strip()).replace(tzinfo=None)
    except ValueError:
        raise InputError(f"front matter date {value!r} is not an ISO date (YYYY-MM-DD): fix it") from None


def parse_front_matter(raw: str) -> tuple[dict[str, Any], str, int]:
    """Split an optional ``---`` YAML block from the text.

    Returns (metadata, body, offset of the body in ``raw``). Offsets of claims are into the
    body, which is what the documents table stores.
    """
    match = _FRONT_MATTER.match(raw)
    if not match:
        return {}, raw, 0
    try:
        meta = yaml.load(match.group(1), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}  # noqa: S506
    except yaml.YAMLError as exc:
        raise InputError(f"front matter is not valid YAML ({exc.__class__.__name__}): fix the --- block") from None
    if not isinstance(meta, dict):
        raise InputError("front matter must be a block of 'key: value' lines")
    return meta, raw[match.end():], match.end()


def document_from_text(raw: str, *, name: str = "<text>", source_kind: str = "input",
                       url: str | None = None, **meta: Any) -> Document:
    """A document from text that may carry front matter (url, title, outlet, published)."""
    front, body, _ = parse_front_matter(raw)
    text = body.strip()
    if not text:
        raise InputError(f"{name} has no text: give an article with at least one sentence")
    merged = {**{k: v for k, v in front.items()}, **{k: v for k, v in meta.items() if v is not None}}
    published = _as_datetime(merged.get("published") or merged.get("published_at") or merged.get("date"))
    return Document.make(
        text,
        url=url or merged.get("url"),
        title=merged.get("title"),
        outlet=merged.get("outlet"),
        author=merged.get("author"),
        published_at=published,
        source_kind=source_kind,
    )
