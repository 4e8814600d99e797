"""The ``claims`` command: the root of the command groups, its global flags, and the
console entry point.

Each group is a Typer app in a module of its own, added here: ``check``; ``query`` and
``search``; ``report`` and ``export``; ``eval``; ``monitor`` and ``reverify``; ``lake``. The global
flags (``--config``, ``--db``, ``-v``), given before or after the command
(:class:`~claims_cli.context.RootGroup`), become the invocation's
:class:`~claims_cli.context.Invocation`, the Typer context object every command reads.
Library errors (:class:`claims.errors.ClaimsError`) become one line, ``Error: ...``, and
exit code 1; usage errors exit 2.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import typer

from claims.errors import ClaimsError
from claims_cli import check, evaluate, lake, monitoring, query, report
from claims_cli.context import DATABASE_CHOICE, Invocation, RootGroup, command_group, err, examples

__all__ = ["app", "main"]

app = command_group(
    cls=RootGroup, add_completion=False, no_args_is_help=True, help="Verify the claims in news text.",
    epilog=examples("claims check examples/seed-article.txt",
                    'claims query "select claim, label, confidence from latest_verdicts"',
                    "claims report --out report.html",
                    "claims COMMAND --help            # each command's options and examples"))
for group in (check, query, report, evaluate, monitoring, lake):
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


def main() -> None:
    """Console entry point."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        app()
    except ClaimsError as exc:
        err.print(f"Error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("Error: interrupted; results stored so far are kept", markup=False)
        sys.exit(130)
