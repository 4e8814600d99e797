"""``claims lake``: a DuckLake store (``store = "ducklake:..."``): its snapshots, for time
travel with ``--at``, compaction of its small files, and the lines that open it in a plain
DuckDB shell."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from claims_cli.context import command_group, err, examples, fail, invocation, out

if TYPE_CHECKING:
    from claims.store.lake import LakeDatabase

__all__ = ["app"]

app = command_group()
lake_app = command_group(no_args_is_help=True, help="Maintain a DuckLake store (snapshots, compaction, DuckDB).")
app.add_typer(lake_app, name="lake")


def _lake(ctx: typer.Context, *, opened: bool = True) -> LakeDatabase:
    """The settings' lake (``opened``: attached and migrated; else only named, nothing read)."""
    # lazy: the store's modules (DuckDB: 0.3 s) when a lake command runs, not for every command
    from claims.store.lake import LakeDatabase

    run = invocation(ctx)
    store = run.store() if opened else run.read_only_store()
    if not isinstance(store, LakeDatabase):
        fail("the store is a DuckDB file, not a DuckLake: set store = \"ducklake:...\" (CLAIMS_STORE) first", 2)
    return store


def _named(changes: dict[str, list[Any]] | None, names: dict[str, str]) -> dict[str, list[str]]:
    """A snapshot's changes with the tables named: DuckLake lists those it inserted into,
    deleted from, altered or kept rows of (inlined) by catalog id (a dropped table keeps
    its id, ``table 12``)."""
    return {kind: [str(v) if not str(v).isdigit() else names.get(str(v), f"table {v}") for v in values]
            for kind, values in (changes or {}).items()}


def _changes(changes: dict[str, list[str]]) -> str:
    """A short line per snapshot: names when there are few, else how many (a migration
    creates dozens of tables, views and macros)."""
    return "; ".join(f"{kind.replace('_', ' ')}: "
                     + (", ".join(values) if len(values) <= 3 else f"{len(values)}")
                     for kind, values in changes.items())


@lake_app.command("snapshots", epilog=examples("claims lake snapshots", "claims lake snapshots --limit 5 --json"))
def snapshots(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", "-n", metavar="N", help="Newest N snapshots (0: all)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List the lake's snapshots, newest first.

    Each committed write is a snapshot; read the verdicts as they were at one with
    claims query --at SNAPSHOT or claims report --at SNAPSHOT. The changes name the tables
    (inlined: rows kept in the catalog until claims lake compact writes them out)."""
    from claims.store.lake_tools import table_names  # lazy: as in _lake

    lake = _lake(ctx, opened=False)  # only read: attached read-only, nothing migrated or written
    names = table_names(lake)
    rows = [{**row, "changes": _named(row["changes"], names)} for row in lake.snapshots(limit or None)]
    if json_out:
        out.print_json(json.dumps(rows, default=str))
        return
    table = Table("snapshot", "time (UTC)", "changes")
    for row in rows:
        table.add_row(str(row["snapshot"]), f"{row['time']:%Y-%m-%d %H:%M:%S}", _changes(row["changes"]))
    out.print(table)


def compaction_lines(counts: dict[str, int]) -> list[str]:
    """What ``claims lake compact`` did, file counts explained: rows that DuckLake kept in
    the catalog (inlined, small writes) written out as new Parquet files, then small
    adjacent files of a table merged into fewer."""
    before, flushed, after = counts["files_before"], counts["files_flushed"], counts["files_after"]
    return [f"data files: {before} before, {after} after",
            (f"  +{flushed - before} written out: rows kept in the catalog (inlined small writes) moved to "
             "Parquet files"),
            f"  -{flushed - after} merged: small adjacent files of a table combined into larger ones",
            ("the current snapshot reads the files counted; earlier snapshots keep theirs, so --at still "
             "reads the past")]


@lake_app.command("compact", epilog=examples("claims lake compact"))
def compact(ctx: typer.Context) -> None:
    """Merge the lake's small files.

    Rows kept in the catalog are written out to Parquet and adjacent small files merged
    (DuckLake's maintenance calls); snapshots stay, so --at still reads the past. The file
    counts printed say what each step did."""
    for line in compaction_lines(_lake(ctx).compact()):
        err.print(line, markup=False, highlight=False, soft_wrap=True)


@lake_app.command("attach-sql", epilog=examples("claims lake attach-sql", "claims lake attach-sql | duckdb"))
def attach_sql(ctx: typer.Context) -> None:
    """Print the lines that open the lake in a plain DuckDB shell.

    For analysts without claims' commands: the extension files installed with claims,
    loaded by path (works offline), the catalog attached read-only without its password
    (give it as PGPASSWORD or in ~/.pgpass), and a first query. The DuckDB shell must be
    the version of the installed duckdb package."""
    from claims.store.lake_tools import attach_lines  # lazy: as in _lake

    sys.stdout.write("\n".join(attach_lines(_lake(ctx, opened=False))) + "\n")
