"""The ``claims eval`` group: the pipeline measured on public benchmark data.

Each command reads any file of its dataset's layout and prints one JSON object of metrics
(with ``seconds``, the wall time) on standard output and nothing else there, so that
``claims eval ... > result.json`` keeps a record. ``claims eval desk`` prints a text summary
and the JSON object with ``--json``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from claims_cli.context import command_group, examples, invocation, progress

__all__ = ["app", "eval_app"]

app = command_group()
eval_app = command_group(no_args_is_help=True, help="Measure the pipeline on public benchmark data.")
app.add_typer(eval_app, name="eval")


def _evaluate(evaluation: Callable[..., dict[str, Any]], *args: Any,
              render: Callable[[dict[str, Any]], str] | None = None, **kwargs: Any) -> None:
    """Run one evaluation (a progress bar on a terminal's standard error meanwhile) and print
    its metrics as JSON on standard output (or as ``render`` writes them)."""
    with progress("Evaluating"):
        result = evaluation(*args, **kwargs)
    typer.echo(render(result) if render else json.dumps(result, indent=1, default=str))


@eval_app.command("checkworthiness", epilog=examples(
    "claims eval checkworthiness --data ../shared/data/checkthat2024/CT24_checkworthy_english_dev-test.tsv"))
def checkworthiness(
    ctx: typer.Context,
    data: Path = typer.Option(..., "--data", metavar="FILE", help="CheckThat! task-1 TSV (Sentence_id, Text, class_label Yes/No)."),
    threshold: float | None = typer.Option(
        None, "--threshold", min=0.0, max=1.0, metavar="X", help="Decision threshold (default: the checkworthiness_threshold setting)."
    ),
) -> None:
    """Check-worthiness: precision, recall and F1 of "Yes"."""
    # lazy: the evaluation (and the pipeline) imported by this command only
    from claims.eval.checkworthiness import evaluate_checkworthiness

    overrides = {} if threshold is None else {"checkworthiness_threshold": threshold}
    _evaluate(evaluate_checkworthiness, data, invocation(ctx).settings(**overrides))


@eval_app.command("quantities", epilog=examples(
    "claims eval quantities --data tests/data/real_claims_figures.jsonl --sources ../shared/data --errors"))
def quantities(
    data: Path = typer.Option(..., "--data", metavar="FILE", help="Figure table: JSON lines of {text or source, "
                                                                  "figures: [{kind, value | low, high, unit}]} "
                                                                  "(see claims/eval/quantities.py)."),
    sources: Path | None = typer.Option(None, "--sources", metavar="DIR", help="Folder that rows naming a source "
                                                                              "(PATH#N) point into, e.g. ../shared/data."),
    errors: bool = typer.Option(False, "--errors", help="Also list the sentences whose figures differ."),
) -> None:
    """Figures: exact-match precision and recall.

    Parses the figures of annotated sentences and compares them with the annotation."""
    # lazy: the evaluation (and the pipeline) imported by this command only
    from claims.eval.quantities import evaluate_quantities

    _evaluate(evaluate_quantities, data, sources, show_errors=errors)


@eval_app.command("climate-fever", epilog=examples(
    "claims eval climate-fever --data ../shared/data/climate-fever/climate-fever-dev.jsonl --limit 50"))
def climate_fever(
    ctx: typer.Context,
    data: Path = typer.Option(..., "--data", metavar="FILE", help="Climate-FEVER JSON-lines file (e.g. climate-fever-dev.jsonl)."),
    limit: int | None = typer.Option(None, metavar="N", help="Only the first N claims (a quick look)."),
) -> None:
    """Climate-FEVER: evidence ranking, stance and verdicts.

    Prints recall@5 of the evidence ranking, sentence stance macro-F1, and claim verdict
    accuracy and macro-F1."""
    # lazy: the evaluation (and the pipeline) imported by this command only
    from claims.eval.climate_fever import evaluate_climate_fever

    _evaluate(evaluate_climate_fever, data, invocation(ctx).settings(), limit=limit)


@eval_app.command("averitec", epilog=examples(
    "claims eval averitec --data ../shared/data/averitec/train.json --split test"))
def averitec(
    ctx: typer.Context,
    data: Path = typer.Option(..., "--data", metavar="FILE", help="AVeriTeC JSON file (train.json or dev.json)."),
    split: str = typer.Option("test", "--split", metavar="SPLIT", help="all | dev | test: halves by a hash of the claim; "
                                                     "test is held out from any tuning."),
    limit: int | None = typer.Option(None, metavar="N", help="Only the first N claims of the split."),
) -> None:
    """AVeriTeC: verdicts from question-answer evidence.

    Prints accuracy and macro-F1, overall and for numerical claims."""
    # lazy: the evaluation (and the pipeline) imported by this command only
    from claims.eval.averitec import evaluate_averitec

    _evaluate(evaluate_averitec, data, invocation(ctx).settings(), split=split, limit=limit)


_SPLIT_HELP = "all | dev | test: halves by a hash of the claim text; test is held out from any tuning."


@eval_app.command("verdicts", epilog=examples(
    "claims eval verdicts --data my-labelled-claims.jsonl --split all > result.json"))
def verdicts(
    ctx: typer.Context,
    data: Path = typer.Option(..., "--data", metavar="FILE", help="Your labelled claims: JSON lines of {id, claim, claim_date, label, "
                                                 "evidence: [{text, source, url, published}]} (see the README)."),
    split: str = typer.Option("test", "--split", metavar="SPLIT", help=_SPLIT_HELP),
    limit: int | None = typer.Option(None, metavar="N", help="Only the first N claims of the split."),
) -> None:
    """Verdicts on your own labelled claims.

    Each claim is judged on its own evidence. Prints accuracy, macro-F1,
    per-label precision and recall, the share of decisive verdicts and a precision-coverage table.
    The confidence is the calibrated probability that the label is right."""
    # lazy: the evaluation (and the pipeline) imported by this command only
    from claims.eval.verdicts import evaluate_verdicts_file

    _evaluate(evaluate_verdicts_file, data, invocation(ctx).settings(), split=split, limit=limit)


@eval_app.command("liar-plus", epilog=examples(
    "claims eval liar-plus --data ../shared/data/liar-plus/test2.jsonl --split test"))
def liar_plus(
    ctx: typer.Context,
    data: list[Path] = typer.Option(..., "--data", metavar="FILE", help="LIAR-PLUS JSON lines (val2.jsonl, test2.jsonl, "
                                                         "train2.jsonl); repeat --data to read several."),
    split: str = typer.Option("test", "--split", metavar="SPLIT", help=_SPLIT_HELP),
    limit: int | None = typer.Option(None, metavar="N", help="Only the first N claims of the split."),
) -> None:
    """LIAR-PLUS: PolitiFact claims and their justifications.

    Each claim is judged on the fact-checker's justification; the labels map as true, mostly-true -> supported;
    half-true -> conflicting; barely-true, false, pants-fire -> refuted)."""
    # lazy: the evaluation (and the pipeline) imported by this command only
    from claims.eval.liar import evaluate_liar_plus

    _evaluate(evaluate_liar_plus, data, invocation(ctx).settings(), split=split, limit=limit)


@eval_app.command("stance", epilog=examples(
    "claims eval stance --data ../shared/data/stance/healthver/healthver_dev.csv",
    "claims eval stance --data ../shared/data/stance --data ../shared/data/climate-fever/climate-fever-dev.jsonl "
    "--split held-back --compare mlp --table"))
def stance(
    ctx: typer.Context,
    data: list[Path] = typer.Option(..., "--data", metavar="PATH", help="A stance pair file (FEVER RTE, COVID-Fact/SciFact RTE, "
                                    "SICK, HealthVer, ANLI, GLUE RTE, FNC-1 stances, COVID-Fact or Climate-FEVER "
                                    "JSONL) or a folder of them; repeat for several."),
    limit: int | None = typer.Option(None, metavar="N", help="Only the first N pairs."),
    split: str = typer.Option("all", "--split", metavar="SPLIT", help="all | dev | test: pairs whose claim falls in that half (a "
                              "hash of the claim text, as the verdict benchmarks split) | held-back: the 15% "
                              "the packaged cross-encoder never saw."),
    model: str | None = typer.Option(None, "--model", metavar="MODEL", help="The stance model to measure (default: the "
                                     "stance_model setting): cross-encoder, mlp, a folder or an .npz."),
    compare: str | None = typer.Option(None, "--compare", metavar="MODEL", help="Measure this model too, side by side."),
    table: bool = typer.Option(False, "--table", help="Print a table (per set: macro-F1 and refute F1) instead of JSON."),
) -> None:
    """Stance pairs: macro-F1 or support F1, per source.

    Macro-F1 for 3-way files, support-vs-not F1 for binary RTE files."""
    # lazy: the evaluation (and the pipeline) imported by this command only
    from claims.eval.stance import evaluate_stance

    settings = invocation(ctx).settings()
    chosen = settings.model_copy(update={"stance_model": model}) if model else settings
    with progress("Evaluating"):
        result = evaluate_stance(data, chosen, limit=limit, split=split)
        if compare:
            result["compare"] = evaluate_stance(data, settings.model_copy(update={"stance_model": compare}),
                                                limit=limit, split=split)
    typer.echo(stance_table(result) if table else json.dumps(result, indent=1, default=str))


def stance_table(result: dict[str, Any]) -> str:
    """One row per set: pairs, then macro-F1 and refute F1 of each model measured."""
    runs = [result] + ([result["compare"]] if "compare" in result else [])
    head = "| set | task | pairs | " + " | ".join(f"{r['model']} macro-F1 | refute F1" for r in runs) + " |"
    lines = [head, "|" + "---|" * (3 + 2 * len(runs))]
    means: list[list[float]] = [[] for _ in runs]
    for source, first in result["by_source"].items():
        cells = [source, first["task"], str(first["n"])]
        for i, run in enumerate(runs):
            rep = run["by_source"][source]
            means[i].append(rep["macro_f1"])
            refute = rep["f1"].get("refute")
            cells += [f"{rep['macro_f1']:.3f}", "" if refute is None else f"{refute:.3f}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("| mean over sets | | | " + " | ".join(f"{sum(m) / max(len(m), 1):.3f} | " for m in means) + "|")
    return "\n".join(lines)


@eval_app.command("desk", epilog=examples(
    "claims eval desk examples/desk --json",
    "claims eval desk ../shared/data/desk/* examples/desk --split test",
    "claims eval desk ../shared/data/desk/* --split dev --ablate all",
    "claims eval desk my-desk --keep desk-dbs    # then: claims --db desk-dbs/a.md.duckdb query ..."))
def desk(
    ctx: typer.Context,
    directories: list[Path] = typer.Argument(..., metavar="DIR...", help="Desk folders: each holds corpus/ (the "
                                             "evidence), articles/ and gold.jsonl (one line per article sentence: "
                                             "article, sentence, verdict, why)."),
    json_out: bool = typer.Option(False, "--json", help="Print the metrics as one JSON object instead of a summary."),
    keep: Path | None = typer.Option(None, "--keep", metavar="DIR", help="Keep each article's DuckDB file in this "
                                                                       "folder (default: a temporary folder, removed)."),
    split: str = typer.Option("all", "--split", metavar="SPLIT", help="all | dev | test: one half of each set's "
                              "articles: sorted by name, the odd-numbered are dev (tune on them), the even-numbered "
                              "test (report them)."),
    ablate: list[str] = typer.Option([], "--ablate", metavar="CHECK", help="Also run with this named check of the "
                                     "verdict engine switched off (repeatable; 'all': each in turn) and print each "
                                     "check's effect."),
) -> None:
    """Whole articles against a desk's sentence labels.

    Each article is checked as `claims check` checks it, in a database of its own, with DIR/corpus as the only
    evidence source. Each gold sentence gets the verdict of its most check-worthy claim (not_checkworthy when
    none was extracted). Prints agreement, macro-F1, per-label precision and recall, refuted recall, false claims
    called supported, extraction recall, the confusion table and every disagreement; with several folders, a
    table of every set and the pooled figures."""
    # lazy: the evaluation (and the pipeline) imported by this command only
    from claims.eval.desk import SPLITS, desk_pool, desk_summary, desk_table, evaluate_desk
    from claims.score.checks import CHECKS

    if split not in SPLITS:
        raise typer.BadParameter(f"{split!r} is not a split: use all, dev or test", param_hint="--split")
    checks = list(CHECKS) if "all" in ablate else list(dict.fromkeys(ablate))
    unknown = [c for c in checks if c not in CHECKS]
    if unknown:
        raise typer.BadParameter(f"unknown check {unknown[0]!r}: choose from all, {', '.join(CHECKS)}",
                                 param_hint="--ablate")
    settings = invocation(ctx).settings()
    if len(directories) == 1 and not checks:
        _evaluate(evaluate_desk, directories[0], settings, keep=keep, split=split,
                  render=None if json_out else desk_summary)
        return

    # the ablation runs reuse each article's database (its embeddings and stance probabilities
    # are cached there), so that only judging runs again
    scratch = Path(tempfile.mkdtemp(prefix="claims-ablate-")) if checks and keep is None else None

    def run_all(disabled: list[str]) -> list[dict[str, Any]]:
        # the checks the settings switch off stay off; an ablation switches one more off
        config = settings.model_copy(update={"disabled_checks": list(dict.fromkeys([*settings.disabled_checks,
                                                                                   *disabled]))})
        out = []
        for k, directory in enumerate(directories):
            folder = keep or (scratch / str(k) if scratch is not None else None)
            with progress(f"Evaluating {directory.name}" + (f" without {', '.join(disabled)}" if disabled else "")):
                out.append(evaluate_desk(directory, config, keep=folder, split=split))
        return out

    try:
        results = run_all([])
        pooled = desk_pool(results)
        ablation: dict[str, dict[str, Any]] = {}
        for check in checks:
            other = run_all([check])
            ablation[check] = {"disabled_checks": list(dict.fromkeys([*settings.disabled_checks, check])),
                               "pooled": desk_pool(other),
                               "halves": {half: desk_pool(_half(other, half)) for half in ("dev", "test")}
                               if split == "all" else {},
                               "sets": {r["data"]: {k: r[k] for k in ("agreement", "supported_precision",
                                                                      "refuted_recall", "false_supported")}
                                        for r in other}}
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    halves = {half: desk_pool(_half(results, half)) for half in ("dev", "test")} if split == "all" else {}
    if json_out:
        typer.echo(json.dumps({"split": split, "disabled_checks": list(settings.disabled_checks), "sets": results,
                               "pooled": pooled, "halves": halves, "ablation": ablation}, indent=1, default=str))
        return
    if len(directories) > 1:
        for result in results:
            typer.echo(desk_summary(result) + "\n")
    rows = [(r["data"], r) for r in results] + [("pooled", pooled)] + [(f"pooled, {h} halves", p)
                                                                         for h, p in halves.items()]
    typer.echo(f"Desk sets ({split} articles):\n" + desk_table(rows))
    if ablation:
        lines = ["", (f"Ablation ({split} articles): pooled figures with each check switched off "
                     "(agreement change against all checks on)"),
                 (f"  {'check off':<14} {'agree':>6} {'change':>7} {'supp.P':>6} {'ref.R':>6} {'F->S':>5}   "
                 "change on each half, agreement per set")]
        for check, a in ablation.items():
            p = a["pooled"]
            change = (p["agreement"] or 0) - (pooled["agreement"] or 0)
            per_set = "  ".join(f"{Path(k).name}={v['agreement']:.2f}" for k, v in a["sets"].items()
                                if v["agreement"] is not None)
            per_half = "  ".join(f"{h} {(hp['agreement'] or 0) - (halves[h]['agreement'] or 0):+.3f}"
                                 for h, hp in a["halves"].items())
            lines.append(f"  {check:<14} {p['agreement'] or 0:>6.3f} {change:>+7.3f} {p['supported_precision'] or 0:>6.2f} "
                         f"{p['refuted_recall'] or 0:>6.2f} {p['false_supported']:>5}   {per_half}  {per_set}")
        typer.echo("\n".join(lines))



def _half(results: list[dict[str, Any]], half: str) -> list[dict[str, Any]]:
    """Each desk result cut to the articles of one half (claims.eval.desk.split_articles), for
    a run over every article (desk_pool reads the per-article (gold, predicted) pairs)."""
    # lazy: the evaluation (and the pipeline) imported by the desk command only
    from claims.eval.desk import split_articles

    out = []
    for r in results:
        keep = set(split_articles(list(r["per_article"]), half))
        out.append({"per_article": {a: v for a, v in r["per_article"].items() if a in keep}})
    return out
