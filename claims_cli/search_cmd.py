"""What ``claims search`` asks and how it shows the answers (the command itself is in
:mod:`claims_cli.query`).

The shell takes the quotes off, so the words of ``claims search water bills 12 percent``
arrive as four arguments, each one word, while ``claims search "water bills" "12 percent"``
brings two, each holding a space. So: arguments that are all single words are one text,
joined (as a search box reads them); otherwise each argument is a text of its own, and the
table says which text each hit answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from claims.models import clean_text
from claims_cli.context import fail
from claims_cli.numbers import number

if TYPE_CHECKING:  # the search itself (numpy, the index) is imported by the command that runs it
    from claims.search import SearchHit

__all__ = ["hits_table", "search_queries"]

_QUERY_WIDTH = 40  # a query is shown whole up to this many characters, then cut with an ellipsis


def search_queries(texts: Sequence[str]) -> list[str]:
    """The texts ``claims search TEXT...`` looks for: every argument one word (unquoted
    words) is one text, the words joined by spaces; otherwise each argument (a quoted text)
    is one text. No text at all is a usage error."""
    words = [t.strip() for t in texts if t.strip()]
    if not words:
        fail("give a text to search for, e.g. claims search 8,000 North Korean soldiers in Kursk", 2)
    if all(len(w.split()) == 1 for w in words):
        return [" ".join(words)]
    return words


def _shown(query: str) -> str:
    query = " ".join(query.split())
    return query if len(query) <= _QUERY_WIDTH else query[:_QUERY_WIDTH - 1] + "\u2026"


def hits_table(hits: Sequence[SearchHit]) -> Table:
    """The hits as a table: rank, score, statement, sources; with a first column naming the
    text each hit answers when there were several texts."""
    several = len({h.query for h in hits}) > 1
    table = Table(show_lines=True)
    if several:
        table.add_column("query", max_width=_QUERY_WIDTH, overflow="fold")
    columns: tuple[tuple[str, dict[str, Any]], ...] = (("rank", {"justify": "right"}), ("score", {"justify": "right"}),
        ("statement", {"max_width": 90, "overflow": "fold"}), ("sources", {"max_width": 36}))
    for column, opts in columns:
        table.add_column(column, **opts)
    for h in hits:
        when = f" ({h.published_at:%Y-%m-%d})" if h.published_at else ""
        sources = ", ".join(h.outlets) or h.url or ""
        cells: list[str | Text] = [str(h.rank), number(h.score), Text(clean_text(h.text)), Text(f"{sources}{when}")]
        table.add_row(*([Text(_shown(h.query))] if several else []), *cells)
    return table
