"""The ``---`` YAML block at the top of an article or corpus file: ``url``, ``title``,
``outlet``, ``author`` and ``published`` (or ``published_at``, ``date``).

The block is untrusted text, read as little as it needs:

* **no anchors or aliases** (``&a`` / ``*a``): 425 bytes of nested aliases expanded to
  2.9 GB; one is refused, naming its line, before anything is built from it;
* **bounded nesting**: a value nested more than :data:`MAX_DEPTH` levels is refused;
* **typed values**: the known keys must be scalars (a URL or text, a date for
  ``published``), taken as written (``title: 1984`` is the text "1984"); a list or a
  mapping there is refused, naming the key, its line and what is expected. Other keys are
  not read at all;
* **syntax errors** name the line and, for the usual cause (a colon inside an unquoted
  value), the fix: ``title: "A: B"``.

Every refusal is one :class:`~claims.errors.InputError` line; line numbers count from the
file's first line (the opening ``---``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import yaml  # PyYAML ships no types (pyproject.toml's mypy overrides); types-PyYAML is not a dependency
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from claims.errors import InputError

__all__ = ["DATE_KEYS", "MAX_DEPTH", "TEXT_KEYS", "parse_front_matter"]

TEXT_KEYS = ("url", "title", "outlet", "author")
DATE_KEYS = ("published", "published_at", "date")
MAX_DEPTH = 8  # nesting levels a front matter value may have (none of the keys read nests)

_BLOCK = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FIRST_LINE = 2  # the block's first line is the file's second, after the opening ---
_NULL_TAG = "tag:yaml.org,2002:null"
_KEY_VALUE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*:\s*(.+?)\s*$")


class _Refused(Exception):
    """Internal: the block uses something it may not (raised from inside the loader)."""

    def __init__(self, mark: yaml.Mark | None, message: str) -> None:
        super().__init__(message)
        self.line = (mark.line if mark is not None else 0) + _FIRST_LINE
        self.message = message


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader composing nodes only, refusing anchors, aliases and deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(event.start_mark, "YAML anchors and aliases (&name, *name) are not accepted: "
                                             "write each value out")
        nests = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
        if nests and self._depth >= MAX_DEPTH:
            raise _Refused(event.start_mark, f"values nest more than {MAX_DEPTH} levels deep: "
                                             "give url, title, outlet, author and published as plain values")
        self._depth += nests
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= nests


def parse_front_matter(raw: str, name: str = "the input") -> tuple[dict[str, Any], str, int]:
    """Split an optional ``---`` YAML block from ``raw`` (named ``name`` in messages).

    Returns (metadata, body, offset of the body in ``raw``): the known keys present, as text
    (``url``, ``title``, ``outlet``, ``author``) or a datetime (``published``,
    ``published_at``, ``date``); None for an empty value. Offsets of claims are into the
    body, which is what the documents table stores."""
    match = _BLOCK.match(raw)
    if not match:
        return {}, raw, 0
    block = match.group(1)
    where = f"{name}, front matter"
    try:
        root = _compose(block)
        meta = _values(root, where) if root is not None else {}
    except _Refused as exc:
        raise InputError(f"{where} line {exc.line}: {exc.message}") from None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, block, where) from None
    except yaml.YAMLError as exc:
        raise InputError(f"{where} is not valid YAML ({exc.__class__.__name__}): fix the --- block") from None
    return meta, raw[match.end():], match.end()


def _compose(block: str) -> Node | None:
    loader = _Loader(block)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _values(root: Node, where: str) -> dict[str, Any]:
    """The known keys of the block's mapping, checked and typed."""
    if not isinstance(root, MappingNode):
        raise _Refused(root.start_mark, "must be a block of 'key: value' lines")
    meta: dict[str, Any] = {}
    for key_node, value_node in root.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else None
        if key in TEXT_KEYS:
            meta[key] = _text(key, value_node)
        elif key in DATE_KEYS:
            meta[key] = _date(key, value_node)
    return meta


def _kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "a mapping (key: value pairs)"
    return "not a plain value"


def _text(key: str, node: Node) -> str | None:
    """A text value as written (``1984`` stays "1984"), None when empty."""
    if not isinstance(node, ScalarNode):
        example = "https://example.org/story" if key == "url" else "Some text"
        raise _Refused(node.start_mark, f"{key} is {_kind(node)}, expected text: write it as {key}: {example}")
    if node.tag == _NULL_TAG or not node.value.strip():
        return None
    return str(node.value)


def _date(key: str, node: Node) -> datetime | None:
    """A date value (YYYY-MM-DD, or an ISO date and time, its zone dropped), None when empty."""
    if not isinstance(node, ScalarNode):
        raise _Refused(node.start_mark, f"{key} is {_kind(node)}, expected a date: write it as {key}: 2024-10-31")
    if node.tag == _NULL_TAG or not node.value.strip():
        return None
    text = node.value.strip()
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        raise _Refused(node.start_mark, f"{key} {text[:40]!r} is not a date: write it as {key}: 2024-10-31 "
                                        "(YYYY-MM-DD)") from None


def _syntax_error(exc: yaml.MarkedYAMLError, block: str, where: str) -> InputError:
    """The one-line error for a block that is not YAML: its line, what is wrong, the fix."""
    mark = exc.problem_mark or exc.context_mark
    line_no = mark.line if mark is not None else 0
    problem = exc.problem or exc.context or "not valid YAML"
    lines = block.splitlines()
    hint = "fix the --- block"
    text = lines[line_no] if 0 <= line_no < len(lines) else ""
    pair = _KEY_VALUE.match(text)
    if pair is not None and ":" in pair.group(2):
        value = pair.group(2).replace("\\", "\\\\").replace('"', '\\"')
        hint = f'quote the value: {pair.group(1)}: "{value[:80]}"'
    elif "found character '\\t'" in problem or "\t" in text:
        hint = "indent with spaces, not tabs"
    return InputError(f"{where} line {line_no + _FIRST_LINE} is not valid YAML ({problem}): {hint}")

