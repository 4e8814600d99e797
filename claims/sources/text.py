"""Documents from text that may start with a ``---`` YAML front matter block giving
``url``, ``title``, ``outlet``, ``published`` (the article to check, or a corpus file),
and the bounded reading of such text from a file.

Reading trusts nothing the file system says: only a regular file is opened (a device, a
named pipe or a socket is refused before it is opened, and again after, should the path
have been swapped in between), and at most ``limit + 1`` bytes are read whatever its size
says, so ``/dev/zero``, a pipe with no writer or a file that grows cannot exhaust memory
or hang the command.
"""

from __future__ import annotations

import os
import re
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from claims.errors import InputError
from claims.models import Document

__all__ = ["decode_text", "document_from_text", "over_limit", "parse_front_matter", "read_at_most",
           "read_text_file"]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


_CHUNK = 1 << 16


def over_limit(name: str, limit: int, size: int | None = None) -> InputError:
    """The one-line error for an input larger than ``max_input_bytes``."""
    how_big = f"is {size / 1e6:.1f} MB, over" if size is not None else "is over"
    return InputError(f"{name} {how_big} the {limit / 1e6:.1f} MB limit: "
                      "split it into articles or raise max_input_bytes")


def read_at_most(read: Any, limit: int) -> bytes:
    """Up to ``limit`` bytes from ``read(n)`` (a file's or a stream's), stopping at end of file."""
    parts: list[bytes] = []
    left = limit
    while left > 0:
        part = read(min(_CHUNK, left))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _not_a_file(path: Path, mode: int) -> InputError:
    if stat.S_ISDIR(mode):
        return InputError(f"{path} is a folder: give a text file, a URL or - for standard input")
    if stat.S_ISFIFO(mode):
        return InputError(f"{path} is a named pipe: save the text to a file, or pipe it in and give - "
                          "for standard input")
    kind = ("a character device" if stat.S_ISCHR(mode) else "a block device" if stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    return InputError(f"{path} is {kind}, not a text file: give a regular file, a URL or - for standard input")


def read_text_file(path: Path, limit: int) -> str:
    """The text of the regular file ``path`` (UTF-8), at most ``limit`` bytes of it;
    anything else is an :class:`InputError` saying what to do."""
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise _not_a_file(path, mode)
        # O_NONBLOCK: should the path have become a named pipe since the stat, opening it
        # does not wait for a writer (the fstat below then refuses it)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with open(fd, "rb", buffering=0) as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise _not_a_file(path, info.st_mode)
            if info.st_size > limit:
                raise over_limit(str(path), limit, info.st_size)
            data = read_at_most(handle.read, limit + 1)  # whatever the size said
    except FileNotFoundError:
        raise InputError(f"{path} does not exist: check the path") from None
    except PermissionError:
        raise InputError(f"{path} cannot be read (permission denied): check its permissions") from None
    except OSError as exc:
        raise InputError(f"{path} cannot be read ({exc.strerror or exc}): check the file") from None
    if len(data) > limit:
        raise over_limit(str(path), limit)
    return decode_text(data, str(path))


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text (a BOM dropped); a NUL byte anywhere means a binary file."""
    if b"\x00" in data:
        raise InputError(f"{name} looks binary (it contains NUL bytes): give a UTF-8 text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not UTF-8 (byte {exc.start} cannot be decoded): convert it, e.g. iconv -t UTF-8"
        ) from None


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
