"""Comparing a claim's number with the numbers its evidence reports.

Similarity says a passage is about the same thing; only the numbers say whether it
agrees. For a claim quantity and a passage quantity that count the same thing
(``same_counted_thing``), the relation is

* ``match``       both precise and equal within the tolerance;
* ``consistent``  compatible, but through a bound, a range or a vague amount
                  ("at least 3,000" is consistent with 8,000);
* ``mismatch``    incompatible, in the same scope as far as the text tells;
* ``other_scope`` incompatible, but reported for another place or another time, so it
                  neither supports nor refutes the claim (troop numbers change as a
                  deployment grows; 10,000 in eastern Russia does not contradict 8,000 near
                  the border).

Scope is read from the text next to each number: the places named in the prepositional
phrases that follow it ("in Russia's Kursk region", "near the Ukrainian border", "to
eastern Russia"), and the dates of the claim and of the source.
"""

from __future__ import annotations

import calendar
import functools
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import pycountry

from claims.extract.quantities import (
    counted_head,
    is_time_frame,
    parse_quantities,
    refers_back,
    same_counted_thing,
    scope_window,
    unit_named_before,
)
from claims.extract.scope import (
    _MONTH_WORDS,
    PAYER_BEFORE,
    PLACE_PHRASE,
    SERIES_MODIFIERS,
    TimeSpan,
    clause_bounds,
    figure_owner,
    figure_place,
    figure_status,
    figure_thing,
    is_descriptor,
    spans_overlap,
    time_span,
    time_spans,
)
from claims.extract.sentences import split_sentences
from claims.extract.words import stem
from claims.models import Quantity, Scope
from claims.score.checks import (
    active,
    claim_tolerance,
    converted,
    derived_values,
    falls,
    kind_confusion,
    lexicon,
    matches_derived,
    per_period,
    rate_denominator,
    rate_period,
    rescaled,
    series_conflict,
    states_change,
)
from claims.score.roles import content_stems

__all__ = ["NumericJudgement", "country_stems", "figure_judgements", "figure_place", "format_quantity", "interval", "judge_numbers", "place_terms", "relate_quantities"]

_PLACE = PLACE_PHRASE
_STOP_WORDS = {"The", "A", "An", "He", "She", "It", "They", "We", "I", "This", "That"}


def place_terms(text: str) -> set[str]:
    """Normalised place words named in ``text``'s prepositional phrases.

    Words are folded to a 4-letter stem so that a country and its adjective meet
    ("Ukraine's", "Ukrainian" -> "ukra").
    """
    terms: set[str] = set()
    for match in _PLACE.finditer(text):
        compass = re.search(r"\b(north|south|east|west|central|far)(?:ern|-?eastern|-?western)?\s+(?:[A-Z])",
                            match.group(0))
        words = [w for w in re.findall(r"[A-Z][\w\-]*", match.group(1)) if w not in _STOP_WORDS]
        for word in words:
            terms.add(word.lower()[:4])
        if compass and words:  # "eastern Russia": a region of the country, not the whole of it
            terms.add(f"{compass.group(1).lower()}-{words[0].lower()[:4]}")
    return terms


def _country_stems() -> frozenset[str]:
    """4-letter stems of country names ("russ", "ukra", "kore"): places too wide to set a
    scope against a region or a city."""
    stems = set()
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", "")):
            first = re.split(r"[\s,]+", name.strip())[0] if name else ""
            if len(first) >= 4:
                stems.add(first.lower()[:4])
    return frozenset(stems)


_COUNTRIES = _country_stems()


def country_stems() -> frozenset[str]:
    """4-letter stems of country names (see :func:`same_place`)."""
    return _COUNTRIES


def same_place(claim_places: set[str] | frozenset[str], passage_places: set[str] | frozenset[str]) -> bool | None:
    """Whether two place sets describe the same scope; None when either names no place.

    A claim that names a region or city ("Kursk") is only in scope with a passage that
    names it too: a figure for "eastern Russia" is not a figure for Kursk. A claim that
    names countries only is in scope with any passage sharing one of them.
    """
    if not claim_places or not passage_places:
        return None
    specific = set(claim_places) - _COUNTRIES
    if specific:
        return bool(specific & set(passage_places))
    return bool(set(claim_places) & set(passage_places))


def interval(q: Quantity, tolerance: float = 0.0) -> tuple[float, float]:
    """The values a quantity allows, widened by ``tolerance`` (a fraction)."""
    low: float | None
    high: float | None
    if q.low is None and q.high is None and q.value is not None:
        low = high = q.value
    else:
        low, high = q.low, q.high
    if low is not None and low != high:
        tolerance = 0.0  # ranges, bounds and hedged figures already carry their own slack
    lo = -math.inf if low is None else low * (1 - tolerance)
    hi = math.inf if high is None else high * (1 + tolerance)
    return lo, hi


_BOUNDED = {"more than", "over", "at least", "less than", "fewer than", "up to", "at most", "under", "nearly", "almost"}


# An upper bound that says the count reaches it ("as many as 20,000", "up to 20,000"): a
# count that stays below this share of the bound does not bear it out.
_NEAR_BOUND = {"as many as", "as much as", "up to"}
_NEAR_SHARE = 0.75


def _precise(q: Quantity) -> bool:
    """A figure given to more than two significant digits and without a hedge (11,819; 3.25%):
    a rounder report ("about 12,000") is compatible with it but does not confirm it."""
    if q.value is None or q.qualifier:
        return False
    digits = re.sub(r"\D", "", f"{abs(q.value):.6g}").strip("0")
    return len(digits) > 2


