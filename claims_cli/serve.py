"""``claims serve``: the HTTP API (:mod:`claims.api`) on this invocation's settings and store,
the models loaded once, until Ctrl-C."""

from __future__ import annotations

import typer

from claims_cli.context import command_group, err, examples, invocation

__all__ = ["app"]

app = command_group()


@app.command(epilog=examples(
    "claims serve                                   # http://127.0.0.1:8000, OpenAPI page at /docs",
    "claims serve --port 8080 --db desk.duckdb",
    'curl -s localhost:8000/check -H "content-type: application/json" -d \'{"text": "..."}\'',
    "CLAIMS_SERVE__TOKEN=secret claims serve --host 0.0.0.0   # elsewhere than loopback: a token"))
def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, metavar="HOST", help="Address to listen on (default: serve.host, "
                                    "127.0.0.1); any other than loopback needs serve.token (CLAIMS_SERVE__TOKEN)."),
    port: int | None = typer.Option(None, metavar="PORT", min=0, max=65535,
                                    help="Port (default: serve.port, 8000; 0: any free port)."),
) -> None:
    """Serve the HTTP API, the models kept loaded.

    POST /check (text or URL), GET /verdicts, /claims/ID, /report, /health; the OpenAPI
    page at /docs. Checks write to the same database as `claims check`, one at a time; the models stay
    loaded between requests. Every failure is one JSON body, {"error": "..."}."""
    run = invocation(ctx)
    settings = run.settings()
    # lazy: FastAPI, uvicorn and the pipeline for this command only
    from claims.api import require_token
    from claims.api import serve as serve_api

    require_token(settings, host)  # before the models load: refused at once

    def ready(url: str) -> None:
        err.print(f"serving {url} (OpenAPI page: {url}/docs); database {run.store_label()}; Ctrl-C stops",
                  markup=False, highlight=False, soft_wrap=True)

    serve_api(settings, host=host, port=port, on_ready=ready, log_level="info" if run.verbose else "warning")
