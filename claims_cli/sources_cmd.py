"""``claims sources``: the evidence backends and the corpus a check would use, as the
settings (file, environment, ``--corpus``) make them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from claims.settings import Settings, config_file
from claims_cli.context import CORPUS_HELP, command_group, examples, invocation, out

__all__ = ["app", "backends_in_effect"]

app = command_group()

_CORPUS_SUFFIXES = {".md", ".txt", ".markdown"}


def _corpus_files(folder: Path) -> int | None:
    """How many corpus files the folder holds (as the corpus backend reads them), None when it is no folder."""
    if not folder.is_dir():
        return None
    return sum(1 for p in folder.rglob("*") if p.suffix.lower() in _CORPUS_SUFFIXES and p.is_file())


def backends_in_effect(settings: Settings) -> list[dict[str, Any]]:
    """One row per evidence backend: its name, whether it is on, and what it reads."""
    s = settings.sources
    files = _corpus_files(s.corpus.path)
    corpus = f"{s.corpus.path} " + ("(missing: check stops with an error)" if files is None else f"({files} files)")
    wikipedia = s.wikipedia.base_url or f"https://{s.wikipedia.language}.wikipedia.org/w/api.php"
    key = s.factcheck.api_key is not None and bool(s.factcheck.api_key.get_secret_value())
    return [
        {"backend": "corpus", "enabled": s.corpus.enabled, "reads": corpus},
        {"backend": "urls", "enabled": s.urls.enabled, "reads": f"{len(s.urls.urls)} URLs"},
        {"backend": "feeds", "enabled": s.feeds.enabled,
         "reads": f"{len(s.feeds.feeds)} feeds, up to {s.feeds.max_entries} entries each"},
        {"backend": "wikipedia", "enabled": s.wikipedia.enabled, "reads": f"{wikipedia}, {s.wikipedia.max_results} results"},
        {"backend": "searxng", "enabled": s.searxng.enabled,
         "reads": s.searxng.base_url or "no base_url set"},
        {"backend": "gdelt", "enabled": s.gdelt.enabled,
         "reads": f"{s.gdelt.base_url}, +/-{s.gdelt.window_days} days"},
        {"backend": "factcheck", "enabled": s.factcheck.enabled,
         "reads": f"{s.factcheck.base_url} (API key {'set' if key else 'not set in settings'})"},
    ]


@app.command("sources", epilog=examples("claims sources",
                                        "claims sources --corpus examples/desk/corpus",
                                        "CLAIMS_SOURCES__WIKIPEDIA__ENABLED=true claims sources --json"))
def sources(
    ctx: typer.Context,
    corpus: Path | None = typer.Option(None, "--corpus", metavar="DIR", help=CORPUS_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print the backends as JSON."),
) -> None:
    """List the evidence backends and corpus in effect.

    As the settings make them: the settings file, CLAIMS_SOURCES__* variables, --corpus."""
    run = invocation(ctx)
    run.use_corpus(corpus)
    settings = run.settings()
    rows = backends_in_effect(settings)
    config = config_file(run.config)
    origin = f"settings file {config}" if config else "no settings file (defaults and CLAIMS_* variables)"
    if json_out:
        out.print_json(json.dumps({"settings": str(config) if config else None, "backends": rows}))
        return
    table = Table(show_lines=False, expand=False)
    table.add_column("backend", no_wrap=True)
    table.add_column("on", no_wrap=True)
    table.add_column("reads", overflow="fold")
    for row in rows:
        table.add_row(row["backend"], Text("yes", style="green") if row["enabled"] else Text("no", style="dim"),
                      Text(row["reads"]))
    out.print(table)
    on = [r["backend"] for r in rows if r["enabled"]]
    out.print(f"{len(on)} of {len(rows)} backends on ({', '.join(on) or 'none'}); {origin}. Switch one on with "
              "[sources.NAME] enabled = true in claims.toml or CLAIMS_SOURCES__NAME__ENABLED=true; "
              "another corpus: --corpus DIR.", markup=False, highlight=False)
