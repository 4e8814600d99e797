"""The stage sequence, written once in the library and run by a stage runner: the stages in
order, each timed into the run's stats, the run closed as completed or failed in one
place, and a source that fails logged once."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from claims import pipeline
from claims.runner import LocalRunner
from claims.settings import HttpSettings, Settings
from claims.sources.text import document_from_text
from claims.store import Store, open_store, run_user_query
from tests.conftest import CORPUS

ARTICLE = ("---\ntitle: Kursk\noutlet: Runner Wire\npublished: 2024-10-31\n---\n"
           "US Secretary of State Antony Blinken said on Thursday that 8,000 North Korean soldiers were in "
           "Russia's Kursk region near the border with Ukraine.\n")


class RecordingRunner(LocalRunner):
    """The plain runner, noting the stages it is asked to run (as the Prefect runner would
    make them tasks)."""

    def __init__(self) -> None:
        self.stages: list[str] = []

    def run(self, name: str, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        self.stages.append(name)
        return super().run(name, fn, *args, **kwargs)

    def map(self, name: str, fn: Callable[..., Any], items: Iterable[Any], /, *, limit: int,
            **kwargs: Any) -> Iterator[Any]:
        self.stages.append(name)
        return super().map(name, fn, items, limit=limit, **kwargs)


def _settings(tmp_path: Path, **extra: Any) -> Settings:
    settings = Settings(db=tmp_path / "runs.duckdb", **extra)
    settings.sources.corpus.path = CORPUS
    return settings


def test_the_runner_runs_every_stage_in_order_and_each_is_timed(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    runner = RecordingRunner()
    report = pipeline.verify_source("article.txt", settings, text=ARTICLE, runner=runner)
    stages = ["read_input", "store_input", "extract", "gather", "passages", "judge", "store_verdicts"]
    assert runner.stages == stages
    assert [v.label for v in report.verdicts if "8,000" in next(c.text for c in report.claims if c.id == v.claim_id)] \
        == ["supported"]
    [(status, stats, input_)] = run_user_query(open_store(settings), "SELECT status, stats, input FROM runs").rows
    assert status == "completed" and input_ == "article.txt"
    for stage in stages:
        assert f'"{stage}"' in stats


def test_a_failing_stage_finishes_the_run_as_failed_with_what_was_done(tmp_path: Path) -> None:
    settings = _settings(tmp_path)

    class FailingJudge(LocalRunner):
        def run(self, name: str, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
            if name == "judge":
                raise RuntimeError("judge broke")
            return super().run(name, fn, *args, **kwargs)

    with pytest.raises(RuntimeError, match="judge broke"):
        pipeline.verify(document_from_text(ARTICLE), settings, runner=FailingJudge())
    [(status, error, stats)] = run_user_query(open_store(settings), "SELECT status, error, stats FROM runs").rows
    assert status == "failed" and error == "RuntimeError: judge broke"
    assert '"gather"' in stats and '"judge"' not in stats.split('"timings"')[1].split("}")[0]
    assert run_user_query(Store(settings.db), "SELECT count(*) FROM claims").rows[0][0] >= 1  # kept


def test_a_failing_source_is_logged_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: connections are refused
    dead = f"http://127.0.0.1:{port}/gone.html"
    settings = _settings(tmp_path, http=HttpSettings(allow_private_hosts=[f"127.0.0.1:{port}"], retries=0,
                                                     connect_timeout=1, respect_robots=False))
    settings.sources.urls.enabled, settings.sources.urls.urls = True, [dead]
    with caplog.at_level(logging.INFO, logger="claims"):
        report = pipeline.verify(document_from_text(ARTICLE), settings)
    assert [e.backend for e in report.errors] == ["urls"]
    mentions = [r for r in caplog.records if dead in r.getMessage() and r.levelno >= logging.WARNING]
    assert len(mentions) == 1, [r.getMessage() for r in mentions]
