"""The ``claims eval`` group: the pipeline measured on public benchmark data.

Each command reads any file of its dataset's layout and prints one JSON object of metrics
(with ``seconds``, the wall time) on standard output and nothing else there, so that
``claims eval ... > result.json`` keeps a record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from claims.eval.averitec import evaluate_averitec
from claims.eval.checkworthiness import evaluate_checkworthiness
from claims.eval.climate_fever import evaluate_climate_fever
from claims.eval.liar import evaluate_liar_plus
from claims.eval.quantities import evaluate_quantities
from claims.eval.stance import evaluate_stance
from claims.eval.verdicts import evaluate_verdicts_file
from claims_cli.context import invocation

__all__ = ["app", "eval_app"]

app = typer.Typer()
eval_app = typer.Typer(no_args_is_help=True, help="Measure the pipeline on public benchmark data.")
app.add_typer(eval_app, name="eval")


def _print(result: dict[str, Any]) -> None:
    typer.echo(json.dumps(result, indent=1, default=str))


@eval_app.command("checkworthiness")
def checkworthiness(
    ctx: typer.Context,
    data: Path = typer.Option(..., "--data", help="CheckThat! task-1 TSV (Sentence_id, Text, class_label Yes/No)."),
    threshold: float | None = typer.Option(
        None, "--threshold", min=0.0, max=1.0, help="Decision threshold (default: the checkworthiness_threshold setting)."
    ),
) -> None:
    """Precision, recall and F1 of the check-worthy ("Yes") class with the shipped model."""
    overrides = {} if threshold is None else {"checkworthiness_threshold": threshold}
    _print(evaluate_checkworthiness(data, invocation(ctx).settings(**overrides)))


@eval_app.command("quantities")
def quantities(
    data: Path = typer.Option(..., "--data", help="Figure table: JSON lines of {text or source, figures: [{kind, "
                                                 "value | low, high, unit}]} (see claims/eval/quantities.py)."),
    sources: Path | None = typer.Option(None, "--sources", help="Folder that rows naming a source (PATH#N) point "
                                                               "into, e.g. ../shared/data."),
    errors: bool = typer.Option(False, "--errors", help="Also list the sentences whose figures differ."),
) -> None:
    """Exact-match precision and recall of the figures parsed from annotated sentences."""
    _print(evaluate_quantities(data, sources, show_errors=errors))


@eval_app.command("climate-fever")
def climate_fever(
    ctx: typer.Context,
    data: Path = typer.Option(..., "--data", help="Climate-FEVER JSON-lines file (e.g. climate-fever-dev.jsonl)."),
    limit: int | None = typer.Option(None, help="Only the first N claims (a quick look)."),
) -> None:
    """Evidence ranking (recall@5), sentence stance macro-F1, claim verdict accuracy and macro-F1."""
    _print(evaluate_climate_fever(data, invocation(ctx).settings(), limit=limit))


@eval_app.command("averitec")
def averitec(
    ctx: typer.Context,
    data: Path = typer.Option(..., "--data", help="AVeriTeC JSON file (train.json or dev.json)."),
    split: str = typer.Option("test", "--split", help="all | dev | test: halves by a hash of the claim; "
                                                     "test is held out from any tuning."),
    limit: int | None = typer.Option(None, help="Only the first N claims of the split."),
) -> None:
    """Verdicts from the question-answer evidence: accuracy and macro-F1, overall and numerical claims."""
    _print(evaluate_averitec(data, invocation(ctx).settings(), split=split, limit=limit))


_SPLIT_HELP = "all | dev | test: halves by a hash of the claim text; test is held out from any tuning."


@eval_app.command("verdicts")
def verdicts(
    ctx: typer.Context,
    data: Path = typer.Option(..., "--data", help="Your labelled claims: JSON lines of {id, claim, claim_date, label, "
                                                 "evidence: [{text, source, url, published}]} (see the README)."),
    split: str = typer.Option("test", "--split", help=_SPLIT_HELP),
    limit: int | None = typer.Option(None, help="Only the first N claims of the split."),
) -> None:
    """Verdicts on your own labelled claims, each judged on its own evidence: accuracy, macro-F1,
    per-label precision and recall, the share of decisive verdicts and a precision-coverage table.
    The confidence is the calibrated probability that the label is right."""
    _print(evaluate_verdicts_file(data, invocation(ctx).settings(), split=split, limit=limit))


@eval_app.command("liar-plus")
def liar_plus(
    ctx: typer.Context,
    data: list[Path] = typer.Option(..., "--data", help="LIAR-PLUS JSON lines (val2.jsonl, test2.jsonl, "
                                                         "train2.jsonl); repeat --data to read several."),
    split: str = typer.Option("test", "--split", help=_SPLIT_HELP),
    limit: int | None = typer.Option(None, help="Only the first N claims of the split."),
) -> None:
    """PolitiFact claims judged on the fact-checker's justification (true, mostly-true -> supported;
    half-true -> conflicting; barely-true, false, pants-fire -> refuted)."""
    _print(evaluate_liar_plus(data, invocation(ctx).settings(), split=split, limit=limit))


@eval_app.command("stance")
def stance(
    ctx: typer.Context,
    data: Path = typer.Option(..., "--data", help="A stance pair file (FEVER RTE, COVID-Fact/SciFact RTE, SICK, "
                                                 "HealthVer, FNC-1 stances, COVID-Fact or Climate-FEVER JSONL) "
                                                 "or a folder of them."),
    limit: int | None = typer.Option(None, help="Only the first N pairs."),
    split: str = typer.Option("all", "--split", help="all | dev | test: pairs whose claim falls in that half (a "
                                                    "hash of the claim text, as the verdict benchmarks split)."),
) -> None:
    """Stance macro-F1 (3-way) or support-vs-not F1 (binary RTE files), per source."""
    _print(evaluate_stance(data, invocation(ctx).settings(), limit=limit, split=split))
