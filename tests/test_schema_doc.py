"""docs/schema.md describes the database exactly: every table, view, column and macro that a
migrated database holds, and nothing that it does not hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from claims.store import Store

DOC = Path(__file__).resolve().parent.parent / "docs" / "schema.md"

_HEADING = re.compile(r"^### `([a-z_][a-z0-9_]*)`\s*$")
_COLUMN = re.compile(r"^\| `([a-z_][a-z0-9_]*)` \| ([^|]+) \|")
_MACRO = re.compile(r"^\| `([a-z_][a-z0-9_]*)\(([^)]*)\)` \|")


def documented() -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    """{relation: {column: type}} from the ### sections, and {macro: [parameters]}."""
    relations: dict[str, dict[str, str]] = {}
    macros: dict[str, list[str]] = {}
    current: str | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = None
        heading = _HEADING.match(line)
        if heading:
            current = heading.group(1)
            assert current not in relations, f"{current} is described twice in {DOC.name}"
            relations[current] = {}
            continue
        macro = _MACRO.match(line)
        if macro:
            macros[macro.group(1)] = [p.strip() for p in macro.group(2).split(",") if p.strip()]
            continue
        column = _COLUMN.match(line)
        if column and current is not None:
            assert column.group(1) not in relations[current], f"{current}.{column.group(1)} described twice"
            relations[current][column.group(1)] = column.group(2).strip()
    return relations, macros


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("schema") / "claims.duckdb")
    store.migrate()
    return store


def actual(store: Store) -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    with store.connect(read_only=True) as con:
        rows = con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall()
        macro_rows = con.execute(
            "SELECT function_name, parameters FROM duckdb_functions() "
            "WHERE NOT internal AND schema_name = 'main' AND function_type = 'macro'").fetchall()
    relations: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        relations.setdefault(table, {})[column] = data_type
    return relations, {name: list(params) for name, params in macro_rows}


def undocumented(doc: dict[str, dict[str, str]], db: dict[str, dict[str, str]]) -> list[str]:
    """Relations and ``relation.column`` names the database holds and the document lacks."""
    return sorted(set(db) - set(doc)) + sorted(f"{t}.{c}" for t in db if t in doc for c in db[t] if c not in doc[t])


def test_the_document_parses_into_sections() -> None:
    relations, macros = documented()
    assert {"documents", "claims", "verdicts", "latest_verdicts", "quantity_reports"} <= set(relations)
    assert all(columns for columns in relations.values()), "a section without a column table"
    assert "claims_figures" in macros


def test_every_table_view_and_column_is_documented(migrated: Store) -> None:
    doc, _ = documented()
    db, _ = actual(migrated)
    missing = undocumented(doc, db)
    assert not missing, f"tables, views or columns not described in docs/schema.md: {missing}"


def test_nothing_documented_is_missing_from_the_database(migrated: Store) -> None:
    doc, _ = documented()
    db, _ = actual(migrated)
    stale = sorted(set(doc) - set(db)) + sorted(f"{t}.{c}" for t in doc if t in db for c in doc[t] if c not in db[t])
    assert not stale, f"docs/schema.md describes what the database does not hold: {stale}"


def test_documented_types_match(migrated: Store) -> None:
    doc, _ = documented()
    db, _ = actual(migrated)
    wrong = [
        f"{t}.{c}: documented {doc[t][c]}, database {db[t][c]}"
        for t in doc if t in db for c in doc[t]
        if c in db[t] and not (doc[t][c].startswith("STRUCT") and db[t][c].startswith("STRUCT"))
        and doc[t][c].upper() != db[t][c].upper()
    ]
    assert not wrong, "types in docs/schema.md differ from the database: " + "; ".join(wrong)


def test_every_macro_is_documented_with_its_parameters(migrated: Store) -> None:
    _, doc = documented()
    _, db = actual(migrated)
    assert set(db) == set(doc), f"macros: undocumented {sorted(set(db) - set(doc))}, stale {sorted(set(doc) - set(db))}"
    assert {name: db[name] for name in db} == {name: doc[name] for name in db}


def test_a_new_column_without_documentation_is_caught(tmp_path: Path) -> None:
    """The check itself can fail: a column or table added outside the document is reported."""
    store = Store(tmp_path / "extra.duckdb")
    store.migrate()
    with store.transaction() as con:
        con.execute("ALTER TABLE verdicts ADD COLUMN reviewer VARCHAR")
        con.execute("CREATE TABLE notes (id INTEGER)")
    doc, _ = documented()
    db, _ = actual(store)
    assert undocumented(doc, db) == ["notes", "verdicts.reviewer"]
