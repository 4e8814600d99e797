"""``claims tables`` and ``claims schema [TABLE]``: what the database holds, as
sqlite-utils and the duckdb shell show it (``tables --counts``, ``.schema``), each column
with its meaning from docs/schema.md."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from claims.settings import PROJECT_DIR
from claims_cli.context import command_group, examples, fail, invocation, out

__all__ = ["app", "documented_columns"]

app = command_group()

SCHEMA_DOC = PROJECT_DIR / "docs" / "schema.md"
_HEADING = re.compile(r"^### `([a-z_][a-z0-9_]*)`\s*$")
_COLUMN = re.compile(r"^\| `([a-z_][a-z0-9_]*)` \| [^|]+ \| (.*) \|\s*$")


def documented_columns(path: Path = SCHEMA_DOC) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """From docs/schema.md: each relation's description (its first paragraph) and its
    columns' meanings; empty when the file is not there (an installed copy without docs)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}, {}
    described: dict[str, str] = {}
    columns: dict[str, dict[str, str]] = {}
    current: str | None = None
    paragraph: list[str] = []
    for line in lines:
        if line.startswith("## "):
            current = None
        if heading := _HEADING.match(line):
            current, paragraph = heading.group(1), []
            columns[current] = {}
            continue
        if current is None:
            continue
        if column := _COLUMN.match(line):
            columns[current][column.group(1)] = column.group(2).strip()
        elif current not in described:
            if line.strip() and not line.startswith("|"):
                paragraph.append(line.strip())
            elif paragraph:
                described[current] = " ".join(paragraph)
    return described, columns


@app.command("tables", epilog=examples("claims tables", "claims tables --json", "claims --db out/mine.duckdb tables"))
def tables(
    ctx: typer.Context,
    json_out: bool = typer.Option(False, "--json", help="Print the tables as JSON."),
) -> None:
    """List the database's tables and views, with row counts.

    Each with what it holds (docs/schema.md); `claims schema TABLE` gives its columns."""
    run = invocation(ctx)
    run.store(must_exist=True)  # a missing file: one line; an older one: migrated, as every command does
    rows = run.read_only_store().relations()
    described, _ = documented_columns()
    for row in rows:
        row["about"] = described.get(row["name"], "")
    if json_out:
        out.print_json(json.dumps(rows))
        return
    table = Table(show_lines=False, expand=False)
    table.add_column("name", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("rows", justify="right", no_wrap=True)
    table.add_column("columns", justify="right", no_wrap=True)
    table.add_column("holds", max_width=90, overflow="fold")
    for row in rows:
        about = row["about"].split(". ")[0].rstrip(".")
        table.add_row(row["name"], row["kind"], "" if row["rows"] is None else f"{row['rows']:,}",
                      str(row["columns"]), Text(about))
    out.print(table)
    out.print(f"{len(rows)} tables and views in {run.store_label()}; columns: claims schema TABLE", markup=False,
              highlight=False)


@app.command("schema", epilog=examples("claims schema", "claims schema latest_verdicts", "claims schema sentences --json"))
def schema(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, metavar="TABLE", help="A table or view (default: every one)."),
    json_out: bool = typer.Option(False, "--json", help="Print the columns as JSON."),
) -> None:
    """Show a table's columns: types and meanings.

    The meanings are those of docs/schema.md; without TABLE, every table and view."""
    run = invocation(ctx)
    run.store(must_exist=True)
    store = run.read_only_store()
    names = [r["name"] for r in store.relations(counts=False)]
    if name is not None and name not in names:
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        fail(f"no table or view named {name!r} in {run.store_label()}: {hint}`claims tables` lists them")
    described, meanings = documented_columns()
    chosen = [name] if name else names
    result = {n: [{**c, "meaning": meanings.get(n, {}).get(c["name"], "")} for c in store.relation_columns(n)]
              for n in chosen}
    if json_out:
        out.print_json(json.dumps(result))
        return
    for n in chosen:
        _print_relation(n, described.get(n, ""), result[n])


def _print_relation(name: str, about: str, columns: list[dict[str, Any]]) -> None:
    table = Table(title=name, title_justify="left", caption=about or None, caption_justify="left",
                  show_lines=False, expand=False)
    table.add_column("column", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("meaning", max_width=100, overflow="fold")
    for column in columns:
        table.add_row(column["name"], column["type"] + ("" if column["nullable"] else " NOT NULL"),
                      Text(re.sub(r"`([^`]*)`", r"\1", column["meaning"])))
    out.print(table)
