"""``claims eval checkworthiness``: check-worthiness figures on a CheckThat! TSV as JSON.

Prints one JSON object (precision, recall and F1 of the "Yes" class, the number of
sentences, seconds) on standard output and nothing else there.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from flows.cli import eval_app, settings


@eval_app.command("checkworthiness")
def checkworthiness(
    data: Path = typer.Option(..., "--data", help="CheckThat! task-1 TSV (Sentence_id, Text, class_label Yes/No)."),
    threshold: float | None = typer.Option(
        None, "--threshold", min=0.0, max=1.0, help="Decision threshold (default: the checkworthiness_threshold setting)."
    ),
) -> None:
    """Precision, recall and F1 of the check-worthy ("Yes") class with the shipped model."""
    from claims.eval.checkworthiness import evaluate_checkworthiness

    overrides = {} if threshold is None else {"checkworthiness_threshold": threshold}
    typer.echo(json.dumps(evaluate_checkworthiness(data, settings(**overrides)), indent=1, default=str))
