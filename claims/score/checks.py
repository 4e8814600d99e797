"""The verdict engine's named figure checks: general comparisons of a claim's figure with a
passage's, each a pure function of the two figures and their texts.

Each check has a name in :data:`CHECKS`; ``disabled_checks`` (a setting, and
``claims eval desk --ablate NAME``) switches one off so that its effect on every desk set
can be measured. The checks, in the order :func:`claims.score.numbers.figure_judgements`
consults them:

``precision``
    A claim's figure is held to its own precision: "3.2%" allows 3.15-3.25, "240,000" allows
    235,000-245,000, "12" allows 11.5-12.5; never more than the relative ``tolerance``
    setting. A hedged figure ("about 40%") keeps the slack its hedge gives.
``units``
    Measures in convertible units (kilometres and miles, hectares and acres, kilograms,
    tonnes and pounds, litres and gallons) are compared after conversion, with the
    precision of the figure that was converted.
``bare_counts``
    A figure without a unit of its own counts the thing its clause names before it
    ("Irregular crossings detected at the border rose to 11,400", a table cell "September
    2025, asylum applications lodged = 2,050", "48,211 votes and Abbasov 48,054"), unless a
    figure of another counted thing stands between them.
``kinds``
    A change given as a percentage of a rate ("cut the rate by 25%") is not the same figure
    as a change in percentage points or basis points of it ("a quarter of a percentage
    point"): when both are changes of the same thing, the claim's figure is a mismatch.
``derived``
    A difference or a percentage change that the claim states ("126 crowns, or 7.3%,
    higher") is computed from two figures of the same thing in one passage (1,716 and
    1,842): a computed value within the claim's precision matches it.
``descriptor``
    A number that describes the claim's subject rather than stating a figure ("Estrevia's
    five largest cities", "one of the ten biggest") is not checked as the claim's figure.
``opposites``
    A sentence on the claim's topic that says the opposite of one of its words ("would keep"
    against "would scrap"), rejects the claim's own word ("rejected calls for her own
    resignation" against "has resigned"), gives another ordinal of the same thing ("its
    second cut" against "its first cut") or another rank of the same superlative ("the
    third-highest rate of recorded crime" against "the highest crime rate") refutes the claim. The word lists are in
    ``claims/score/data/lexicon.json``.
``series``
    Two figures of one thing in other series are not compared: a change on the month ("in
    September alone") and one on the year ("annual inflation"), a figure for all of a thing
    ("to every customer") and one for most of it. A rate per month is compared with a rate
    per year after conversion ("40 crowns a month" against "480 crowns a year"). A fall
    given as a negative figure ("-5.5%") is compared with the claim's fall ("fell 5.5%").
``tallies``
    A vote's tally ("voted 8-1", "by a 7-2 vote", "5-4 ruling") is compared with the tally
    that a sentence on the claim's topic gives for a vote: another tally refutes the claim,
    the same one supports it.
``details_in_words``
    A sentence on the claim's topic that shares most of its words supports it only if it
    also gives every number the claim writes in digits ("Council members Ortiz and Harper
    voted against the plan" does not bear out "The council voted 8-1 in favour"), and its
    passage every name the claim gives (a run of capitalised words after the first word; a
    country may go by its capital): "A fire at the substation cut power across the region"
    does not bear out "The fire also knocked out power in the town of Kellford".
``opinion``
    A column, an editorial or a comment (its URL section, its title or its first line says
    so) gives its author's view: it neither supports nor refutes a claim of fact.
``facts``
    A claim with several figures is judged figure by figure (one fact each); a fact refuted
    refutes the claim, and it is supported only when every fact is.
``verifier``
    Only with a ``verifier`` set (off by default): the contrastive-pair cross-encoder's
    probabilities for a claim and a passage on its topic without a figure to compare. A sure
    refutation refutes, a sure one takes back the stance model's support, a sure support
    supports a sentence in the passage's own voice (thresholds in the verdict policy).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Collection
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

from claims.extract.checkable import without_date
from claims.extract.quotes import find_words
from claims.extract.scope import _MONTH_WORDS
from claims.extract.sentences import split_sentences
from claims.extract.words import stem
from claims.models import Quantity

__all__ = [
    "CHECKS",
    "active",
    "claim_tolerance",
    "converted",
    "derived_values",
    "describes_subject",
    "falls",
    "is_opinion",
    "kind_confusion",
    "lexicon",
    "name_words",
    "opposition",
    "per_period",
    "precision_unit",
    "quote_finding",
    "rate_denominator",
    "rate_period",
    "rescaled",
    "series_conflict",
    "tally_finding",
    "unit_key",
    "unsaid_superlative",
    "vote_tally",
]

CHECKS: dict[str, str] = {
    "precision": "a figure is held to its own precision (3.2% is not 3.1%)",
    "units": "measures compared after unit conversion (km/miles, ha/acres, kg/t/lb, l/gal)",
    "bare_counts": "a bare figure counts the thing its clause names before it (crossings rose to 11,400)",
    "kinds": "a change in percent is not a change in percentage points or basis points",
    "derived": "differences and percentage changes computed from two figures of one thing",
    "same_figure": "a claim's distinctive figure as a table cell in a row naming its subject counts as its figure",
    "descriptor": "a number describing the subject (five largest cities) is not a figure",
    "facts": "each figure of a claim judged as its own fact",
    "series": "month-on-month vs annual changes, rates per month vs per year, all vs most of a thing",
    "superlatives": "a claim's superlative or record (the largest ever) is borne out only by a passage that says it",
    "quotes": "a quote in the claim found in a passage: given to the claim's speaker (support) or to another (refute)",
    "tallies": "a vote's tally against another tally of that vote (8-1 against 7-2)",
    "details_in_words": "a sentence agreeing in words supports a claim only if it gives its numbers and names",
    "opinion": "an opinion piece (column, editorial, comment) is not evidence of a fact",
    "verifier": "the contrastive-pair verifier reads one detail of the claim against a passage on its topic",
    "opposites": "a passage saying the opposite of the claim's words (keep/scrap, rejected calls to resign, "
                 "third-highest against highest)",
}


_TALLY = re.compile(r"(?<![\d.,-])(\d{1,3})\s*[-–]\s*(\d{1,3})(?![\d%-]|[.,]\d)")
_VOTE_WORD = re.compile(r"\b(?:vot(?:e|es|ed|ing)|ballot|ruling|ruled|decision|majority|approved|rejected|passed|"
                        r"defeated|split)\b", re.IGNORECASE)


def vote_tally(text: str) -> tuple[int, int] | None:
    """The tally of a vote a sentence gives ("voted 8-1", "by a 7-2 vote"), larger side first;
    None without one (a score or a range is no tally without a word of voting)."""
    if not _VOTE_WORD.search(text):
        return None
    for m in _TALLY.finditer(text):
        if _VOTE_WORD.search(text[max(0, m.start() - 40):m.end() + 25]):
            a, b = int(m.group(1)), int(m.group(2))
            return (a, b) if a >= b else (b, a)
    return None


def tally_finding(claim_text: str, passage: str) -> tuple[str, str] | None:
    """("refute" | "support", the passage's tally) when the claim and a passage on its topic
    both give a vote's tally; None otherwise."""
    claimed, stated = vote_tally(claim_text), vote_tally(passage)
    if claimed is None or stated is None:
        return None
    return ("support" if claimed == stated else "refute"), f"{stated[0]}-{stated[1]}"


def active(name: str, disabled: Collection[str] | None) -> bool:
    """Whether check ``name`` runs (not in ``disabled``)."""
    return not disabled or name not in disabled


# -- precision ---------------------------------------------------------------------------

_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")
_SCALE_WORDS = {"thousand": 3, "million": 6, "m": 6, "mn": 6, "billion": 9, "bn": 9, "b": 9, "trillion": 12,
                "tn": 12}


def precision_unit(q: Quantity) -> float | None:
    """The place of the last significant digit of a figure as written, in the figure's own
    scale: 0.1 for "3.2%", 10,000 for "240,000", 100,000 for "1.2 million", 1 for "12";
    None when the text shows no digits (a figure in words)."""
    m = _DIGITS.search(q.text)
    if m is None or q.value is None:
        return None
    digits = m.group(0).replace(",", "")
    try:
        number = Decimal(digits)
    except InvalidOperation:
        return None
    if number == 0:
        return None
    exponent = number.normalize().as_tuple().exponent
    unit = float(Decimal(10) ** int(exponent))
    after = q.text[m.end():].strip().lower()
    word = re.match(r"[a-z]+", after)
    if word and word.group(0) in _SCALE_WORDS:
        unit *= 10 ** _SCALE_WORDS[word.group(0)]
    return unit


def claim_tolerance(q: Quantity, tolerance: float) -> float:
    """The relative tolerance a precise claim figure allows: half the place of its last
    significant digit, never more than ``tolerance`` (the setting); ``tolerance`` for a
    hedged or worded figure."""
    if q.value is None or q.qualifier or q.value == 0:
        return tolerance
    unit = precision_unit(q)
    if unit is None:
        return tolerance
    return min(tolerance, (unit / 2) / abs(q.value))


# -- units -------------------------------------------------------------------------------

# each unit's head word (as counted_head folds it) -> (dimension, factor to the base unit)
_UNITS: dict[str, tuple[str, float]] = {
    "kilometre": ("length", 1000.0), "kilometer": ("length", 1000.0), "km": ("length", 1000.0),
    "mile": ("length", 1609.344), "metre": ("length", 1.0), "meter": ("length", 1.0), "m": ("length", 1.0),
    "foot": ("length", 0.3048), "feet": ("length", 0.3048), "ft": ("length", 0.3048),
    "mm": ("length", 0.001), "millimetre": ("length", 0.001), "millimeter": ("length", 0.001),
    "cm": ("length", 0.01), "centimetre": ("length", 0.01), "centimeter": ("length", 0.01),
    "inch": ("length", 0.0254),
    "hectare": ("area", 10_000.0), "ha": ("area", 10_000.0), "acre": ("area", 4046.8564),
    "square kilometre": ("area", 1e6), "square mile": ("area", 2_589_988.1),
    "tonne": ("mass", 1000.0), "ton": ("mass", 1000.0), "kilogram": ("mass", 1.0), "kg": ("mass", 1.0),
    "pound": ("mass", 0.45359237), "lb": ("mass", 0.45359237),
    "litre": ("volume", 1.0), "liter": ("volume", 1.0), "gallon": ("volume", 3.785411784),
    "nautical mile": ("length", 1852.0), "square metre": ("area", 1.0), "square meter": ("area", 1.0),
    "megalitre": ("volume", 1e6), "megaliter": ("volume", 1e6), "gigalitre": ("volume", 1e9),
    "cubic metre": ("volume", 1000.0), "cubic meter": ("volume", 1000.0), "m3": ("volume", 1000.0),
    "acre foot": ("volume", 1_233_481.8), "acre feet": ("volume", 1_233_481.8),
    "kwh": ("energy", 1.0), "mwh": ("energy", 1e3), "gwh": ("energy", 1e6), "twh": ("energy", 1e9),
    "kw": ("power", 1.0), "mw": ("power", 1e3), "gw": ("power", 1e6),
    # durations ("for about nine hours" against "for two days")
    "second": ("time", 1.0), "minute": ("time", 60.0), "hour": ("time", 3600.0), "day": ("time", 86_400.0),
    "week": ("time", 604_800.0), "fortnight": ("time", 1_209_600.0),
}


def unit_key(unit: str | None) -> tuple[str, float] | None:
    """(dimension, factor to its base unit) of a measure's unit ("km": length, 1000), None for
    a unit that is no measure."""
    if not unit:
        return None
    words = re.findall(r"[a-z]+", unit.lower())
    if not words:
        return None
    pair = " ".join(words[-2:]) if len(words) > 1 else ""
    for key in (pair, pair.rstrip("s"), words[-1], words[-1].rstrip("s"), words[-1].removesuffix("es")):
        if key in _UNITS:
            return _UNITS[key]
    return None


_PER = re.compile(r"\s*(?:per|a|an|each|every|/)\s*((?:square|cubic|nautical)\s+)?([a-z]+)\b", re.IGNORECASE)


def rate_denominator(text: str, q: Quantity) -> tuple[str, float] | None:
    """The unit a measure is given per ("2.1 tonnes per acre", "12 litres a square metre"),
    as (dimension, factor to the base unit), read just after the figure and its unit; None
    for a plain amount and for a rate per a span of time (:func:`rate_period` reads those)."""
    if q.unit is None or q.kind not in ("measure", "count", "money"):
        return None
    m = _PER.match(text, q.end)
    if m is None:
        return None
    key = unit_key(((m.group(1) or "") + m.group(2)).lower())
    if key is None or key[0] == "time":
        return None
    return key


def converted(claim_q: Quantity, passage_q: Quantity) -> Quantity | None:
    """``passage_q`` expressed in the claim's unit when both are measures of one dimension
    in different units (48 km as 29.8 miles), hedged as "about" (a converted figure is
    approximate); None when they are not convertible or share a unit."""
    a, b = unit_key(claim_q.unit), unit_key(passage_q.unit)
    if a is None or b is None or a[0] != b[0] or a[1] == b[1]:
        return None
    factor = b[1] / a[1]

    def conv(x: float | None) -> float | None:
        return None if x is None else x * factor

    value, low, high = conv(passage_q.value), conv(passage_q.low), conv(passage_q.high)
    unit = precision_unit(passage_q)
    if unit is None and passage_q.value is not None and float(passage_q.value).is_integer():
        unit = 1.0  # a whole number in words ("two days") is given to the unit
    if value is not None and unit is not None and low is not None and high is not None:
        # the converted figure carries the precision of the one it came from ("nearly two
        # days" is a figure in whole days: 36 to 60 hours, not 43 to 48); a bound stays a bound
        half = unit / 2 * factor
        low, high = min(low, value - half), max(high, value + half)
    return Quantity(value, low, high, claim_q.unit, passage_q.qualifier or "about", passage_q.text,
                    passage_q.start, passage_q.end, claim_q.kind)


# -- kinds -------------------------------------------------------------------------------

_POINTS = re.compile(r"percentage[\s-]points?|basis[\s-]points?|\bpoints?\b", re.IGNORECASE)


def kind_confusion(claim_q: Quantity, passage_q: Quantity) -> bool:
    """Whether the claim gives a change in percent where the passage gives the same change
    in percentage points or basis points (or the other way round): two kinds of figure that
    a reader must not equate."""
    claim_points = bool(_POINTS.search(claim_q.unit or ""))
    passage_points = bool(_POINTS.search(passage_q.unit or ""))
    claim_percent = claim_q.kind == "percent" and not claim_points
    passage_percent = passage_q.kind == "percent" and not passage_points
    return (claim_percent and passage_points) or (claim_points and passage_percent)


# -- derived figures ---------------------------------------------------------------------

_CHANGE_WORDS = re.compile(r"\b(?:higher|lower|more|less|fewer|up|down|rose|rise|risen|rises|fell|fall|fallen|falls|"
                           r"increase[ds]?|decrease[ds]?|gain(?:ed|s)?|drop(?:ped|s)?|cut|jump(?:ed|s)?|climb(?:ed|s)?|"
                           r"grew|grow|growth|declin(?:e|ed|es)|change[ds]?|difference|than)\b", re.IGNORECASE)


def states_change(text: str) -> bool:
    """Whether a claim's clause speaks of a change or a comparison ("higher than", "rose")."""
    return _CHANGE_WORDS.search(text) is not None


def derived_values(claim_q: Quantity, figures: list[Quantity]) -> list[tuple[float, str]]:
    """The differences (for a count, an amount or a change in points) or percentage changes
    (for a claim in percent) that pairs of ``figures`` give, each with how it was computed."""
    out: list[tuple[float, str]] = []
    points = [q for q in figures if q.value is not None and q.low == q.high]
    for i, a in enumerate(points):
        for b in points[i + 1:]:
            assert a.value is not None and b.value is not None
            if a.value == b.value:
                continue
            low, high = sorted((a.value, b.value))
            if claim_q.kind == "percent" and "point" not in (claim_q.unit or ""):
                if low > 0:
                    out.append(((high - low) / low * 100, f"{_fmt(low)} to {_fmt(high)}"))
                    out.append(((high - low) / high * 100, f"{_fmt(high)} to {_fmt(low)}"))
            else:
                out.append((high - low, f"{_fmt(high)} - {_fmt(low)}"))
    return out


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")


def matches_derived(claim_q: Quantity, value: float, tolerance: float) -> bool:
    """Whether a computed value bears out the claim's figure within its precision."""
    if claim_q.value is None:
        return False
    if claim_q.low is not None and claim_q.high is not None and claim_q.low != claim_q.high:
        return claim_q.low <= value <= claim_q.high
    allowed = claim_tolerance(claim_q, tolerance) * abs(claim_q.value)
    return math.isclose(value, claim_q.value, abs_tol=max(allowed, 1e-9))


# -- descriptors -------------------------------------------------------------------------

_SUPERLATIVE_AFTER = re.compile(r"^\s*(?:[a-z]+-)?(?:largest|biggest|smallest|highest|lowest|most|least|best|worst|"
                                r"busiest|richest|poorest|oldest|newest|main|major|leading|top|fastest|slowest|"
                                r"[a-z]+est)\b", re.IGNORECASE)
_RANK_BEFORE = re.compile(r"\b(?:top|one\s+of\s+(?:the|its|their)|among\s+(?:the|its|their))\s*$", re.IGNORECASE)


_ARTICLE_BEFORE = re.compile(r"(?:^|\s)an?\s+$", re.IGNORECASE)


def describes_subject(text: str, q: Quantity) -> bool:
    """Whether a number only describes who or what the claim is about ("of Estrevia's five
    largest cities", "one of the ten biggest lenders", "the top 10 airports") rather than
    stating a figure; also a size after "a" ("a 10,000 TEU container ship", "a 40-foot
    container": one thing of that size, not that many); a bound on the class of things it is
    about ("a surcharge for vessels longer than 300 metres")."""
    if q.kind in ("count", "measure") and not q.qualifier and _ARTICLE_BEFORE.search(text, max(0, q.start - 4), q.start):
        return True
    before = text[max(0, q.start - 40):q.start]
    if q.kind in ("count", "measure", "money") and (
            _CLASS_BEFORE.search(before) or (q.qualifier and _CLASS_WITH.search(before))):
        return True  # "a surcharge for vessels longer than 300 metres": the class the claim is about
    if q.qualifier or q.kind != "count":
        return False
    after = text[q.end:q.end + 30]
    if q.unit is None or not q.text.strip().endswith(q.unit):
        after_number = text[q.start + len(_number_part(q.text)):q.start + len(_number_part(q.text)) + 30]
    else:
        after_number = text[q.start + len(_number_part(q.text)):q.end + 1]
    return bool(_SUPERLATIVE_AFTER.match(after_number) or _SUPERLATIVE_AFTER.match(after)
                or _RANK_BEFORE.search(text[max(0, q.start - 30):q.start]))


# A figure that bounds the class of things a claim is about: "vessels longer than 300 metres",
# "firms with more than 250 staff", "households earning under 30,000"
# a plural noun ("vessels", "firms"), not a verb or a pronoun that ends in s
_PLURAL = r"\b(?!(?:was|is|has|does|this|its|his|as|us|plus|thus|less|always|sometimes)\s)[a-z]+s\s+"
_CLASS_BEFORE = re.compile(_PLURAL + r"(?:(?:longer|shorter|larger|smaller|bigger|heavier|lighter|older|younger|"
                           r"wider|taller|deeper)\s+than|(?:with|employing|earning|having)\s+(?:more|fewer|less)\s+than|"
                           r"(?:earning|employing|weighing|measuring)\s+(?:over|under|above|below))\s+$", re.IGNORECASE)
_CLASS_WITH = re.compile(_PLURAL + r"(?:with|employing|earning|having|weighing)\s+$", re.IGNORECASE)


def _number_part(text: str) -> str:
    m = re.match(r"\s*(?:[\d.,]+|[A-Za-z]+)", text)
    return m.group(0) if m else ""


# -- opposites ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """The engine's English word lists (claims/score/data/lexicon.json), stems precomputed."""
    data = json.loads(resources.files("claims.score").joinpath("data").joinpath("lexicon.json")
                      .read_text(encoding="utf-8"))
    return {"opposites": [(stem(a), stem(b)) for a, b in data["opposites"]],
            "rejections": frozenset(stem(w) for w in data["rejections"]),
            "ordinals": frozenset(data["ordinals"]),
            "superlatives": frozenset(data["superlatives"]),
            "superlatives_up": frozenset(data["superlatives_up"]),
            "superlatives_down": frozenset(data["superlatives_down"]),
            "records": frozenset(data["records"]),
            "ordinal_ranks": {w: i for i, w in enumerate(data["ordinals"], start=1)},
            "weak_thing_words": frozenset(stem(w) for w in data["weak_thing_words"]),
            "quantifiers": data["quantifiers"], "change_basis": data["change_basis"], "periods": data["periods"],
            "falls": data["falls"], "opinion_markers": frozenset(data["opinion_markers"]),
            "movement_verbs": tuple(data["movement_verbs"]),
            "speech_verbs": frozenset(data["speech_verbs"]),
            "correction_markers": frozenset(data["correction_markers"]),
            "admin_levels": frozenset(data["admin_levels"])}


_TOKEN = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")


def _content(words: list[str]) -> list[str]:
    """Stems of the lower-case words (names are not what a sentence says about them)."""
    return [stem(w) for w in words if w[0].islower() and len(w) > 2]


_RANK = re.compile(r"\b(?:(?P<ord>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d{1,2}(?:st|nd|rd|th))"
                   r"[\s-]+)?(?P<sup>highest|lowest|largest|smallest|biggest|busiest|fastest|slowest|oldest|"
                   r"youngest|richest|poorest|deadliest|worst|best)\b", re.IGNORECASE)


def _rank_of(m: re.Match[str]) -> int:
    word = (m.group("ord") or "first").lower()
    ordinals = lexicon()["ordinal_ranks"]
    return ordinals[word] if word in ordinals else int(re.sub(r"\D", "", word))


def unsaid_superlative(claim_text: str, passage: str) -> str | None:
    """The claim's superlative or record ("the largest ever", "a record", "the highest in the
    division") that the passage does not say, in its words or another superlative of the same
    direction: a figure or an event the passage confirms
    does not confirm that it was the largest; None when the claim makes no such claim or the
    passage says it too."""
    lex = lexicon()
    up, down, records = lex["superlatives_up"], lex["superlatives_down"], lex["records"]
    said = {w.lower() for w in _TOKEN.findall(passage)}
    for w in (w.lower() for w in _TOKEN.findall(claim_text)):
        if w not in lex["superlatives"] or w in said:
            continue
        # the same in other words: "the busiest month" is "the highest monthly volume", a
        # record is any superlative or record of the passage's
        if (w in up and said & up) or (w in down and said & down) or (w in records and said & (up | down | records)):
            continue
        return w
    return None


def _kin(a: str, b: str) -> bool:
    """Whether two stems are one word or one derived from the other ("resign" and
    "resignation", "approv" and "approval"): equal, or the shorter (five letters at least)
    begins the longer."""
    short, long = sorted((a, b), key=len)
    return a == b or (len(short) >= 5 and long.startswith(short))


def _other_rank(claim_text: str, sentence: str) -> str | None:
    """Another rank of the same superlative ("the third-highest rate of recorded crime"
    against "the highest crime rate"), or None."""
    for c in _RANK.finditer(claim_text):
        after = set(_content(_TOKEN.findall(claim_text[c.end():c.end() + 40])[:3]))
        for s in _RANK.finditer(sentence):
            if s.group("sup").lower() != c.group("sup").lower() or _rank_of(s) == _rank_of(c):
                continue
            if after & set(_content(_TOKEN.findall(sentence[s.end():s.end() + 60])[:5])):
                return f"{s.group(0)} (the claim: {c.group(0)})"
    return None


def opposition(claim_text: str, sentence: str) -> str | None:
    """The words of ``sentence`` that say the opposite of the claim, or None: a word of the
    claim turned to its opposite ("would keep" against "would scrap"), a rejection of the
    claim's own word ("rejected calls for her resignation" against "has resigned"), or
    another ordinal of the same thing ("its second cut" against "its first rate cut")."""
    claim_words, words = _TOKEN.findall(claim_text), _TOKEN.findall(sentence)
    claim_stems, stems = set(_content(claim_words)), set(_content(words))
    lex = lexicon()
    for a, b in lex["opposites"]:
        for said, other in ((a, b), (b, a)):
            if said in claim_stems and other in stems and said not in stems and other not in claim_stems:
                return f"{next(w for w in words if stem(w) == other)} (the claim: {said})"
    if not claim_stems & lex["rejections"]:
        for i, w in enumerate(words):
            if stem(w) in lex["rejections"]:
                window = _content(words[i + 1:i + 7])
                hit = next((s for s in window if s not in lex["rejections"] and any(_kin(s, c) for c in claim_stems)),
                           None)
                if hit is not None:
                    return " ".join(words[i:i + 1 + next(k for k, x in enumerate(words[i + 1:i + 7], 1)
                                                           if stem(x) == hit)])
    ranked = _other_rank(claim_text, sentence)
    if ranked is not None:
        return ranked
    claim_low, low = [w.lower() for w in claim_words], [w.lower() for w in words]
    for i, w in enumerate(claim_low):
        if w in lex["ordinals"]:
            after = set(_content(claim_words[i + 1:i + 4]))
            for j, v in enumerate(low):
                if v in lex["ordinals"] and v != w and after & set(_content(words[j + 1:j + 4])) \
                        and w not in low:
                    return f"{v} {words[j + 1] if j + 1 < len(words) else ''}".strip() + f" (the claim: {w})"
    return None


# -- series ------------------------------------------------------------------------------

_DAYS = {"day": 1.0, "week": 7.0, "month": 30.4375, "year": 365.25}


def _phrase_in(window: str, phrases: list[str]) -> bool:
    return any(re.search(r"(?<![\w-])" + re.escape(p) + r"(?![\w-])", window) for p in phrases)


def _window(text: str, q: Quantity, before: int = 50, after: int = 50) -> tuple[str, str]:
    """The words of a figure's clause before and after it (lower case, within its sentence)."""
    left = re.split(r"[.;:!?]\s", text[max(0, q.start - before):q.start])[-1].lower()
    right = re.split(r"[.;:!?](?:\s|$)|,\s+(?:while|but|and|as)\b", text[q.end:q.end + after])[0].lower()
    return left, right


def change_basis(text: str, q: Quantity) -> str | None:
    """``month`` for a change on the month before ("rose 0.2% in September alone",
    "month-on-month"), ``year`` for one on a year before ("annual inflation", "in the year to
    June"); None when the clause does not say."""
    left, right = _window(text, q)
    # the words after the figure first: they give its change's basis ("rose 6.8% in the 12
    # months to October"), where a word before it may name the thing ("average monthly rents")
    for window in (re.split(r"[,;]", right)[0], left):
        for basis, phrases in lexicon()["change_basis"].items():
            if _phrase_in(window, phrases):
                return str(basis)
    return None


def rate_period(text: str, q: Quantity) -> str | None:
    """The period a rate is given per ("40 crowns a month", "1,842 crowns a year"): day, week,
    month or year, read just after the figure; None for a plain amount."""
    right = _window(text, q, after=25)[1]
    for period, phrases in lexicon()["periods"].items():
        if any(right.lstrip(" ,").startswith(p) or re.match(r"^\s*[a-z-]*\s+" + re.escape(p), right)
               for p in phrases):
            return str(period)
    return None


def per_period(claim_q: Quantity, passage_q: Quantity, claim_period: str, passage_period: str) -> Quantity:
    """``passage_q`` as a rate per the claim's period (1,842 a year as 153.5 a month), hedged
    "about"."""
    return rescaled(passage_q, _DAYS[claim_period] / _DAYS[passage_period])


def rescaled(q: Quantity, factor: float) -> Quantity:
    """``q`` with its value and bounds multiplied by ``factor`` (a rate given per another
    period or another unit of area), hedged "about"; its unit and text as written."""

    def conv(x: float | None) -> float | None:
        return None if x is None else round(x * factor, 6)

    return replace(q, value=conv(q.value), low=conv(q.low), high=conv(q.high), qualifier=q.qualifier or "about")


def _quantifier(window: str) -> str | None:
    for group, words in lexicon()["quantifiers"].items():
        if _phrase_in(window, words):
            return str(group)
    return None


def series_conflict(claim_text: str, claim_q: Quantity, passage_text: str, q: Quantity) -> str | None:
    """Why two figures of one thing belong to other series, or None: a change on the month
    against one on the year ("in September alone" against "annual inflation"), or a figure
    for all of something against one for most of it ("to every customer" against "most
    customers ... within 12 hours")."""
    c_basis, p_basis = change_basis(claim_text, claim_q), change_basis(passage_text, q)
    if c_basis and p_basis and c_basis != p_basis:
        return f"another series ({p_basis}ly change)"
    c_left, c_right = _window(claim_text, claim_q)
    p_left, p_right = _window(passage_text, q)
    c_quant, p_quant = _quantifier(c_left + " " + c_right), _quantifier(p_left + " " + p_right)
    if c_quant and p_quant and c_quant != p_quant:
        return f"another share of them ({p_quant})"
    return None


def falls(text: str, q: Quantity) -> bool:
    """Whether the figure's clause says it is a fall ("fell 5.5%", "down 3%")."""
    left, _ = _window(text, q, before=40)
    return _phrase_in(left, lexicon()["falls"])


# -- opinion -----------------------------------------------------------------------------


# words that start a slug ("columnist-award") without marking the piece as one
_SLUG_WORDS = frozenset({"column", "columns", "columnist", "letters", "comment"})


def is_opinion(url: str | None, title: str | None, text: str) -> bool:
    """Whether a document is an opinion piece (a column, an editorial, a comment): its URL
    path has a section or slug word that says so ("/opinion/", "/2025/10/24/opinion-..."), its
    title opens with one ("Opinion: ..."), or its body opens with one on a line of its own
    ("OPINION"). Its author's view is not evidence of a fact."""
    markers = lexicon()["opinion_markers"]
    path = re.sub(r"^[a-z]+://[^/]+", "", (url or "").lower()).split("?")[0]
    segments = [seg for seg in path.split("/") if seg]
    if any(seg in markers or seg.split("-")[0] in markers and seg.split("-")[0] not in _SLUG_WORDS
           for seg in segments):
        return True
    head = re.match(r"\s*([A-Za-z-]+)\s*[:|]", title or "")
    if head and head.group(1).lower() in markers:
        return True
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first.lower().rstrip(":") in markers


# -- quotes ------------------------------------------------------------------------------

_QUOTED = re.compile(r"[\"“”]([^\"“”]{8,400})(?:[\"“”]|[.!?]?$)")
_QUOTE_WORDS = 4  # a quote of fewer words ("a crisis") is a phrase anyone may use


def name_words(text: str, outside: tuple[int, int] | None = None) -> set[str]:
    """The words of the names a text gives: runs of capitalised words (a sentence's first word
    only in a run of two or more: "Lindquay Infirmary had", not "Rough sleeping" or "At
    sentencing"), months and days aside; with ``outside``, none that starts inside that span
    (a quote's words)."""
    words: set[str] = set()
    for m in _NAME_RUN.finditer(text):
        if outside is not None and outside[0] <= m.start() < outside[1]:
            continue
        run = [w for w in re.findall(r"[A-Za-z]+", m.group(0)) if w[0].isupper()]
        opener = m.start() == 0 or re.search(r"[.!?:]\s+$|^\s*$|[\"“(]\s*$", text[max(0, m.start() - 3):m.start()])
        if opener and len(run) < 2:
            continue  # "Rough sleeping rose": a sentence's first word alone is no sure name
        words.update(w.lower() for w in run if w.lower() not in _MONTH_WORDS)
    return words


_NAME_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:of\s+|the\s+|and\s+)?[A-Z][\w'’-]*)*")


def quote_finding(claim_text: str, passage: str) -> tuple[str, str] | None:
    """The ``quotes`` check: ("support" | "refute", cue) when the claim quotes words (four or
    more) that the passage also quotes. The passage gives them to the claim's speaker (a name
    of the claim's outside the quote, in the quote's sentence or the one before it): support;
    its quote's sentence gives them to someone else with a verb of speech: refute (a claim
    that the prosecutor called the conduct "a betrayal of trust", a passage where the judge
    called it so). Near words of a correction notice the passage speaks of an attribution, not its
    own, and it withdraws the claim's attribution where it names the claim's speaker. None when the claim quotes nothing the passage has."""
    claim_text = without_date(claim_text)
    for m in _QUOTED.finditer(claim_text):
        said = m.group(1).strip().rstrip(".!?,")
        if len(said.split()) < _QUOTE_WORDS:
            continue
        speaker = name_words(claim_text, outside=m.span())
        if not speaker:
            continue
        where = find_words(passage, said)
        if where is None:
            continue
        sentences = [(s.start, s.end) for s in split_sentences(passage)]
        k = next((i for i, (a, b) in enumerate(sentences) if a <= where[0] < b), None)
        if k is None:
            continue
        own = passage[sentences[k][0]:sentences[k][1]]
        before = passage[sentences[k - 1][0]:sentences[k - 1][1]] if k > 0 else ""
        after = passage[sentences[k + 1][0]:sentences[k + 1][1]] if k + 1 < len(sentences) else ""
        near = {w.lower() for w in re.findall(r"[A-Za-z]+", f"{before} {own} {after}")}
        given = {w.lower() for w in re.findall(r"[A-Za-z'’-]+", before + " " + own)}
        if near & lexicon()["correction_markers"]:
            # a correction notice: the words given to the claim's speaker there are the
            # attribution it withdraws
            if speaker & given:
                return "refute", f'a correction withdraws giving "{said}" to the claim\'s speaker'
            continue
        if speaker & given:
            return "support", f'"{said}" quoted as the claim gives it'
        own_words = {w.lower() for w in re.findall(r"[A-Za-z]+", own)}
        others = name_words(own, outside=(where[0] - sentences[k][0], where[1] - sentences[k][0]))
        if own_words & lexicon()["speech_verbs"] and others:
            return "refute", f'the passage gives "{said}" to another speaker'
    return None
