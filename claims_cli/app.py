"""The ``claims`` command: the root of the command groups, its global flags, and the
console entry point.

Each group is a Typer app in a module of its own, added here: ``check``; ``query`` and
``search``; ``report`` and ``export``; ``eval``; ``monitor`` and ``reverify``; ``lake``. The global
flags (``--config``, ``--db``, ``-v``), given before or after the command
(:class:`~claims_cli.context.RootGroup`), become the invocation's
:class:`~claims_cli.context.Invocation`, the Typer context object every command reads.
Library errors (:class:`claims.errors.ClaimsError`, and a full disk met outside a run) become
one line, ``Error: ...``, and exit code 1; usage errors exit 2.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import NoReturn

import typer

from claims.errors import ClaimsError
from claims.redact import scrub_text
from claims_cli import (
    check,
    evaluate,
    lake,
    monitoring,
    query,
    report,
    schedule,
    serve,
    sources_cmd,
    tables,
)
from claims_cli.context import DATABASE_CHOICE, Invocation, RootGroup, command_group, err, examples

__all__ = ["QUIET_WITHOUT_VERBOSE", "app", "main"]

# Libraries whose own logs (whole URLs, parse errors at ERROR) reach standard error with -v only
QUIET_WITHOUT_VERBOSE = ("trafilatura", "htmldate", "courlan", "justext")

app = command_group(
    cls=RootGroup, add_completion=False, no_args_is_help=True, help="Verify the claims in news text.",
    epilog=examples("claims check examples/seed-article.txt",
                    'claims query "select claim, label, confidence from latest_verdicts"',
                    "claims report --out report.html",
                    "claims COMMAND --help            # each command's options and examples"))
for group in (check, query, report, evaluate, monitoring, lake, serve, sources_cmd, tables, schedule):
    app.add_typer(group.app)


@app.callback()
def _root(
    ctx: typer.Context,
    config: Path | None = typer.Option(None, "--config", metavar="FILE", help="Settings file (TOML; default: "
                                       "$CLAIMS_CONFIG, else ./claims.toml when present)."),
    db: Path | None = typer.Option(None, "--db", metavar="FILE", help=DATABASE_CHOICE),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log what each stage does to stderr."),
) -> None:
    ctx.obj = Invocation(config=config, db=db, verbose=verbose)
    # Without -v only errors are logged: failed sources are summarised after the table.
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request with its whole URL, credentials included; the fetcher logs
    # its own requests with the URL redacted
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # trafilatura and its helpers log a page they cannot parse (a gzip bomb cut at
    # max_body_bytes) at ERROR: the fetcher reports such a page itself, so theirs show with -v only
    for name in QUIET_WITHOUT_VERBOSE:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.CRITICAL)


def _error_line(message: str) -> NoReturn:
    """Print ``Error: message`` (a lake catalog's password masked, whatever raised it) and exit 1."""
    err.print(f"Error: {scrub_text(message)}", markup=False, highlight=False, soft_wrap=True)
    sys.exit(1)


def main() -> None:
    """Console entry point."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        app()
    except ClaimsError as exc:
        _error_line(str(exc))
    except OSError as exc:
        # lazy: the store's modules (DuckDB, numpy: 0.3 s) only for this rare error, not for every command
        from claims.store.connection import disk_full, is_disk_full

        if not is_disk_full(exc):
            raise
        _error_line(str(disk_full("a file", exc)))
    except KeyboardInterrupt:
        err.print("Error: interrupted; results stored so far are kept", markup=False)
        sys.exit(130)
