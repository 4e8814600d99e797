"""``claims search`` on the seed corpus: the hybrid ranking by sentence puts the statements
of the query's figure first, and a wire story reprinted by several outlets is one hit that
lists them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from claims.search import _statement
from tests.conftest import cli_env, run_cli


def _search(db: Path, prefect_home: Path, *args: str) -> list[dict]:
    result = run_cli(["search", *args, "--json"], cli_env(db, prefect_home))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_8000_in_kursk_statements_rank_first(main_job_db: Path, prefect_home: Path) -> None:
    hits = _search(main_job_db, prefect_home, "8,000 North Korean soldiers in Kursk", "-k", "5")
    assert [h["rank"] for h in hits] == [1, 2, 3, 4, 5]
    # embeddings alone ranked first "Rutte did not give a figure ..." and put these 7th and 8th
    for hit in hits[:3]:
        assert "8,000 North Korean soldiers" in hit["text"] and "Kursk" in hit["text"], hit["text"]
    wire = [h for h in hits if "About 8,000 North Korean soldiers are in Russia's Kursk region" in h["text"]]
    assert len(wire) == 1, "a reprinted wire story is one hit"
    assert wire[0]["rank"] <= 2
    assert {"Example Wire", "Harbor Times"} <= set(wire[0]["outlets"])  # the outlets that carried it
    assert wire[0]["outlet"] == wire[0]["outlets"][0]
    assert wire[0]["text"] in wire[0]["passage"]
    keys = [re.sub(r"\W+", " ", h["text"].lower()) for h in hits]
    assert len(set(keys)) == len(keys), "no statement twice"


def test_several_queries_and_the_table(main_job_db: Path, prefect_home: Path) -> None:
    hits = _search(main_job_db, prefect_home, "12,000 troops sent to Russia", "China remained silent", "-k", "3")
    by_query = {q: [h for h in hits if h["query"] == q] for q in ("12,000 troops sent to Russia", "China remained silent")}
    assert [h["rank"] for h in by_query["12,000 troops sent to Russia"]] == [1, 2, 3]
    assert "12,000 troops" in by_query["12,000 troops sent to Russia"][0]["text"]
    assert len(by_query["China remained silent"]) == 3
    table = run_cli(["search", "8,000 North Korean soldiers in Kursk", "-k", "2"], cli_env(main_job_db, prefect_home))
    assert table.returncode == 0, table.stderr
    assert "Example Wire, Harbor Times" in table.stdout and "statement" in table.stdout


def test_a_dateline_is_not_part_of_the_statement() -> None:
    assert _statement("WASHINGTON, Oct. 31, 2024 (Example Wire) - About 8,000 soldiers are in Kursk.") == \
        "About 8,000 soldiers are in Kursk."
    assert _statement("KYIV, Tuesday, Nov. 5, 2024 - Zelensky said so.") == "Zelensky said so."
    assert _statement("In 2024 - the year of the vote - turnout rose.") == "In 2024 - the year of the vote - turnout rose."
