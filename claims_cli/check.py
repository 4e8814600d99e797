"""``claims check``: one article verified now.

The input is read once, here (a file, standard input or a URL), so that an unusable input
ends with a one-line error before anything runs. Then, when no Prefect API is configured,
the library runs the stages directly (:func:`claims.pipeline.verify`): a one-off check
costs its work, not an orchestrator's start-up. When one is configured
(``PREFECT_API_URL``), the ``verify-document`` flow runs them, so the run is visible in
the Prefect UI.
"""

from __future__ import annotations

import contextlib
import json
import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table
from rich.text import Text

from claims.settings import require_sources
from claims_cli.context import (
    CORPUS_HELP,
    PREFECT_HELP,
    Invocation,
    command_group,
    err,
    examples,
    fail,
    invocation,
    out,
)
from claims_cli.numbers import number

if TYPE_CHECKING:
    from claims.pipeline import RunReport
    from claims.store.sentences import SentenceRecord

__all__ = ["app"]

app = command_group()

_COLOURS = {"supported": "green", "refuted": "red", "conflicting": "yellow", "not_enough_evidence": "dim"}


class _ProgressHandler(logging.Handler):
    """Shows the pipeline's stage messages in the CLI's status line."""

    def __init__(self, status: Any) -> None:
        super().__init__(logging.INFO)
        self.status = status

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # progress display must never break a run
            self.status.update(f"[bold]Verifying[/bold] {record.getMessage()}")


CHECK_HELP = (
    "Verify one article's claims and print the verdict table.\n\n"
    "The article's check-worthy claims are found, evidence is gathered for each, and the verdicts are stored. "
    "Each claim gets a label (supported, refuted, conflicting, not_enough_evidence), a confidence and its best "
    "source. The confidence is the calibrated probability that the label is right (0.70: about 7 in 10 such "
    "verdicts were right on development data), for every label. The best source is the passage whose vote most "
    "decided the label."
)


@app.command(help=CHECK_HELP, epilog=examples(
    "claims check examples/seed-article.txt",
    "claims check examples/desk/articles/millbrook-budget.md --corpus examples/desk/corpus",
    "claims check https://example.org/story.html",
    'claims check story.txt --published 2024-11-01 --outlet "Daily Example"',
    "cat story.txt | claims check - --json"))
def check(
    ctx: typer.Context,
    source: str = typer.Argument(..., metavar="ARTICLE", help="Article: a text file, an http(s) URL, or - for standard input."),
    title: str | None = typer.Option(None, metavar="TEXT", help="Title of the article (overrides front matter)."),
    outlet: str | None = typer.Option(None, metavar="NAME", help="Outlet that published it."),
    published: str | None = typer.Option(None, metavar="DATE", help="Publication date, YYYY-MM-DD (the claims' date)."),
    json_out: bool = typer.Option(False, "--json", help="Print the verdicts as JSON instead of a table."),
    corpus: Path | None = typer.Option(None, "--corpus", metavar="DIR", help=CORPUS_HELP),
    show_skipped: bool = typer.Option(False, "--show-skipped", help="Also list every sentence that became no claim, "
                                      "with its check-worthiness score and why (all of them: the sentences table)."),
    prefect: bool | None = typer.Option(None, "--prefect/--no-prefect", help=PREFECT_HELP),
) -> None:
    """Verify the check-worthy claims of one article and print the verdict table (see CHECK_HELP)."""
    run = invocation(ctx)
    run.use_corpus(corpus)
    if published:
        try:
            date.fromisoformat(published)
        except ValueError:
            fail(f"--published {published!r} is not a date: use YYYY-MM-DD", 2)
    # lazy: the input's readers and the pipeline (0.3-0.4 s of imports) for this command only, not for every command
    from claims.ingest import language_warning, read_input
    from claims.pipeline import verify

    settings = run.settings()
    require_sources(settings)  # a missing corpus: one line, before the database is opened (or created)
    meta = {k: v for k, v in {"title": title, "outlet": outlet, "published": published}.items() if v}
    document = read_input(source, settings, **meta)
    if warning := language_warning(document.text):
        err.print(f"Warning: {warning}", markup=False, highlight=False, soft_wrap=True)
    orchestrated = run.orchestrated(prefect)
    store = None if orchestrated else run.store()  # a flow run opens the database itself
    with err.status("[bold]Verifying[/bold] starting") as status:
        pipeline_log = logging.getLogger("claims.pipeline")
        level, propagate = pipeline_log.level, pipeline_log.propagate
        pipeline_log.addHandler(handler := _ProgressHandler(status))
        pipeline_log.setLevel(logging.INFO)
        pipeline_log.propagate = run.verbose  # stage messages go to the status line, to the log with -v
        try:
            report = _run_flow(run, source, document) if orchestrated else \
                verify(document, settings, store=store, source=source)
        finally:
            pipeline_log.removeHandler(handler)
            pipeline_log.setLevel(level)
            pipeline_log.propagate = propagate
    _print_report(report, json_out, run.store_label(), show_skipped)


