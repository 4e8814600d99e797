"""Reading the input document: a text file, standard input, or a URL.

Every way in which an input can be unusable raises :class:`InputError` (or a FetchError
for URLs) with one line saying what to do, before anything is written.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from pathlib import Path
from typing import Any

from claims.errors import InputError
from claims.models import Document
from claims.settings import Settings
from claims.sources.text import document_from_text, parse_front_matter

__all__ = ["document_from_text", "is_url", "parse_front_matter", "read_input", "read_source"]

log = logging.getLogger(__name__)


def is_url(source: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source))


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


def read_source(source: str, settings: Settings, text: str | None = None,
                meta: dict[str, Any] | None = None) -> Document:
    """:func:`read_input`, or, when ``text`` is given, a document from that text named
    ``source`` (how a flow receives standard input)."""
    if text is not None:
        return document_from_text(text, name=source, **(meta or {}))
    return read_input(source, settings, **(meta or {}))


async def _fetch_url(url: str, settings: Settings) -> Document:
    # lazy: httpx and trafilatura (0.3 s) are imported for URLs only, not for files
    from claims.sources.html import fetch_document
    from claims.sources.http import Fetcher

    async with Fetcher(settings.http) as fetcher:
        return await fetch_document(fetcher, url, source_kind="input")
