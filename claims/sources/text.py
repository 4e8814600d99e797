"""Documents from text that may start with a ``---`` YAML front matter block giving
``url``, ``title``, ``outlet``, ``published`` (the article to check, or a corpus file;
read by :mod:`claims.sources.frontmatter`), and the bounded reading of such text from a file.

Reading trusts nothing the file system says: only a regular file is opened (a device, a
named pipe or a socket is refused before it is opened, and again after, should the path
have been swapped in between), and at most ``limit + 1`` bytes are read whatever its size
says, so ``/dev/zero``, a pipe with no writer or a file that grows cannot exhaust memory
or hang the command.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

from claims.errors import InputError
from claims.models import Document
from claims.sources.frontmatter import parse_front_matter
from claims.sources.safety import without_credentials

__all__ = [
    "DATE_YEARS",
    "MAX_LINES",
    "MAX_SENTENCES",
    "check_length",
    "decode_text",
    "document_from_text",
    "in_date_range",
    "over_limit",
    "parse_front_matter",
    "read_at_most",
    "read_text_file",
]

_CHUNK = 1 << 16
MAX_LINES = 50_000  # a long report has a few thousand; the splitter takes ~0.2 ms a line at worst
MAX_SENTENCES = 50_000  # likely sentence ends: a full stop, ! or ? before a space
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?=\s|\Z)")


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


#: the years a publication date may fall in: a date at the calendar's ends (0001-01-01,
#: 9999-12-31) is no article's, and the verdict's date arithmetic around it overflowed
DATE_YEARS = (1000, 9000)


def in_date_range(when: datetime | None) -> bool:
    """Whether ``when`` (None: no date) lies in :data:`DATE_YEARS`."""
    return when is None or DATE_YEARS[0] <= when.year <= DATE_YEARS[1]


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
        raise InputError(f"date {value!r} is not an ISO date (YYYY-MM-DD): fix it") from None


def check_length(text: str, name: str) -> None:
    """Refuse a text with more lines or sentences than an article has (:data:`MAX_LINES`,
    :data:`MAX_SENTENCES`): the sentence splitter's time grows with their number (1.6 million
    short lines took 9 minutes), and no such text is one article."""
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise InputError(f"{name} has {lines:,} lines, more than the {MAX_LINES:,} an article may have: "
                         "split it into articles")
    ends = sum(1 for _ in itertools.islice(_SENTENCE_END.finditer(text), MAX_SENTENCES + 1))
    if ends > MAX_SENTENCES:
        raise InputError(f"{name} has more than {MAX_SENTENCES:,} sentences, the most an article may have: "
                         "split it into articles")


def document_from_text(raw: str, *, name: str = "<text>", source_kind: str = "input",
                       url: str | None = None, **meta: Any) -> Document:
    """A document from text that may carry front matter (url, title, outlet, published; see
    :mod:`claims.sources.frontmatter`); ``url`` and ``meta`` override it."""
    front, body, _ = parse_front_matter(raw, name)
    text = body.strip()
    if not text:
        raise InputError(f"{name} has no text: give an article with at least one sentence")
    check_length(text, name)
    merged = {**front, **{k: v for k, v in meta.items() if v is not None}}
    given_url = url or merged.get("url")
    published = _as_datetime(merged.get("published") or merged.get("published_at") or merged.get("date"))
    if not in_date_range(published):
        assert published is not None
        raise InputError(f"{name}: publication date {published.date().isoformat()} is not in the years {DATE_YEARS[0]}-"
                         f"{DATE_YEARS[1]}: fix the date (YYYY-MM-DD), or leave it out")
    return Document.make(
        text,
        url=without_credentials(given_url) if given_url else None,  # never a password in documents.url
        title=merged.get("title"),
        outlet=merged.get("outlet"),
        author=merged.get("author"),
        published_at=published,
        source_kind=source_kind,
    )