def _run_flow(run: Invocation, source: str, document: Any) -> RunReport:
    run.quiet_prefect()
    # lazy: Prefect (1.5 s to import) only when a Prefect API is configured
    from flows.secrets import url_parameter
    from flows.verify import verify_document

    config = run.config_file()
    # Prefect keeps a flow run's parameters in its database and shows them in its UI: the
    # source goes there without credentials (the command has read it; the flow gets the document)
    return verify_document(url_parameter(source), document=document, config=str(config) if config else None,
                           overrides=run.flag_overrides())


def _print_report(report: RunReport, json_out: bool, database: str, show_skipped: bool = False) -> None:
    # lazy: imported by check() already; the pipeline stays off the import of the command
    from claims.pipeline import verdict_payload, verdict_rows

    rows = verdict_rows(report)
    why_none = None if report.claims else no_claim_reason(report.sentences)
    if json_out:
        printed = verdict_payload(report)
        if why_none:
            printed["no_claims"] = why_none
        if show_skipped:
            printed["sentences"] = [s.__dict__ for s in report.sentences]
        out.print_json(json.dumps(printed, default=str))
    else:
        table = Table(show_lines=True, expand=False)
        table.add_column("claim", max_width=70, overflow="fold")
        table.add_column("verdict", no_wrap=True)
        table.add_column("conf.", justify="right", no_wrap=True)
        table.add_column("best source", max_width=36, overflow="fold")
        for r in rows:
            colour = _COLOURS.get(r["verdict"], "white")
            conf = "" if r["confidence"] is None else number(r["confidence"])
            # Text, not markup: a claim or an outlet name with [brackets] is printed as written
            table.add_row(Text(r["claim"]), Text(r["verdict"], style=colour), conf, Text(r["best_source"] or ""))
        out.print(table)
        summary = ", ".join(f"{n} {label}" for label, n in sorted(report.label_counts().items()))
        if show_skipped:
            _print_sentences(report.sentences)
        out.print(f"{len(report.claims)} claims checked ({summary or why_none or 'none'}); run {report.run_id}; "
                  f"database {database}", markup=False, highlight=False)
    for note in report.notes:
        err.print(f"Note: {note}", markup=False, soft_wrap=True)
    if report.errors:
        backends = sorted({e.backend for e in report.errors})
        err.print(f"Warning: {len(report.errors)} source fetches failed ({', '.join(backends)}); "
                  "verdicts use the sources that answered:", markup=False)
        for e in report.errors[:10]:
            err.print(f"  - {e.backend}: {e.target}: {e.error}", markup=False, soft_wrap=True)


def no_claim_reason(sentences: list[SentenceRecord]) -> str:
    """Why an article gave no claim, from its sentences' scores and skip reasons."""
    if not sentences:
        return "the article has no sentence to check"
    scored = [s for s in sentences if s.checkworthiness is not None]
    if not scored:
        return f"none of its {len(sentences)} sentences has 4 words or more"
    best = max(scored, key=lambda s: s.checkworthiness or 0.0)
    quoted = best.text if len(best.text) <= 60 else best.text[:59] + "\u2026"
    return (f"none of its {len(sentences)} sentences is check-worthy: the highest score, "
            f"{best.checkworthiness:.3f}, is below the threshold (\u201c{quoted}\u201d); see --show-skipped")


def _print_sentences(sentences: list[SentenceRecord]) -> None:
    """The sentences that became no claim, in the article's order, with their scores and why."""
    skipped = [s for s in sentences if s.skipped]
    table = Table(title=f"{len(skipped)} of {len(sentences)} sentences skipped", show_lines=False, expand=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("sentence", max_width=70, overflow="fold")
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("why skipped", max_width=48, overflow="fold")
    for s in skipped:
        score = "" if s.checkworthiness is None else f"{s.checkworthiness:.3f}"
        table.add_row(str(s.position + 1), Text(s.text), score, Text(s.skipped or ""))
    out.print(table)
