"""``claims lake``: maintenance of a DuckLake store (``store = "ducklake:..."``): its
snapshots, for time travel with ``--at``, and compaction of its small files."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from claims.store.lake import LakeDatabase
from claims_cli.context import command_group, err, examples, fail, invocation, out

__all__ = ["app"]

app = command_group()
lake_app = command_group(no_args_is_help=True, help="Maintain a DuckLake store: snapshots and compaction.")
app.add_typer(lake_app, name="lake")


def _lake(ctx: typer.Context) -> LakeDatabase:
    store = invocation(ctx).store()
    if not isinstance(store, LakeDatabase):
        fail("the store is a DuckDB file, not a DuckLake: set store = \"ducklake:...\" (CLAIMS_STORE) first", 2)
    return store


def _changes(changes: dict[str, list[str]] | None) -> str:
    if not changes:
        return ""
    # a short line per snapshot: names when there are few, else how many (a migration
    # creates dozens of tables, views and macros)
    return "; ".join(f"{kind.replace('_', ' ')}: "
                     + (", ".join(str(v) for v in values) if len(values) <= 3 else f"{len(values)}")
                     for kind, values in changes.items())


@lake_app.command("snapshots", epilog=examples("claims lake snapshots", "claims lake snapshots --limit 5 --json"))
def snapshots(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", "-n", metavar="N", help="Newest N snapshots (0: all)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List the lake's snapshots, newest first.

    Each committed write is a snapshot; read the verdicts as they were at one with
    claims query --at SNAPSHOT or claims report --at SNAPSHOT."""
    rows = _lake(ctx).snapshots(limit or None)
    if json_out:
        out.print_json(json.dumps(rows, default=str))
        return
    table = Table("snapshot", "time (UTC)", "changes")
    for row in rows:
        table.add_row(str(row["snapshot"]), f"{row['time']:%Y-%m-%d %H:%M:%S}", _changes(row["changes"]))
    out.print(table)


@lake_app.command("compact", epilog=examples("claims lake compact"))
def compact(ctx: typer.Context) -> None:
    """Merge the lake's small files.

    Rows kept in the catalog are written out to Parquet and adjacent small files merged
    (DuckLake's maintenance calls); snapshots stay, so --at still reads the past."""
    counts = _lake(ctx).compact()
    err.print(f"data files: {counts['files_before']} before, {counts['files_after']} after", markup=False)
