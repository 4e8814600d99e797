"""Sentence splitting for news text, with character offsets into the original text.

The splitting itself is pysbd's (rule-based Golden-Rules sentence boundary detection).
Measured on a table of news cases (quotes, "U.S." at a sentence end, "Lt. Col.", lists,
decimals) it got 19 of 24 right against 18 for spaCy's blank ``en`` sentencizer, which
splits inside quotations ('..." he said. "' / 'The troops will go."') and after
"Lt." / "Col."; pysbd is ~1,800 sentences/s here, an order of magnitude faster than
embedding the same sentences, so speed does not decide.

Around it this module adds what pysbd does not know about news pages:

* **lines**: a line break ends a sentence (a headline, a dateline, a list item) unless the
  next line starts in lower case or the line ends with a comma, hyphen or an opening
  bracket (hard-wrapped prose); a blank line always ends one;
* **repairs** of a few pysbd splits after abbreviations that never end a sentence in
  news style (titles such as "Lt." and "Sen.", "approx.", "vs.", "No." before a number,
  month abbreviations before a day, "Co." before "Ltd.") and before a lower-case word;
* **offsets**: every :class:`~claims.models.Sentence` satisfies
  ``text[s.start:s.end] == s.text`` and ``s.text`` is stripped;
* **bounded work**: pysbd's time grows with the square of a paragraph's length (a
  200 KB line took 9 s here, 1 MB 214 s), so a paragraph longer than ``MAX_BLOCK_CHARS``
  is cut first, at the last likely sentence end (else the last space) before each limit,
  and pysbd segments the pieces: linear in the text, and the same sentences wherever the
  cut falls on a sentence end. :func:`cap_length` then bounds what one "sentence" may be
  for the callers that need it (claims). pysbd also costs about 0.2 ms a call however short
  the block, so a block of plain words (letters, digits, spaces and commas, at most one
  final stop: a headline, a list item, a table row) is taken as one sentence without it,
  which is what pysbd returns for such a block; an input's number of lines and sentences is
  bounded before it gets here (:func:`claims.sources.text.check_length`).
"""

from __future__ import annotations

import functools
import logging
import re
import threading

import pysbd  # type: ignore[import-untyped]  # pysbd ships no type information

from claims.models import Sentence

__all__ = ["MAX_BLOCK_CHARS", "cap_length", "split_sentences"]

log = logging.getLogger(__name__)

_local = threading.local()


def _segmenter() -> pysbd.Segmenter:
    """One pysbd segmenter per thread (it keeps state while segmenting)."""
    seg = getattr(_local, "segmenter", None)
    if seg is None:
        seg = pysbd.Segmenter(language="en", clean=False)
        _local.segmenter = seg
    return seg


# Abbreviations after which a sentence never ends in news style: a split after them is undone.
_TITLES = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cpt", "sgt", "cpl",
    "pvt", "adm", "cmdr", "brig", "sen", "rep", "gov", "lt.gen", "pres", "rev", "fr", "hon",
    "st", "amb", "supt", "insp", "det", "atty", "mt", "ft",
}
# Abbreviations that are followed by a number when they are part of the sentence.
_BEFORE_NUMBER = {
    "approx", "vs", "v", "no", "nos", "est", "ca", "c", "art", "sec", "p", "pp", "para",
    "fig", "vol", "ch", "op", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "ave", "rt",
}
_COMPANY = {"co", "corp", "inc", "ltd", "bros", "plc", "llc"}
MAX_BLOCK_CHARS = 5000  # pysbd takes 0.02 s on 5,000 characters, 0.25 s on 20,000 (quadratic)
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_SPACE = re.compile(r"\s+")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.\s*$")
_CONTINUATION_END = re.compile(r"[,\-–—(\[/&]\s*$|\b(?:and|or|the|a|an|of|to|in|for|with|by)\s*$")
_INDENT = re.compile(r"[ \t\r]*")
# A block pysbd always returns whole (checked on 28,000 random ones): letters, digits, spaces
# and commas, at most one final stop. A headline, a list item, a line of a table: split
# without pysbd, whose fixed cost (~0.2 ms a call) made 1.6 million such lines take minutes.
_PLAIN_BLOCK = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ,]*[.!?]?")


