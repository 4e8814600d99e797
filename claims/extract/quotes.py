"""Quotes for a rationale: the sentence of a passage that holds the words a cue matched.

A rationale names why a source disputes a claim by the words that matched in its passage
("There was no"); a reader needs the sentence they stand in. :func:`whole_quote` gives it,
whole when it fits, else the clauses around the cue that fit, "…" marking where the sentence
goes on. Used by the verdict's rationale (claims.score.verdict) and by the report for
rationales stored before it quoted sentences (claims.report.html).
"""

from __future__ import annotations

import re

from claims.extract.sentences import split_sentences

__all__ = ["QUOTE_CHARS", "cue_note", "find_words", "whole_quote"]

QUOTE_CHARS = 220  # longest quote shown whole in a rationale; longer sentences are cut at clauses

# Where a long sentence may be cut: after a semicolon, a colon or a comma, around a dash
_CLAUSE_STOP = re.compile(r"[;:,]\s+|\s+[-\u2013\u2014]{1,2}\s+")
# A cue as the rationale quotes it: "Beijing said (the claim says it kept silent)", "The
# figure was later revised… false": the words matched in the passage, then a note
_CUE_NOTE = re.compile(r"\s*\(([^()]*)\)\s*$")


def find_words(passage: str, words: str) -> tuple[int, int] | None:
    """Where ``words`` stand in ``passage`` (case and spacing aside), or None."""
    if not words.strip():
        return None
    pattern = r"\s+".join(re.escape(w) for w in words.split())
    found = re.search(pattern, passage) or re.search(pattern, passage, re.IGNORECASE)
    return (found.start(), found.end()) if found else None


def _clause_window(sentence: str, start: int, end: int, limit: int) -> str:
    """The clauses of ``sentence`` around ``sentence[start:end]``, as many as fit in
    ``limit`` characters, with "…" where the sentence goes on; a clause longer than the
    limit is cut at a word boundary."""
    cuts = sorted({0, len(sentence), *(m.end() for m in _CLAUSE_STOP.finditer(sentence))})
    first = max(i for i, c in enumerate(cuts[:-1]) if c <= start)
    last = min(i for i, c in enumerate(cuts) if c >= end and i > first)
    while True:  # widen by a clause on either side while it fits, the side with the shorter clause first
        options = [(cuts[first] - cuts[first - 1], first - 1, last)] if first > 0 else []
        options += [(cuts[last + 1] - cuts[last], first, last + 1)] if last < len(cuts) - 1 else []
        fitting = [o for o in sorted(options) if cuts[o[2]] - cuts[o[1]] <= limit]
        if not fitting:
            break
        _, first, last = fitting[0]
    a, b = cuts[first], cuts[last]
    if b - a > limit:  # one clause longer than the limit: from its start (or the cue's), to a space
        a = a if end - a <= limit else max(a, sentence.rfind(" ", a, start) + 1)
        b = sentence.rfind(" ", a, a + limit)
        b = b if b > end else min(len(sentence), end)
    text = sentence[a:b].strip().rstrip(",;:")
    return ("…" if a > 0 else "") + text + ("…" if b < len(sentence) else "")


def whole_quote(passage: str, cue: str, limit: int = QUOTE_CHARS) -> str | None:
    """The sentence of ``passage`` that holds ``cue`` (the words a rationale quotes, as
    matched: "There was no"), whole when it fits in ``limit`` characters, else the clauses
    around the cue that fit, "…" marking where the sentence goes on (always at a word
    boundary). None when the cue's words are not in the passage (a cue made of words the
    passage does not hold, such as 'rated "False"', is quoted as it is)."""
    words = _CUE_NOTE.sub("", cue).split("…")[0]
    span = find_words(passage, words)
    if span is None:
        return None
    for sentence in split_sentences(passage):
        if sentence.start <= span[0] < sentence.end:
            start, end = span[0] - sentence.start, min(span[1], sentence.end) - sentence.start
            if len(sentence.text) <= limit:
                return sentence.text
            return _clause_window(sentence.text, start, end, limit)
    return None


def cue_note(cue: str) -> str | None:
    """The note a cue carries after its matched words ("the claim says it kept silent" in
    "Beijing said (the claim says it kept silent)"), or None."""
    found = _CUE_NOTE.search(cue)
    return found.group(1) if found else None
