"""Reading benchmark files: one JSON object a line, with the line number for errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from claims.errors import InputError

__all__ = ["jsonl_rows"]


# one labelled line (a claim, a sentence, its evidence) is far below this
MAX_LINE_BYTES = 1_000_000


def jsonl_rows(path: Path, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, object]]:
    """(line number, parsed value) for each non-empty line of a JSON-lines file; a line that
    is not JSON, not UTF-8, longer than ``max_line_bytes`` or nested too deep stops with an
    InputError naming the file and line (a labels file is small: a huge or hostile one is
    refused, not read into memory)."""
    with Path(path).open("rb") as handle:
        number = 0
        while True:
            raw = handle.readline(max_line_bytes + 1)
            if not raw:
                return
            number += 1
            if len(raw) > max_line_bytes:
                raise InputError(f"{path}:{number} is longer than {max_line_bytes:,} bytes: give a JSON-lines file, "
                                 "one labelled object a line")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{path}:{number} is not UTF-8 text: save the file as UTF-8") from None
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number} is not valid JSON ({exc.msg}): give a JSON-lines file, "
                                 "one object a line") from None
            except RecursionError:
                raise InputError(f"{path}:{number} is nested too deeply to be a labelled claim: give one flat "
                                 "JSON object a line") from None
