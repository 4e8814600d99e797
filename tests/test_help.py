"""``--help`` reads like a well-kept CLI (sqlite-utils, ``gh``): plain flags (``-v,
--verbose``), metavars in capitals (``--db FILE``, ``SQL``), no type tags, a one-sentence
summary per command in the lists, examples under every command, and under every command the
global options (before or after it), the --db one saying how the database is chosen."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from claims_cli.app import app


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, group)]
    for name, command in getattr(group, "commands", {}).items():
        found += _commands(command, (*path, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def _help(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="claims")
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_is_listed() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"", "check", "query", "search", "report", "export claimreview", "export parquet", "eval verdicts",
            "monitor", "reverify"} <= names


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS], ids=lambda p: " ".join(p) or "claims")
def test_help_is_plain_with_capital_metavars(path: tuple[str, ...]) -> None:
    text = _help(path)
    assert not re.search(r"<(bool|str|int|float|path|list\[\w+\])>", text, re.IGNORECASE), text  # no type tags
    assert not re.search(r"\{[A-Za-z_]+\}", text), text  # no {sql}
    assert "╭" not in text and "│" not in text  # no panels
    usage = text.splitlines()[0]
    assert usage.startswith("Usage: claims"), usage
    for token in re.findall(r"\b[a-z_]+\b", usage.split("[OPTIONS]", 1)[-1]):
        assert token in path or token == "claims", f"lower-case metavar {token!r} in {usage!r}"
    for line in text.splitlines():  # an option that takes a value names it in capitals
        option = re.match(r"\s+(?:-\w, )?--[\w-]+ (\S+)\s", line)
        if option:
            assert option.group(1) == option.group(1).upper(), line
    if not getattr(COMMANDS[[p for p, _ in COMMANDS].index(path)][1], "commands", None):
        assert "Examples:\n" in text, f"no examples under claims {' '.join(path)}"
        assert re.search(r"^    claims ", text, re.MULTILINE) or "| claims" in text


def test_flags_and_lists_read_whole() -> None:
    root = _help(())
    assert re.search(r"^  -v, --verbose\s+\S", root, re.MULTILINE)
    assert re.search(r"^  --db FILE\s+", root, re.MULTILINE)
    for path, command in COMMANDS:
        if getattr(command, "commands", None):
            listing = _help(path).split("Commands:", 1)[1].split("Examples:", 1)[0].split("Global options", 1)[0]
            for line in listing.strip().splitlines():  # a sentence, not one cut mid-line
                assert line.rstrip().endswith((".", ")")) and not line.rstrip().endswith("..."), line
    search = _help(("search",))
    assert re.search(r"^  -k, --top N\s+", search, re.MULTILINE)
    assert "Usage: claims search [OPTIONS] TEXT..." in search


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS], ids=lambda p: " ".join(p) or "claims")
def test_every_help_says_how_the_database_is_chosen(path: tuple[str, ...]) -> None:
    text = " ".join(_help(path).split())
    assert "--db FILE The database: FILE, else $CLAIMS_DB, else db in the settings file" in text, text
    assert "else ./claims.duckdb" in text and "CLAIMS_STORE" in text
    if path:  # under a command: the global options, said to go before or after it
        assert "Global options (before or after the command):" in _help(path)
        assert re.search(r"^  -v, --verbose\s+\S", _help(path), re.MULTILINE)