def relate_quantities(claim_q: Quantity, passage_q: Quantity, tolerance: float, widen_passage: bool = True) -> str:
    """``match``, ``consistent`` or ``mismatch`` for two quantities of the same thing.

    Two point figures within the tolerance match, hedges aside ("about 8,000" matches
    "8,000"), unless the claim is more precise than the report (a claim of 11,819 is only
    consistent with "about 12,000"); a figure inside a range, a bound or a vague amount
    is only consistent.
    """
    c_lo, c_hi = interval(claim_q, tolerance)
    # a hedged claim ("about 16,000": 15,000-17,000) carries its own slack: a precise report
    # (14,860) is held to it, not widened again
    claim_exact = claim_q.low is not None and claim_q.low == claim_q.high
    p_lo, p_hi = interval(passage_q, tolerance if claim_exact and widen_passage else 0.0)
    if c_hi < p_lo or p_hi < c_lo:
        return "mismatch"
    if (claim_q.qualifier or "") in _NEAR_BOUND and claim_q.high is not None and p_hi < _NEAR_SHARE * claim_q.high:
        return "mismatch"  # "as many as 20,000" where every count is 10,000-12,000: the bound overstates
    if (claim_q.value is not None and passage_q.value is not None
            and (claim_q.qualifier or "") not in _BOUNDED and (passage_q.qualifier or "") not in _BOUNDED
            and abs(claim_q.value - passage_q.value) <= tolerance * max(abs(claim_q.value), abs(passage_q.value))):
        if _precise(claim_q) and passage_q.qualifier and claim_q.value != passage_q.value:
            return "consistent"
        return "match"
    return "consistent"


@dataclass(frozen=True)
class NumericJudgement:
    relation: str  # match | consistent | mismatch | other_scope | none
    quantity: Quantity | None = None
    places: frozenset[str] = frozenset()
    reason: str = ""  # why a figure is other_scope: another time | another place | another thing
    stated_on: date | None = None  # the day the figure is for or was given (its span's end)
    span: TimeSpan | None = None  # the figure's time as an interval (its own words, else the source's date)


_ORDER = {"match": 0, "consistent": 1, "mismatch": 2, "other_scope": 3}


