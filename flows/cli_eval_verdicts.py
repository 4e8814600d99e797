"""``claims eval climate-fever | averitec | stance``: benchmark figures as JSON.

Each command reads any file of its dataset's layout, prints one JSON object of metrics
(with ``seconds``, the wall time) on standard output and nothing else there, so that
``claims eval ... > result.json`` keeps a record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from flows.cli import eval_app, settings


def _print(result: dict) -> None:
    typer.echo(json.dumps(result, indent=1, default=str))


@eval_app.command("climate-fever")
def climate_fever(
    data: Path = typer.Option(..., "--data", help="Climate-FEVER JSON-lines file (e.g. climate-fever-dev.jsonl)."),
    limit: Optional[int] = typer.Option(None, help="Only the first N claims (a quick look)."),
) -> None:
    """Evidence ranking (recall@5), sentence stance macro-F1, claim verdict accuracy and macro-F1."""
    from claims.eval.climate_fever import evaluate_climate_fever

    _print(evaluate_climate_fever(data, settings(), limit=limit))


@eval_app.command("averitec")
def averitec(
    data: Path = typer.Option(..., "--data", help="AVeriTeC JSON file (train.json or dev.json)."),
    split: str = typer.Option("test", "--split", help="all | dev | test: halves by a hash of the claim; "
                                                     "test is held out from any tuning."),
    limit: Optional[int] = typer.Option(None, help="Only the first N claims of the split."),
) -> None:
    """Verdicts from the question-answer evidence: accuracy and macro-F1, overall and numerical claims."""
    from claims.eval.averitec import evaluate_averitec

    _print(evaluate_averitec(data, settings(), split=split, limit=limit))


@eval_app.command("stance")
def stance(
    data: Path = typer.Option(..., "--data", help="A stance pair file (FEVER RTE, COVID-Fact/SciFact RTE, SICK, "
                                                 "HealthVer, FNC-1 stances, COVID-Fact or Climate-FEVER JSONL) "
                                                 "or a folder of them."),
    limit: Optional[int] = typer.Option(None, help="Only the first N pairs."),
) -> None:
    """Stance macro-F1 (3-way) or support-vs-not F1 (binary RTE files), per source."""
    from claims.eval.stance import evaluate_stance

    _print(evaluate_stance(data, settings(), limit=limit))
