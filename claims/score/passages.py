"""Cutting documents into passages: windows of whole sentences with overlap.

A passage holds a claim-sized statement with its context: ``size`` sentences, the next
window starting ``size - overlap`` sentences later, and never more than ``max_chars``
characters (the embedding model reads at most 256 word pieces).

A text table (rows of cells separated by ``|`` under a header row, as statistics releases
write them) is also read row by row: each row becomes a passage of its own that says each
cell with its row and column ("Robbery, change = +7.4%."), so that a figure is read with
the series and period its column names, not as a bare number in a line of numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from claims.extract.sentences import split_sentences
from claims.models import Document, Passage, stable_id
from claims.score.checks import unit_key

__all__ = ["MAX_CHARS", "make_passages", "passages_for", "splitter_key", "table_rows"]

MAX_CHARS = 900
# Bump when make_passages or the sentence splitter cut text differently: stored cuts
# (the document_passages table) made by another version are then not reused.
SPLITTER_VERSION = 3


def splitter_key(size: int = 3, overlap: int = 1, max_chars: int = MAX_CHARS) -> str:
    """What decides how a text is cut, as one string stored beside the cut."""
    return f"sentences={size};overlap={overlap};max_chars={max_chars};v{SPLITTER_VERSION}"


def make_passages(document: Document, size: int = 3, overlap: int = 1, max_chars: int = MAX_CHARS) -> list[Passage]:
    """The passages of one document, in order; ids are stable (document id + text)."""
    if size < 1 or not 0 <= overlap < size:
        raise ValueError("passage size must be >= 1 and overlap in [0, size)")
    sentences = split_sentences(document.text)
    if not sentences:
        return []
    passages: list[Passage] = []
    seen: set[str] = set()
    i = 0
    while i < len(sentences):
        j = i + 1
        # grow the window up to `size` sentences while it stays under max_chars
        while j < len(sentences) and j - i < size and sentences[j].end - sentences[i].start <= max_chars:
            j += 1
        start, end = sentences[i].start, sentences[j - 1].end
        text = document.text[start:end]
        if text not in seen:
            seen.add(text)
            passages.append(Passage(id=stable_id(document.id, text), document_id=document.id,
                                    position=len(passages), text=text, start=start, end=end))
        if j >= len(sentences):
            break
        i += max(1, (j - i) - overlap)  # a window cut short by max_chars advances less
    for text, start, end in table_rows(document.text):
        if text not in seen:
            seen.add(text)
            passages.append(Passage(id=stable_id(document.id, text), document_id=document.id,
                                    position=len(passages), text=text, start=start, end=end))
    return passages


_CAPTION = re.compile(r"^\s*(?:Table|Figure|Chart)\b[^\n]{0,200}$", re.IGNORECASE)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


# a column header's unit in brackets: "Average yield (tonnes per hectare)", "Production
# (million tonnes)", "Share (%)", "Spending (£m)"; brackets with digits ("2015 = 100",
# "000s") are left as written
_HEADER_UNIT = re.compile(r"^(.*?\S)\s*\(([^()\d]{1,40})\)$")
_BARE_NUMBER = re.compile(r"^[+\-\u2212]?\d[\d,]*(?:\.\d+)?$")
_SCALE_WORD = re.compile(r"\b(?:thousands?|millions?|billions?|trillions?|bn)\b", re.IGNORECASE)


def _is_unit(text: str) -> bool:
    """Whether words in brackets are a unit ("%", "£m", "EUR million", "tonnes per hectare",
    "thousands"), not a note on the row ("city", "provisional")."""
    if not text:
        return False
    return text == "%" or text[0] in "£$€¥" or _SCALE_WORD.search(text) is not None \
        or re.fullmatch(r"[A-Z]{3}", text.split()[0]) is not None or unit_key(text.split(" per ")[0]) is not None


def _with_unit(column: str, cell: str) -> tuple[str, str]:
    """(column, cell) with the unit that a column's header gives in brackets moved to a bare
    number of its cell, as a sentence gives it: ("Average yield (tonnes per hectare)", "2.1")
    is ("Average yield", "2.1 tonnes per hectare"), so that the figure is read with its unit."""
    m = _HEADER_UNIT.match(column.strip())
    if m is None or not _BARE_NUMBER.match(cell) or not _is_unit(m.group(2).strip()):
        return column, cell
    name, unit = m.group(1), m.group(2).strip()
    if unit == "%":
        return name, f"{cell}%"
    if unit[0] in "£$€¥":
        return name, f"{unit[0]}{cell}{unit[1:].strip()}" if len(unit) <= 2 else f"{unit[0]}{cell} {unit[1:].strip()}"
    scale = _SCALE_WORD.search(unit)
    if scale is not None:  # "(EUR million)": 118 million EUR
        rest = " ".join((unit[:scale.start()] + unit[scale.end():]).split())
        return name, f"{cell} {scale.group(0)} {rest}".strip()
    return name, f"{cell} {unit}"


def _aligned_cells(line: str) -> list[str]:
    """The cells of a line of a table aligned with spaces (two or more between columns); an
    indented line (a header over the row labels' column) starts with an empty cell."""
    cells = re.split(r"\s{2,}", line.strip())
    return ([""] + cells) if re.match(r"\s{2,}\S", line) else cells


def _row_cells(line: str, aligned: bool) -> list[str]:
    return _aligned_cells(line) if aligned else (_cells(line) if "|" in line else [])


def _numeric_rows(rows: list[list[str]]) -> bool:
    """Whether space-aligned rows look like a table's data: each a label and values most of
    which hold digits (prose with two spaces after a full stop does not)."""
    return all(cells[0] and not re.search(r"\d", cells[0][:1])
               and sum(bool(re.search(r"\d", c)) for c in cells[1:]) * 2 >= len(cells) - 1
               and all(len(c) <= 30 for c in cells[1:]) for cells in rows)


def table_rows(text: str) -> list[tuple[str, int, int]]:
    """(sentence text, start, end) of each data row of the text tables in ``text``: a block of
    at least two lines holding the same number (two or more) of ``|``-separated cells, or of
    cells aligned by runs of spaces (three or more cells, values with digits), the first its
    header. Each cell is said with its row label and its column ("Robbery, year ending June
    2025 = 2,480."), after the table's caption when the line before the header gives one."""
    lines = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[^\n]+", text)]
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(lines):
        aligned = "|" not in lines[i][2] and re.search(r"\S\s{2,}\S", lines[i][2]) is not None
        width = len(_row_cells(lines[i][2], aligned))
        if aligned and width < 3:
            width = 0
        j = i + 1
        while width >= 2 and j < len(lines) and len(_row_cells(lines[j][2], aligned)) == width \
                and (aligned or "|" in lines[j][2]):
            j += 1
        if width >= 2 and j - i >= 2 and (not aligned or _numeric_rows([_row_cells(x[2], True)
                                                                        for x in lines[i + 1:j]])):
            header: list[str] | None = _row_cells(lines[i][2], aligned)
            assert header is not None
            body = lines[i + 1:j]
            if any(re.search(r"\d", re.sub(r"\b(?:19|20)\d{2}\b|\bQ[1-4]\b", "", cell)) for cell in header[1:]):
                header, body = None, lines[i:j]  # no header row: the first row is data
            caption = ""
            if i > 0 and _CAPTION.match(lines[i - 1][2]):
                caption = lines[i - 1][2].strip().rstrip(".") + ". "
            for start, end, line in body:
                cells = _row_cells(line, aligned)
                label = cells[0] or (header[0] if header else "")
                columns = header[1:] if header else [""] * (len(cells) - 1)
                named, _ = _with_unit(label, "0")
                if named != label:  # the row's label gives the unit: "Revenue (EUR million) | 2,910"
                    cells = [named] + [_with_unit(label, cell)[1] for cell in cells[1:]]
                    label = named
                # "=" keeps the row, the column and the cell in one clause (a colon would end it)
                said = [f"{label}, {column[:1].lower() + column[1:]} = {cell}." if column else f"{label} = {cell}."
                        for column, cell in (_with_unit(column, cell) for column, cell in zip(columns, cells[1:]))
                        if cell]
                if said:
                    out.append((caption + " ".join(said), start, end))
            i = j
        else:
            i += 1
    return out


def passages_for(documents: Sequence[Document], size: int = 3, overlap: int = 1) -> list[Passage]:
    out: list[Passage] = []
    for doc in documents:
        out.extend(make_passages(doc, size, overlap))
    return out