def _line_blocks(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that are one paragraph each: a line break starts a new block
    unless the text clearly runs on across it (see the module docstring)."""
    blocks: list[tuple[int, int]] = []
    start = 0
    pos = 0
    n = len(text)
    for match in re.finditer(r"\n", text):
        nl = match.start()
        line = text[pos:nl]
        nxt_match = _INDENT.match(text, nl + 1)
        nxt_start = nxt_match.end() if nxt_match else nl + 1
        nxt_char = text[nxt_start] if nxt_start < n else ""
        runs_on = (
            line.strip() != ""
            and nxt_char not in ("", "\n")
            and (nxt_char.islower() or bool(_CONTINUATION_END.search(line)))
        )
        if not runs_on:
            blocks.append((start, nl))
            start = nl + 1
        pos = nl + 1
    blocks.append((start, n))
    return blocks


def _should_join(prev: str, nxt: str) -> bool:
    """Whether pysbd split ``prev`` | ``nxt`` where no sentence ends."""
    nxt = nxt.lstrip()
    if not nxt:
        return False
    first = nxt[0]
    if first.islower():
        return True
    match = _LAST_WORD.search(prev)
    if not match:
        return False
    word = match.group(1).lower()
    last = word.rsplit(".", 1)[-1] if "." in word and not re.fullmatch(r"(?:[a-z]\.)+[a-z]", word) else word
    if last in _TITLES and (first.isupper() or first.isdigit()):
        return True
    if last in _BEFORE_NUMBER and first.isdigit():
        return True
    if last in _COMPANY and re.match(r"(?:Ltd|Inc|Corp|Co|LLC|PLC)\b", nxt):
        return True
    return word in {"a.m", "p.m"} and re.match(
        r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|local|GMT|UTC|[A-Z]{1,2}T)\b", nxt
    ) is not None


def split_sentences(text: str) -> list[Sentence]:
    """Split news text into sentences with offsets (``text[s.start:s.end] == s.text``).

    Results for short texts (passages: the verdict stage splits one passage once per
    figure it judges) are memoised; the splitter is a pure function of the text."""
    if len(text) <= 2000:
        return list(_split_short(text))
    return _split(text)


@functools.lru_cache(maxsize=8192)
def _split_short(text: str) -> tuple[Sentence, ...]:
    return tuple(_split(text))


def _cut_point(text: str, start: int, limit: int) -> int:
    """Where to end a piece of ``text`` that starts at ``start`` and may hold ``limit``
    characters: after the last likely sentence end in its second half, else at the last
    space there, else at the limit."""
    end = start + limit
    floor = start + limit // 2
    for pattern in (_SENTENCE_END, _SPACE):
        found = [m.end() for m in pattern.finditer(text, floor, end)]
        if found:
            return found[-1]
    return end


def _pieces(start: int, end: int, text: str, limit: int) -> list[tuple[int, int]]:
    """``text[start:end]`` as spans of at most ``limit`` characters (see :func:`_cut_point`)."""
    spans = []
    while end - start > limit:
        cut = _cut_point(text, start, limit)
        spans.append((start, cut))
        start = cut
    spans.append((start, end))
    return spans


def cap_length(sentences: list[Sentence], text: str, max_chars: int) -> tuple[list[Sentence], int]:
    """``sentences`` of ``text`` with every one longer than ``max_chars`` cut into pieces of
    at most that (at the last likely sentence end, else the last space, before each
    limit), offsets kept; returns them and how many sentences were cut."""
    capped: list[Sentence] = []
    cut = 0
    for sentence in sentences:
        if len(sentence.text) <= max_chars:
            capped.append(sentence)
            continue
        cut += 1
        for start, end in _pieces(sentence.start, sentence.end, text, max_chars):
            piece = text[start:end]
            stripped = piece.strip()
            if stripped:
                offset = start + piece.index(stripped)
                capped.append(Sentence(text=stripped, start=offset, end=offset + len(stripped)))
    return capped, cut


def _split(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    blocks = [piece for start, end in _line_blocks(text) for piece in _pieces(start, end, text, MAX_BLOCK_CHARS)]
    for block_start, block_end in blocks:
        block = text[block_start:block_end]
        stripped = block.strip()
        if not stripped:
            continue
        if _PLAIN_BLOCK.fullmatch(stripped):  # one sentence, as pysbd would find
            start = block_start + block.index(stripped)
            sentences.append(Sentence(text=stripped, start=start, end=start + len(stripped)))
            continue
        # Same length as the block, so offsets carry over; pysbd would split at "\n".
        flat = block.replace("\n", " ").replace("\r", " ")
        pieces: list[tuple[int, int]] = []
        cursor = 0
        for segment in _segmenter().segment(flat):
            stripped = segment.strip()
            if not stripped:
                continue
            found = flat.find(stripped, cursor)
            if found < 0:  # pysbd changed the text (should not happen with clean=False)
                log.warning("sentence splitter lost its place; keeping the rest as one sentence")
                rest = flat[cursor:].strip()
                if rest:
                    found = flat.find(rest, cursor)
                    pieces.append((found, found + len(rest)))
                cursor = len(flat)
                break
            end = found + len(stripped)
            if pieces and _should_join(flat[pieces[-1][0]:pieces[-1][1]], stripped):
                pieces[-1] = (pieces[-1][0], end)
            else:
                pieces.append((found, end))
            cursor = end
        for s, e in pieces:
            sentences.append(Sentence(text=text[block_start + s:block_start + e], start=block_start + s,
                                      end=block_start + e))
    return sentences
