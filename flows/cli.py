"""The ``claims`` command: a thin layer that parses arguments, calls flows or the library,
and prints. Library errors (:class:`claims.errors.ClaimsError`) become one line,
``Error: ...``, and exit code 1; usage errors exit 2.

Sub-commands are registered on ``app`` (top level), ``eval_app`` (``claims eval ...``) and
``export_app`` (``claims export ...``).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console

from claims.errors import ClaimsError
from claims.settings import Settings, load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Verify the claims in news text.")
eval_app = typer.Typer(no_args_is_help=True, help="Measure the pipeline on public benchmark data.")
export_app = typer.Typer(no_args_is_help=True, help="Export results in standard formats.")
app.add_typer(eval_app, name="eval")
app.add_typer(export_app, name="export")

# Piped output is not squeezed to 80 columns: tables stay readable in files and logs.
out = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


class _State:
    config: Optional[Path] = None
    db: Optional[Path] = None
    verbose: bool = False


def settings(**overrides: Any) -> Settings:
    """The settings for this invocation (file, environment, then global flags)."""
    return load_settings(_State.config, db=_State.db, **overrides)


def fail(message: str, code: int = 1) -> None:
    err.print(f"Error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.callback()
def _main(
    config: Optional[Path] = typer.Option(None, "--config", help="Settings file (TOML)."),
    db: Optional[Path] = typer.Option(None, "--db", help="DuckDB file (default: $CLAIMS_DB or ./claims.duckdb)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress to stderr."),
) -> None:
    _State.config = config
    _State.db = db
    _State.verbose = verbose
    # Without -v only errors are logged: failed sources are summarised after the table.
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


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


# Commands live in their own modules and register themselves on the apps above.
from flows import cli_core  # noqa: E402,F401  (check, query)
# Further command modules are imported below, one line each.
from flows import cli_report  # noqa: E402,F401  (report, export claimreview, export parquet)
from flows import cli_eval_verdicts  # noqa: E402,F401  (eval climate-fever, eval averitec, eval stance)
from flows import cli_eval_extract  # noqa: E402,F401  (eval checkworthiness)
from flows import cli_monitor  # noqa: E402,F401  (monitor, reverify)
