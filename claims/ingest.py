"""Reading the input document: a text file, standard input, or a URL.

Every way in which an input can be unusable raises :class:`InputError` (or a FetchError
for URLs) with one line saying what to do, before anything is written.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from claims.errors import InputError
from claims.models import Document
from claims.settings import Settings

__all__ = ["read_input", "document_from_text", "parse_front_matter", "is_url"]

log = logging.getLogger(__name__)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def is_url(source: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source))


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


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:8192]:
        raise InputError(f"{name} looks binary (it contains NUL bytes): give a UTF-8 text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not UTF-8 (byte {exc.start} cannot be decoded): convert it, e.g. iconv -t UTF-8"
        ) from None


def _read_file(path: Path, settings: Settings) -> bytes:
    if not path.exists():
        raise InputError(f"{path} does not exist: check the path")
    if path.is_dir():
        raise InputError(f"{path} is a folder: give a text file, a URL or - for standard input")
    try:
        size = path.stat().st_size
        if size > settings.max_input_bytes:
            raise InputError(
                f"{path} is {size / 1e6:.1f} MB, over the {settings.max_input_bytes / 1e6:.1f} MB limit: "
                "split it into articles or raise max_input_bytes"
            )
        with path.open("rb") as handle:
            return handle.read()
    except PermissionError:
        raise InputError(f"{path} cannot be read (permission denied): check its permissions") from None
    except OSError as exc:
        raise InputError(f"{path} cannot be read ({exc.strerror}): check the file") from None


def read_input(source: str, settings: Settings, *, stdin_text: str | None = None, **meta: Any) -> Document:
    """Read ``source`` (a path, ``-`` for standard input, or an http(s) URL) into a Document.

    ``meta`` (title, outlet, published, url) overrides what the input says about itself.
    """
    if source == "-":
        if stdin_text is None:
            import sys

            data = sys.stdin.buffer.read(settings.max_input_bytes + 1)
            if len(data) > settings.max_input_bytes:
                raise InputError(
                    f"standard input is over the {settings.max_input_bytes / 1e6:.1f} MB limit: "
                    "split it into articles or raise max_input_bytes"
                )
            stdin_text = _decode(data, "standard input")
        return document_from_text(stdin_text, name="standard input", **meta)
    if is_url(source):
        return asyncio.run(_fetch_url(source, settings))
    path = Path(source)
    raw = _decode(_read_file(path, settings), str(path))
    return document_from_text(raw, name=str(path), **meta)


async def _fetch_url(url: str, settings: Settings) -> Document:
    from claims.sources.html import fetch_document
    from claims.sources.http import Fetcher

    async with Fetcher(settings.http) as fetcher:
        return await fetch_document(fetcher, url, source_kind="input")