def _as_date(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def _claim_span(scope: Scope | None, claim_date: date | None) -> tuple[TimeSpan | None, str]:
    """The claim's time and how figures are held to it: ``own`` (the sentence names its
    time: figures must fall in it), ``as_of`` (the article's date: figures up to then),
    ``legacy`` (only a date, as the benchmark files give: within ``same_time_days``) or
    ``none``."""
    if scope is not None and scope.end is not None:
        span = TimeSpan(scope.start, scope.end, scope.time_text or "")
        return span, "own" if scope.own_time else "as_of"
    if claim_date is not None:
        return TimeSpan(claim_date, claim_date, ""), "legacy"
    return None, "none"


_AGE_BAND = re.compile(r"\b(?:aged|ages)\s+\d+\s*(?:to|-|–)\s*\d+|\b\d+[\s-]*(?:to|-|–)\s*\d+[\s-]*year[\s-]*olds?\b|"
                       r"\b(?:youth|young\s+(?:people|adults|workers))\b", re.IGNORECASE)


# The level a statistic is for, when a phrase says it ("nationally", "in the state").
_LEVELS = [(level, re.compile(rx, re.IGNORECASE)) for level, rx in [
    ("national", r"\b(?:nationally|nationwide|in\s+the\s+(?:country|nation))\b"),
    ("state", r"\b(?:statewide|state-wide|in\s+the\s+state)\b"),
    ("provincial", r"\b(?:province-wide|in\s+the\s+province)\b"),
    ("county", r"\b(?:countywide|county-wide|in\s+the\s+county)\b"),
]]


def _modifiers(window: str) -> set[str]:
    """The series modifiers of a figure's neighbourhood, as common words: "Larkin County
    Sheriff" names a body, "county unemployment" and a sentence's opening "Youth
    unemployment" name a series; an age band ("aged 18 to 24") or youth is one series."""
    found = {"youth"} if _AGE_BAND.search(window) else set()
    for level, pattern in _LEVELS:
        if pattern.search(window):
            found.add(level)
    for m in re.finditer(r"\b([A-Za-z]+)\b(\s+[A-Z])?", window):
        word = m.group(1)
        if word.lower() not in SERIES_MODIFIERS:
            continue
        if word[0].isupper() and (m.group(2) or re.search(r"[A-Z][a-z]*\s+$", window[:m.start()])):
            continue  # part of a name
        if PAYER_BEFORE.search(window[:m.start()]):
            continue  # "cost the city $310,000": who pays, not a series of the figure
        found.add(word.lower())
    return found


def _window(text: str, q: Quantity, words: int = 8) -> str:
    """A figure's neighbourhood: a few words each side, within its sentence."""
    before = re.split(r"[.;:!?]", text[max(0, q.start - 80):q.start])[-1]
    after = re.split(r"[.;:!?]", text[q.end:q.end + 80])[0]
    return " ".join(before.split()[-words:]) + " " + q.text + " " + " ".join(after.split()[:words])


_HEDGE = r"(?:about\s+|nearly\s+|almost\s+|more\s+than\s+|only\s+|just\s+)?"  # between "by" and a figure
_CHANGE_BEFORE = re.compile(r"\b(?:by|margin\s+of|lead\s+of|up|down|an?\s+(?:increase|decrease|rise|fall|drop|gain|"
                            r"loss|cut)\s+of)\s+" + _HEDGE + "$", re.IGNORECASE)


# "126 crowns, or 7.3%, higher than the previous one", "3,000 more than last year"
_CHANGE_AFTER = re.compile(r"^(?:,\s*or\s+[^,]{1,25},|,)?\s+(?:[a-z]+\s+)?(?:higher|lower|more|less|fewer|above|below|"
                           r"bigger|smaller|larger)\s+than\b|^(?:,\s*or\s+[^,]{1,25},|,)?\s+(?:higher|lower)\b",
                           re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def _moved_by() -> re.Pattern[str]:
    """A verb of movement (the lexicon's), then "by", right before a figure: "fell by 5.5%"."""
    verbs = "|".join(sorted(map(re.escape, lexicon()["movement_verbs"]), key=len, reverse=True))
    return re.compile(r"\b(?:" + verbs + r")\s+by\s+" + _HEDGE + "$", re.IGNORECASE)


def _is_change(text: str, q: Quantity) -> bool:
    """Whether a figure is a difference (a margin, a rise: "by 412 votes", "up 2.1 percent",
    "126 crowns higher than") rather than a level ("28,906 votes", "to 6.4 percent"). A
    percentage a verb moves ("fell 5.5%", "fell by 5.5%") reads one way with or without
    "by": as the rate it states, which "inflation was 3.1%" also states."""
    before = text[max(0, q.start - 30):q.start]
    after = _CHANGE_AFTER.search(text[q.end:q.end + 60]) is not None \
        and _LEVEL_AGAINST_LEVEL.search(text[q.end:q.end + 60]) is None
    if q.kind == "percent" and _moved_by().search(before) is not None:
        return after
    if _MARGIN_BEFORE.search(text[max(0, q.start - 60):q.start]):
        return True  # "cut her winning margin over Abbasov from 157 votes to 88": a margin's levels
    return _CHANGE_BEFORE.search(before) is not None or after


_SHARE_AFTER = re.compile(r"^\s+of\s+(?!the\s+(?:year|month|week)\b)(?:the\s+|all\s+|its\s+|their\s+)?[a-z]", re.IGNORECASE)


def _reading(text: str, q: Quantity) -> str:
    """How a figure reads: ``change`` (a difference: "by 412 votes", "up 2.1 percent"),
    ``moved`` (a percentage a verb moves, "rose by 12 percent": the change of a thing, or the
    rate it states; either reading of another figure fits it), ``share`` (a part of a whole:
    "64 percent of toll revenue") or ``level``."""
    if _is_change(text, q):
        return "change"
    if q.kind == "percent" and _moved_by().search(text[max(0, q.start - 30):q.start]) is not None:
        return "moved"
    if q.kind == "percent" and _SHARE_AFTER.search(text[q.end:q.end + 30]):
        return "share"
    return "level"


_MARGIN_BEFORE = re.compile(r"\b(?:margin|lead)\b[^.;,]{0,40}?\b(?:from|to|of|at)\s+(?:about\s+|just\s+|only\s+)?$",
                            re.IGNORECASE)
# "25 new police officers, fewer than the 40 the mayor had sought": a level set against another
# level, not a difference
_LEVEL_AGAINST_LEVEL = re.compile(r"^,\s+(?:[a-z]+\s+)?(?:more|less|fewer|higher|lower)\s+than\s+(?:the\s+)?\d",
                                  re.IGNORECASE)


_LEADING_PLACE = re.compile(r"(?:^|[.!?]\s+)(?:In|At|Across|Throughout)\s+((?:[A-Z][\w-]*(?:['’]s)?\s*){1,3}),")


def _leading_place(text: str, q: Quantity) -> set[str]:
    """The place a sentence opens with ("In Hartfield, the provincial capital, youth
    unemployment reached 12.3 percent"): the scope of its figures."""
    sentence_start = max(text.rfind(". ", 0, q.start), text.rfind("! ", 0, q.start), text.rfind("? ", 0, q.start))
    m = _LEADING_PLACE.match(text, max(sentence_start, 0))
    return place_terms("in " + m.group(1)) if m else set()


def _sentence_of(text: str, q: Quantity, before: int = 0) -> str:
    """The sentence that holds a figure, with ``before`` sentences ahead of it ("... a crowd
    rallied outside City Hall. Police estimated the crowd at about 600 people")."""
    sentences = split_sentences(text)
    at = next((i for i, s in enumerate(sentences) if s.start <= q.start < s.end), None)
    if at is None:
        return text
    return " ".join(s.text for s in sentences[max(0, at - before):at + 1])


def _same_thing(claim_text: str, claim_q: Quantity, passage_text: str, q: Quantity) -> bool:
    """Whether two figures of one kind measure the same thing: a count's unit names its
    thing (and its state: rejected ballots are not ballots cast); a rate, a share or an
    amount of money is about the words of its clause ("consumer prices" is not "base rate")."""
    if not _row_of_claim(claim_text, passage_text, q):
        return False  # the table row of another body ("Kellport City Police = 3,240")
    c_status, p_status = figure_status(claim_text, claim_q), figure_status(passage_text, q)
    if c_status and p_status and not c_status & p_status:
        return False
    c_reading, p_reading = _reading(claim_text, claim_q), _reading(passage_text, q)
    if "moved" not in (c_reading, p_reading) and c_reading != p_reading:
        return False  # "led by 412 votes" is a margin, "received 28,906 votes" a level
    if {c_reading, p_reading} in ({"share", "moved"}, {"share", "change"}):
        return False  # "64 percent of toll revenue" is a share, "tolls rise by 12 percent" a change
    c_owner, p_owner = figure_owner(claim_text, claim_q), figure_owner(passage_text, q)
    if c_owner and p_owner and not c_owner & p_owner:
        return False  # the county's fund is not the city's
    if _modifiers(_window(claim_text, claim_q)) != _modifiers(_window(passage_text, q)):
        return False  # the youth rate is not the overall rate; the national figure not the province's
    c_thing, p_thing = figure_thing(claim_text, claim_q), figure_thing(passage_text, q)
    weak = lexicon()["weak_thing_words"]
    if c_thing and not p_thing and c_thing - weak:
        # a figure whose words name no thing ("compared with $6.5 million in 2025") is of the
        # claim's thing only if its sentence or the one before names it, outside names of two or more
        # capitalised words ("City Theatre" says nothing of what a city pays; "Turnout was" still counts)
        return bool((c_thing - weak) & content_stems(_NAME_RUN.sub(" ", _sentence_of(passage_text, q, before=1))))
    if not c_thing or not p_thing or (c_thing & p_thing) - weak:
        return True  # a shared word that names the thing ("typical", "every" name none)
    if claim_q.kind == "count" and claim_q.unit:
        # a count's unit names its thing; its sentence says which of them ("Okafor won by 286
        # votes" and "Okafor beat Bell by 286 votes" share names and words; "Manufacturing
        # shed 18,400 jobs" and "Bryce Motors will cut 480 jobs" share none)
        unit = content_stems(claim_q.unit) | content_stems(q.unit or "")
        claim_words = {w for w in content_stems(_sentence_of(claim_text, claim_q)) - unit if not w[0].isdigit()}
        # "the number" of a thing named before: the sentences up to its antecedent's
        context = _sentence_of(passage_text, q, before=2 if refers_back(passage_text, q) else 1)
        shared = claim_words & content_stems(context) - lexicon()["weak_thing_words"]
        return len(shared) >= (2 if len(claim_words) > 6 else 1)
    if p_thing & _GENERIC_HEADS:
        # "so the rate fell by 3 percentage points": a head that points back to a thing named
        # before it ("of which 1,908 (38%) granted protection ... the recognition rate"); the
        # figure's sentence and the one before it must name the claim's thing (two of its words)
        # (stemmed as figure_thing stems; a compound names its words: "first-instance
        # decisions" and "at first instance")
        words = re.findall(r"[A-Za-z]+", _sentence_of(passage_text, q, before=1))
        shared = c_thing & {stem(w) for w in words}
        return len(shared) >= min(2, len(c_thing))
    return False


def _distinctive(q: Quantity) -> bool:
    """A figure that two texts do not give by chance: three significant digits or more
    (298 million, 2,310), or two with a decimal point (3.9, 22.3)."""
    if _precise(q):
        return True
    written = f"{abs(q.value):.6g}" if q.value is not None and not q.qualifier else ""
    return "." in written and len(re.sub(r"\D", "", written).strip("0")) == 2


def same_figure_told(claim_text: str, claim_q: Quantity, passage_text: str, q: Quantity) -> bool:
    """The ``same_figure`` check: the claim's own distinctive figure as a cell of a rendered
    table whose row names the claim's subject ("Nyquist finished with 48,190 votes" and
    "Teodora Nyquist, recount (certified) = 48,190"), though the cell names no unit. It vouches
    for a match only. (The same figure in a sentence of other words is not vouched for: a
    town's 67.1% is not its province's, however many words the sentences share.)"""
    if not _distinctive(claim_q) or claim_q.value != q.value or claim_q.kind != q.kind or q.qualifier \
            or q.unit is not None:
        return False
    row = _ROW_LABEL.search(passage_text[max(0, q.start - 160):q.start])
    if row is None:
        return False
    label = {w.lower() for w in re.findall(r"[A-Z][a-z]+", row.group(1))}
    return bool(label & _subject_names(claim_text, claim_q)) and _row_of_claim(claim_text, passage_text, q)


def _subject_names(text: str, q: Quantity) -> set[str]:
    """The names whose figure ``q`` is: the capitalised words of its clause before it
    ("Nyquist finished with 48,190 votes"), else those after it up to the next figure
    ("48,190 votes went to Nyquist"; not "Abbasov's 48,102")."""
    a, b = clause_bounds(text, q)
    names = {w.lower() for w in re.findall(r"[A-Z][a-z]+", text[a:q.start])}
    if names:
        return names
    nxt = next((other.start for other in parse_quantities(text) if other.start >= q.end), b)
    return {w.lower() for w in re.findall(r"[A-Z][a-z]+", text[q.end:min(nxt, b)])}


_ROW_LABEL = re.compile(r"(?:^|[.;]\s+)([^.;=]{1,120}?)\s*=\s*$")
_NAME_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'’-]*)+")


def _row_of_claim(claim_text: str, passage_text: str, q: Quantity) -> bool:
    """Whether a table cell's row ("Kellport City Police = 3,240", as tables are rendered) is
    about what the claim names: at least half the words of the row's name (a run of
    capitalised words, months aside) stand in the claim. True for a figure not in a table."""
    row = _ROW_LABEL.search(passage_text[max(0, q.start - 160):q.start])
    if row is None:
        return True
    label = row.group(1).split(",")[0]
    names = [w.lower() for m in _NAME_RUN.finditer(label) for w in re.findall(r"[A-Za-z]+", m.group(0))
             if w.lower() not in _MONTH_WORDS and w.lower() not in ("of", "the")]
    if not names:
        return True
    claimed = {w.lower() for w in re.findall(r"[A-Za-z]+", claim_text)}
    if sum(w in claimed for w in names) * 2 < len(names):
        return False
    # "Varrow Province (excluding the city)" is not "the city of Varrow": a row at another
    # level of government than the one the claim names
    row_levels = _levels(re.sub(r"\([^()]*\)", " ", label)) | \
        {w for m in re.finditer(r"\(\s*([a-z ]+?)\s*\)", label.lower()) for w in _levels(m.group(1))
         if m.group(1) == w}
    claim_levels = _levels(claim_text)
    return not (row_levels and claim_levels and not row_levels & claim_levels)


def _levels(text: str) -> set[str]:
    """The levels of government a text names: "city", "province", "county" (lexicon ``admin_levels``)."""
    low = text.lower()
    return {w for w in lexicon()["admin_levels"] if re.search(r"\b" + re.escape(w) + r"\b", low)}


_GENERIC_HEADS = content_stems("rate share figure number total level proportion percentage amount count tally "
                               "increase decrease rise fall drop change")


_TOTAL_FIRST = re.compile(r"\b(?:[Oo]f|[Oo]ut\s+of|[Aa]mong)\s+(?:the|all|its|their)\s+$")
_OF_TOTAL = re.compile(r"\b(\d[\d,]*)\s+of\s+(?:the\s+|all\s+|its\s+|their\s+)?$")


def _subset_or_total(claim_text: str, claim_q: Quantity, passage_text: str, q: Quantity) -> list[Quantity]:
    """"27 of the 24,612 participants died": 27 counts the participants who died, 24,612 is
    the total they are part of. A claim's figure that is not itself a total ("27
    participants died") is compared with the part, not the total."""
    claim_total = _OF_TOTAL.search(claim_text[max(0, claim_q.start - 20):claim_q.start]) is not None or \
        _TOTAL_FIRST.search(claim_text[max(0, claim_q.start - 12):claim_q.start]) is not None
    m = _OF_TOTAL.search(passage_text[max(0, q.start - 20):q.start])
    if m is None and _TOTAL_FIRST.search(passage_text[max(0, q.start - 12):q.start]) and not claim_total:
        return []  # "Of the 61,870 ballots cast, 1,214 were rejected": a total, not the rejected ones
    if m is None or claim_total:
        return [q]
    value = float(m.group(1).replace(",", ""))
    start = q.start - (len(passage_text[max(0, q.start - 20):q.start]) - m.start())
    part = Quantity(value, value, value, q.unit, None, passage_text[start:q.end], start, q.end, q.kind)
    return [part]


def figure_judgements(
    claim_text: str,
    claim_q: Quantity | None,
    passage_text: str,
    *,
    claim_date: date | datetime | None = None,
    passage_date: date | datetime | None = None,
    tolerance: float = 0.05,
    same_time_days: int = 3,
    passage_quantities: Sequence[Quantity] | None = None,
    claim_scope: Scope | None = None,
    disabled: frozenset[str] = frozenset(),
    context: str = "",
) -> list[NumericJudgement]:
    """The relation of every passage figure that counts what the claim's figure counts.

    ``context``: the text of the passage's whole document (its title and body). A figure
    whose own words name no place is in the place its document is about (a national story
    need not repeat the country's name by each figure), and an undated figure of a report is
    about the event that its document dates in the claim's time ("the fire at Millbeck on
    October 2" ... "A total of 187,400 customers lost power").

    Scope decides before values (:mod:`claims.extract.scope`): a figure of another thing
    (another rate, another state of the counted thing), for another place ("eastern
    Russia" against a claim about Kursk) or another time is ``other_scope`` whatever its
    value. The claim's time is its own interval when the sentence names one ("in
    October": the whole month; a figure for September or reported in December is another
    time); else the article's date, and a figure given after it (beyond
    ``same_time_days``) is another time. Only a date (``claim_date``, as benchmark files
    give): figures more than ``same_time_days`` away are another time.
    """
    if claim_q is None:
        return []
    quantities = parse_quantities(passage_text) if passage_quantities is None else passage_quantities
    # the figure checks read an article claim's scope; a claim known only by its text (a
    # benchmark's, with evidence gathered for it) keeps the relative tolerance
    precise = claim_scope is not None and active("precision", disabled)
    if precise:  # the claim's figure held to its own precision (the passage's is not widened again)
        tolerance = claim_tolerance(claim_q, tolerance)
    # a passage's time frame ("over the past 30 years") or an age band is not a figure it reports
    # (an age band in a corpus passage describes who is counted; evidence gathered for a
    # claim about an age answers it with ages)
    usable = [q for q in quantities if not is_time_frame(passage_text, q)
              and not (claim_scope is not None and is_descriptor(passage_text, q))]
    candidates = [q for q in usable if same_counted_thing(claim_q, q)]
    if claim_scope is not None and claim_q.kind == "count" and active("bare_counts", disabled):
        # "Irregular crossings detected rose to 11,400": the bare figure counts what its clause named
        candidates += [replace(q, unit=claim_q.unit) for q in usable
                       if unit_named_before(passage_text, q, claim_q.unit)]
        candidates.sort(key=lambda q: q.start)
    if claim_scope is not None and claim_q.unit and active("same_figure", disabled):
        # a table's cell of the claim's own figure, in a row that names the claim's subject
        candidates += [replace(q, unit=claim_q.unit) for q in usable
                       if q.unit is None and q.kind == claim_q.kind and _ROW_LABEL.search(passage_text[max(0, q.start - 160):q.start])
                       and same_figure_told(claim_text, claim_q, passage_text, q)]
    if claim_scope is not None and active("units", disabled):  # 48 km against a claim in miles: 29.8 miles
        candidates += [c for c in (converted(claim_q, q) for q in usable) if c is not None]
    candidates = [c for q in candidates for c in _subset_or_total(claim_text, claim_q, passage_text, q)]
    if active("series", disabled):
        candidates = [_as_claim_reads(claim_text, claim_q, passage_text, q) for q in candidates]
    confused = [q for q in usable if active("kinds", disabled) and claim_scope is not None
                and kind_confusion(claim_q, q) and _is_change(claim_text, claim_q) and _is_change(passage_text, q)
                and _same_thing(claim_text, claim_q, passage_text, q)
                and bool(figure_thing(claim_text, claim_q) & figure_thing(passage_text, q))]
    if not candidates and not confused:
        return _derived(claim_text, claim_q, passage_text, usable, tolerance, passage_date, disabled, claim_scope)
    claim_places = place_terms(scope_window(claim_text, claim_q)) | _leading_place(claim_text, claim_q)
    c_span, mode = _claim_span(claim_scope, _as_date(claim_date))
    p_day = _as_date(passage_date)
    out = []
    for q in candidates:
        relation = relate_quantities(claim_q, q, tolerance, widen_passage=not precise)
        places = frozenset(place_terms(scope_window(passage_text, q)) | _leading_place(passage_text, q))
        reason = ""
        # a claim known only by the date it was made is compared with when sources were
        # published or the day a figure names, not with the periods figures are for
        q_span = figure_span(passage_text, q, p_day)
        if mode == "legacy" and (q_span is None or q_span.start != q_span.end):  # only a named day
            q_span = TimeSpan(p_day, p_day, "") if p_day is not None else None
        # evidence gathered for a claim known only by its text (a benchmark's question and
        # answer) is about it by construction; a corpus passage must show it counts the same thing
        series = series_conflict(claim_text, claim_q, passage_text, q) \
            if claim_scope is not None and active("series", disabled) else None
        if claim_scope is not None and not _same_thing(claim_text, claim_q, passage_text, q):
            relation, reason = "other_scope", "another thing"
        elif series is not None:
            relation, reason = "other_scope", series
        elif claim_scope is not None and active("series", disabled) and mode == "own" \
                and _other_period(claim_q, c_span, q_span):
            relation, reason = "other_scope", "another period"
        elif c_span is not None and q_span is not None and not _in_time(c_span, q_span, mode, same_time_days) \
                and not _scheduled_for(c_span, mode, passage_text, q, p_day, same_time_days) \
                and not (mode == "own" and not q_span.text and _dates(context, p_day, c_span, same_time_days)):
            relation, reason = "other_scope", "another time"
        elif same_place(claim_places, places) is False or \
                (relation == "mismatch" and claim_places - _COUNTRIES and not places
                 and not _same_story(claim_text, claim_places - _COUNTRIES, context)):
            relation, reason = "other_scope", "another place"
        out.append(NumericJudgement(relation, q, places, reason, q_span.end if q_span else None, q_span))
    for q in confused:  # "cut the rate by 25%" against "by a quarter of a percentage point"
        q_span = figure_span(passage_text, q, p_day)
        out.append(NumericJudgement("mismatch", q, frozenset(), "another kind of figure",
                                    q_span.end if q_span else None, q_span))
    if not any(j.relation == "match" for j in out):
        out += _derived(claim_text, claim_q, passage_text, usable, tolerance, passage_date, disabled, claim_scope)
    return out


def _as_claim_reads(claim_text: str, claim_q: Quantity, passage_text: str, q: Quantity) -> Quantity:
    """A passage figure as the claim's figure is given: a fall written as a negative figure
    ("-5.5%" against "fell 5.5%") as its size, a rate per another period ("1,842 crowns a
    year" against "40 crowns a month") per the claim's period."""
    if q.value is not None and q.value < 0 and (claim_q.value or 0) > 0 and falls(claim_text, claim_q):
        q = Quantity(-q.value, -q.high if q.high is not None else None, -q.low if q.low is not None else None,
                     q.unit, q.qualifier, q.text, q.start, q.end, q.kind)
    c_period, p_period = rate_period(claim_text, claim_q), rate_period(passage_text, q)
    if c_period and p_period and c_period != p_period:
        q = per_period(claim_q, q, c_period, p_period)
    c_per, p_per = rate_denominator(claim_text, claim_q), rate_denominator(passage_text, q)
    if c_per and p_per and c_per[0] == p_per[0] and c_per[1] != p_per[1]:
        q = rescaled(q, c_per[1] / p_per[1])  # "2.1 tonnes per hectare" against a claim per acre: 0.85
    return q


def _derived(claim_text: str, claim_q: Quantity, passage_text: str, usable: Sequence[Quantity], tolerance: float,
             passage_date: date | datetime | None, disabled: frozenset[str],
             claim_scope: Scope | None) -> list[NumericJudgement]:
    """A match for a claim's change ("126 crowns, or 7.3%, higher") computed from two figures
    of one thing in the passage (1,716 and 1,842): their difference, or their percentage
    change for a claim in percent (the ``derived`` check). Only a match: a computed value
    that differs proves nothing, since the passage may hold other pairs."""
    if claim_scope is None or not active("derived", disabled) or claim_q.value is None:
        return []
    if not states_change(_window(claim_text, claim_q, words=12)):
        return []
    if claim_q.kind == "percent":
        unit = claim_q.unit or ""
        if "point" in unit:  # a change in points: two levels in percent
            groups = [[q for q in usable if q.kind == "percent" and "point" not in (q.unit or "")]]
        else:  # a percentage change: two levels of one counted thing, any kind but percent
            heads: dict[str, list[Quantity]] = {}
            for q in _with_partners(passage_text, usable):
                if q.kind != "percent" and q.unit:
                    heads.setdefault(counted_head(q.unit) or "", []).append(q)
            groups = list(heads.values())
    elif claim_q.unit is None and claim_q.kind == "count" and claim_q.low == claim_q.high:
        # "The count was 391 higher than a year earlier": a bare difference of two levels of any
        # one counted thing ("3,184, up from 2,793"); bare figures are levels of one thing too
        by_thing: dict[str | None, list[Quantity]] = {}
        for q in usable:
            if q.kind == "count":
                by_thing.setdefault(counted_head(q.unit) if q.unit else None, []).append(q)
        groups = list(by_thing.values())
    else:
        groups = [[q for q in _with_partners(passage_text, usable) if same_counted_thing(claim_q, q)]]
    p_day = _as_date(passage_date)
    for group in groups:
        for value, how in derived_values(claim_q, list(group)):
            if matches_derived(claim_q, value, tolerance):
                first = min(group, key=lambda q: q.start)
                last = max(group, key=lambda q: q.end)
                q = Quantity(round(value, 6), round(value, 6), round(value, 6), claim_q.unit, None,
                             passage_text[first.start:last.end], first.start, last.end, claim_q.kind)
                q_span = figure_span(passage_text, first, p_day)
                return [NumericJudgement("match", q, frozenset(), f"computed: {how}",
                                         q_span.end if q_span else None, q_span)]
    return []


_PARTNER = re.compile(r"^[^.;\d]{0,60}?\b(?:compared\s+(?:with|to)|against|up\s+from|down\s+from|from)\s+$",
                      re.IGNORECASE)


def _with_partners(text: str, figures: Sequence[Quantity]) -> list[Quantity]:
    """``figures`` with a bare figure that a comparison sets against the figure before it
    given that figure's unit ("148 cruise calls, compared with 131 in 2023": 131 cruise calls),
    as a reader takes the second end of a comparison."""
    out = list(figures)
    ordered = sorted(figures, key=lambda q: q.start)
    for before, q in itertools.pairwise(ordered):
        if q.unit is None and before.unit is not None and q.kind == before.kind \
                and _PARTNER.match(text[before.end:q.start]):
            out.append(replace(q, unit=before.unit))
    return out


_CALENDAR = frozenset(m.lower()[:4] for m in (*calendar.month_name[1:], *calendar.day_name))


def _same_story(claim_text: str, places: set[str], context: str) -> bool:
    """Whether a document is about the claim's place or story: it names the claim's places,
    or another name of the claim ("the fire at the Millbeck substation": a document about
    that fire is about its region)."""
    named = _named(context)
    if not named:
        return False
    if places <= named:
        return True
    names = {w.lower()[:4] for w in re.findall(r"(?<=[a-z,] )[A-Z][a-z]{3,}", claim_text)} - _CALENDAR - places
    return bool(names & named)


@functools.lru_cache(maxsize=4096)
def _named(context: str) -> frozenset[str]:
    """The capitalised words of a document, folded as place terms are (4-letter stems)."""
    return frozenset(w.lower()[:4] for w in re.findall(r"\b[A-Z][a-z]+", context))


@functools.lru_cache(maxsize=4096)
def _context_spans(context: str, published: date | None) -> tuple[TimeSpan, ...]:
    return tuple(s for s in time_spans(context, published) if s.start is not None)


def _dates(context: str, published: date | None, claim: TimeSpan, days: int) -> bool:
    """Whether the document dates something in the claim's time (and the claim's time is
    before the report: it reports on it)."""
    if not context or published is None or claim.end > published:
        return False
    return any(spans_overlap(claim, span, days) and span.start == span.end for span in _context_spans(context, published))


def _other_period(claim_q: Quantity, claim: TimeSpan | None, figure: TimeSpan | None) -> bool:
    """Whether a count is a total over a period of another length than the claim's: a
    quarter's 6,260 applications are not September's, nor is August's 4,300 the 11,400 of
    July to September. Both periods must be named in their own words. (An amount of money is
    left alone: "proposed a $1.42 billion plan in February" names when it was said, not the
    year the plan is for.)"""
    if claim_q.kind != "count" or claim is None or figure is None or not figure.text \
            or claim.start is None or figure.start is None:
        return False
    claim_days, figure_days = (claim.end - claim.start).days + 1, (figure.end - figure.start).days + 1
    if claim_days < 28 and figure_days < 28:
        return False  # days and weeks: an event's date, not a period of counting
    return max(claim_days, figure_days) > 1.8 * min(claim_days, figure_days)


def _scheduled_for(claim: TimeSpan, mode: str, text: str, q: Quantity, published: date | None, days: int) -> bool:
    """Whether a figure announced ahead for a period ("the cap for October 1 to December 31
    will be 1,842 crowns") is for the time the claim names: a claim about that period is
    about the figure set for it, not about what was true on the announcement's day."""
    if mode != "own":
        return False
    span = _figure_span(text, q, published)
    return span is not None and span.start is not None and published is not None and span.start > published \
        and spans_overlap(claim, span, days)


def _in_time(claim: TimeSpan, figure: TimeSpan, mode: str, days: int) -> bool:
    if mode == "own":
        # the slack is for a day's news; two named periods (August against September) meet or not
        periods = all(s.start is not None and (s.end - s.start).days >= 6 for s in (claim, figure)) \
            and bool(figure.text)
        return spans_overlap(claim, figure, 0 if periods else days)
    if mode == "as_of":  # the state of things on the article's date: what was known by then
        return figure.start is None or figure.start <= claim.end + timedelta(days=days)
    # legacy: a single date each
    day = figure.end if figure.start is None or figure.start == figure.end else None
    if day is None:
        return spans_overlap(claim, figure, days)
    return abs((claim.end - day).days) <= days


def judge_numbers(
    claim_text: str,
    claim_q: Quantity | None,
    passage_text: str,
    **kwargs: Any,
) -> NumericJudgement:
    """The best numeric relation between the claim's quantity and the passage's quantities
    (keywords as :func:`figure_judgements`); ``none`` when no figure counts the same thing."""
    found = figure_judgements(claim_text, claim_q, passage_text, **kwargs)
    return min(found, key=lambda j: _ORDER[j.relation]) if found else NumericJudgement("none")


def figure_span(text: str, q: Quantity, published: date | None) -> TimeSpan | None:
    """When a figure is for (:func:`_figure_span`), except that a forecast ("will close the
    plant in March, cutting about 350 jobs") is a figure given on its report's date."""
    span = _figure_span(text, q, published)
    if span is not None and published is not None and span.start is not None and span.start > published:
        return TimeSpan(published, published, "")
    return span


def _figure_span(text: str, q: Quantity, published: date | None) -> TimeSpan | None:
    """When a figure is for: the time words of its own clause ("rose 1.6 percent in
    September"); else those of the speech frame that gives it ("said on Oct. 18 that ...
    12,000", "..., Blinken said on Thursday"), resolved against the source's date; else the
    source's date (its dateline or publication). Times in other clauses of the sentence
    ("up from about 40 released on Aug. 14") belong to other figures. None without any."""
    sentence = next((s for s in split_sentences(text) if s.start <= q.start < s.end), None)
    start, stop = (sentence.start, sentence.end) if sentence else (0, len(text))
    a, b = clause_bounds(text, q)
    a, b = max(a, start), min(b, stop)
    b = _before_base(text, q, b)
    that = None
    for that in re.finditer(r"\bthat\b", text[a:q.start]):
        pass
    if that is not None:  # "said at a hearing on Wednesday that the city spent $4.1 million last year"
        reported = time_span(text[a + that.end():b], published, near=q.start - a - that.end())
        if reported is not None:
            return reported
    own = time_span(text[a:b], published, near=q.start - a)
    if own is not None:
        return own
    before = text[start:a]
    if _SPEECH_FRAME.search(before):  # "The agency said on Friday that ..."
        framed = time_span(before, published, near=len(before))
        if framed is not None:
            return framed
    said = _SAID_AFTER.search(text, b, stop)  # "..., Blinken said on Thursday."
    if said is not None:
        framed = time_span(said.group(0), published)
        if framed is not None:
            return framed
    lead = _lead_period(text, start, published)
    if lead is not None:
        return lead
    return TimeSpan(published, published, "") if published is not None else None


def _lead_period(text: str, start: int, published: date | None) -> TimeSpan | None:
    """The period the sentence before a figure's sets, when it opens with one ("Summer 2025
    (June to August) was the driest ... . The station recorded 61 mm of rain"): a figure
    without time words of its own is for it. Only a period (a week or longer) at the head
    of that sentence; a day there is when something was said or done."""
    sentences = [s for s in split_sentences(text[:start]) if s.text.strip()]
    if not sentences or "\n\n" in text[sentences[-1].end:start]:
        return None  # no sentence before it in its paragraph
    prev = sentences[-1]
    head = prev.text[:max(40, len(prev.text) // 3)]
    periods = [(span, (span.end - span.start).days) for span in time_spans(head, published)
               if span.start is not None and (span.end - span.start).days >= 6]
    # the narrowest: "Summer 2025 (June to August)" is June to August
    return min(periods, key=lambda p: p[1])[0] if periods else None


# A comparison's base figure ("24.1% less than the 3.74 million tonnes harvested in 2024", "up
# from 9,500 in the third quarter of 2024"): the time words after it are the base's, not the figure's.
_BASE_BEFORE = re.compile(r"\b(?:than|from|compared\s+(?:with|to)|against|versus|vs\.?|below|above)\s+(?:the\s+|a\s+|an\s+)?"
                          r"(?:[A-Za-z]+\s+){0,2}$", re.IGNORECASE)


@functools.lru_cache(maxsize=65536)
def _before_base(text: str, q: Quantity, end: int) -> int:
    """Where a figure's own words end: at the comparison base figure that follows it in its
    clause, if one does."""
    for other in parse_quantities(text[q.end:end]):
        at = q.end + other.start
        if _BASE_BEFORE.search(text[max(q.end, at - 40):at]):
            return at
    return end


_SPEECH_FRAME = re.compile(r"\b(?:said|says|told|announced|reported|estimated|confirmed|showed|shows|according\s+to)\b",
                           re.IGNORECASE)
_SAID_AFTER = re.compile(r"\b(?:said|says|told\s+\w+|announced|reported|estimated)\b[^.;]{0,40}")


def format_quantity(q: Quantity) -> str:
    """A short human form: "8,000", "10,000-12,000", "at least 3,000"."""
    def fmt(x: float) -> str:
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")

    if q.value is not None and q.low is not None and q.high is not None and q.low == q.high:
        return fmt(q.value)
    if q.value is None and q.qualifier:
        return q.qualifier.removesuffix(" of")
    if q.value is not None and q.qualifier:
        return f"{q.qualifier} {fmt(q.value)}"
    if q.value is not None:
        return fmt(q.value)
    if q.low is not None and q.high is not None:
        return f"{fmt(q.low)}-{fmt(q.high)}"
    if q.low is not None:
        return f"at least {fmt(q.low)}"
    if q.high is not None:
        return f"up to {fmt(q.high)}"
    return q.text
