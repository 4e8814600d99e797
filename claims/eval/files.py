"""Reading benchmark files: one JSON object a line, with the line number for errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from claims.errors import InputError

__all__ = ["jsonl_rows"]


def jsonl_rows(path: Path) -> Iterator[tuple[int, object]]:
    """(line number, parsed value) for each non-empty line of a JSON-lines file; a line that
    is not JSON stops with an InputError naming the file and line."""
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number} is not valid JSON ({exc.msg}): give a JSON-lines file, "
                                 "one object a line") from None
