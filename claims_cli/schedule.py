"""``claims schedule``: what the Prefect server has scheduled (the deployments of
prefect.yaml, their schedules and next runs), without the UI.

The server is the configured Prefect API (``PREFECT_API_URL`` or the active profile), else
the one ``make schedule`` starts (http://127.0.0.1:4200/api). A server that does not answer,
or one that lacks a deployment of prefect.yaml, is one ``Error:`` line naming it and the
remedy.
"""

from __future__ import annotations

import asyncio
import json
import os
from datetime import datetime
from typing import Any

import typer
import yaml
from rich.table import Table
from rich.text import Text

from claims.settings import PROJECT_DIR
from claims_cli.context import (
    command_group,
    examples,
    fail,
    invocation,
    out,
    prefect_api_url,
    prefect_unreachable,
)

__all__ = ["SCHEDULER_API_URL", "app", "expected_deployments"]

app = command_group()

# Where scripts/scheduler.sh (make schedule) serves the Prefect API by default
SCHEDULER_API_URL = "http://127.0.0.1:4200/api"


def expected_deployments() -> list[str]:
    """The deployments prefect.yaml defines, as ``flow-name/deployment-name`` would be
    written by ``prefect deploy`` (their names are their flows' names here)."""
    try:
        spec = yaml.safe_load((PROJECT_DIR / "prefect.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    return [str(d["name"]) for d in spec.get("deployments") or [] if isinstance(d, dict) and d.get("name")]


def _schedule_text(deployment: Any) -> str:
    parts = []
    for item in deployment.schedules or []:
        schedule = item.schedule
        text = (getattr(schedule, "cron", None) and f"cron {schedule.cron}") or \
            (getattr(schedule, "interval", None) and f"every {schedule.interval}") or \
            (getattr(schedule, "rrule", None) and f"rrule {schedule.rrule}") or str(schedule)
        tz = getattr(schedule, "timezone", None)
        parts.append(f"{text}{f' ({tz})' if tz else ''}{'' if item.active else ' (inactive)'}")
    return "; ".join(parts) or "none (run by hand)"


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


async def _read(upcoming: int) -> list[dict[str, Any]]:
    # lazy: Prefect (1.5 s to import) for this command only
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowFilter,
        FlowFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType  # lazy: as above
    from prefect.client.schemas.sorting import FlowRunSort  # lazy: as above

    rows = []
    async with get_client() as client:
        deployments = await client.read_deployments()
        flows = {f.id: f.name for f in await client.read_flows(
            flow_filter=FlowFilter(id=FlowFilterId(any_=[d.flow_id for d in deployments])))} if deployments else {}
        for deployment in sorted(deployments, key=lambda d: d.name):
            runs = await client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
                flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))),
                sort=FlowRunSort.EXPECTED_START_TIME_ASC, limit=upcoming)
            rows.append({"deployment": f"{flows.get(deployment.flow_id, '?')}/{deployment.name}",
                         "name": deployment.name, "paused": bool(deployment.paused),
                         "schedule": _schedule_text(deployment),
                         "next_runs": [_when(r.expected_start_time or r.next_scheduled_start_time) for r in runs]})
    return rows


@app.command("schedule", epilog=examples("claims schedule", "claims schedule --next 5 --json",
                                         "PREFECT_API_URL=http://db1:4200/api claims schedule"))
def schedule(
    ctx: typer.Context,
    upcoming: int = typer.Option(3, "--next", min=1, max=100, metavar="N", help="Scheduled runs listed per deployment."),
    json_out: bool = typer.Option(False, "--json", help="Print the deployments as JSON."),
) -> None:
    """List the Prefect deployments and their next runs.

    Read from the configured Prefect API, else from the one `make schedule` starts."""
    run = invocation(ctx)
    url = prefect_api_url() or SCHEDULER_API_URL
    why = prefect_unreachable(url)
    if why is not None:
        fail(f"no Prefect server answers at {url} ({why}): start the scheduler with `make schedule`, "
             "or point PREFECT_API_URL at a running server")
    run.quiet_prefect()
    os.environ["PREFECT_API_URL"] = url  # the client reads it; this process only
    rows = asyncio.run(_read(upcoming))
    missing = [name for name in expected_deployments() if name not in {r["name"] for r in rows}]
    if json_out:
        out.print_json(json.dumps({"api": url, "deployments": rows, "missing": missing}))
    else:
        table = Table(show_lines=False, expand=False)
        for name in ("deployment", "schedule", "next runs"):
            table.add_column(name, overflow="fold")
        for row in rows:
            schedule_text = row["schedule"] + (" (paused)" if row["paused"] else "")
            table.add_row(row["deployment"], Text(schedule_text), ", ".join(row["next_runs"]) or "none scheduled")
        out.print(table)
        out.print(f"{len(rows)} deployments on {url}", markup=False, highlight=False)
    if missing:
        fail(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not deployed on the Prefect server at "
             f"{url}: run `make schedule` (it deploys prefect.yaml), or `prefect deploy --all` with "
             f"PREFECT_API_URL={url}")
