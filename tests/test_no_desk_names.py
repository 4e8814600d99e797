"""No rule fitted to a desk set by name: no proper noun of any desk set (the invented
countries, towns, people, outlets and agencies of ../shared/data/desk/* and examples/desk*)
stands in a word list, a regular expression or a data file of the package.

A desk set's proper nouns are its capitalised words that are not English words (not a whole
word of the packaged tokenizer's 30,000-word vocabulary, singular or plural) and not real
places (countries known to pycountry, and the world gazetteer of claims.extract.structure).
The package's words are its string literals (docstrings and comments excepted: they may
cite an example) and its JSON data files (the models' tokenizer vocabularies excepted)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pycountry
import pytest

from claims.extract import structure

ROOT = Path(__file__).resolve().parents[1]
DESK_SETS = [*sorted((ROOT / "examples").glob("desk*")), *sorted((ROOT.parent / "shared" / "data" / "desk").glob("*"))]


def _vocabulary() -> set[str]:
    tokenizer = ROOT / "claims" / "score" / "data" / "cross_encoder" / "tokenizer.json"
    return {w for w in json.loads(tokenizer.read_text(encoding="utf-8"))["model"]["vocab"] if w.isalpha()}


def _real_places() -> set[str]:
    names = {w.lower() for c in pycountry.countries for n in (c.name, getattr(c, "common_name", ""))
             for w in re.findall(r"[A-Za-z]+", n or "")}
    gazetteer = {*structure._METONYMS, *structure._KNOWN_PLACES, *structure._DEMONYMS.values()}
    return names | {w for name in gazetteer for w in name.lower().split()}


def desk_proper_nouns() -> set[str]:
    vocabulary, places = _vocabulary(), _real_places()
    words: set[str] = set()
    for desk in DESK_SETS:
        for path in desk.rglob("*"):
            if path.is_file() and path.suffix in (".md", ".txt", ".jsonl"):
                words |= set(re.findall(r"\b[A-Z][a-z]{3,}\b", path.read_text(encoding="utf-8", errors="replace")))

    def english(word: str) -> bool:
        low = word.lower()
        stems = {low, low.removesuffix("s"), low.removesuffix("es"), low.removesuffix("ies") + "y",
                 low.removesuffix("ed"), low.removesuffix("ing"), low.removesuffix("ers")}
        return bool(stems & vocabulary)

    return {w for w in words if not english(w) and w.lower() not in places}


def _literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body \
                and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            docstrings.add(id(node.body[0].value))
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def package_words() -> dict[str, str]:
    """Each source of words of the package (a module's literals, a JSON data file) as one text."""
    out = {str(p.relative_to(ROOT)): "\n".join(_literals(p)) for p in (ROOT / "claims").rglob("*.py")}
    for p in (ROOT / "claims").rglob("*.json"):
        if p.name != "tokenizer.json":
            out[str(p.relative_to(ROOT))] = p.read_text(encoding="utf-8")
    return out


def test_desk_proper_nouns_are_found() -> None:
    names = desk_proper_nouns()
    # the examples' own invented names are among them (the shared sets add theirs when present)
    assert {"Millbrook", "Okafor"} <= names
    assert not names & {"Korea", "Monday", "September", "Kursk", "Markets"}


def test_no_desk_proper_noun_in_the_package() -> None:
    names = desk_proper_nouns()
    if not names:
        pytest.skip("no desk set found")
    pattern = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, names))) + r")\b")
    found = {source: sorted(set(pattern.findall(text))) for source, text in package_words().items()}
    assert {source: words for source, words in found.items() if words} == {}
