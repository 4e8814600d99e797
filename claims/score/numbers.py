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

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Sequence

import pycountry

from claims.extract.quantities import is_time_frame, parse_quantities, same_counted_thing, scope_window
from claims.extract.sentences import split_sentences
from claims.extract.structure import claim_date
from claims.models import Quantity

__all__ = ["NumericJudgement", "country_stems", "figure_judgements", "figure_place", "interval", "relate_quantities", "judge_numbers", "place_terms", "format_quantity"]

# A place phrase after a number: preposition, optional article and compass adjective, then
# one or more capitalised words (possessives allowed), e.g. "near the Ukrainian border".
_PLACE = re.compile(
    r"\b(?:in|near|at|inside|into|to|on|along|across|towards?|from|border with|close to)\s+"
    r"(?:the\s+)?(?:(?:north|south|east|west)(?:ern|-?eastern|-?western)?\s+|central\s+|far\s+)?"
    r"((?:[A-Z][\w\-]*(?:['’]s)?\s*){1,4})"
)
_STOP_WORDS = {"The", "A", "An", "He", "She", "It", "They", "We", "I", "This", "That"}


def place_terms(text: str) -> set[str]:
    """Normalised place words named in ``text``'s prepositional phrases.

    Words are folded to a 4-letter stem so that a country and its adjective meet
    ("Ukraine's", "Ukrainian" -> "ukra").
    """
    terms: set[str] = set()
    for match in _PLACE.finditer(text):
        for word in re.findall(r"[A-Z][\w\-]*", match.group(1)):
            if word in _STOP_WORDS:
                continue
            terms.add(word.lower()[:4])
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


def figure_place(text: str, q: Quantity) -> str:
    """The place a figure is given for, as written after it ("in Russia's Kursk region" ->
    "Russia's Kursk"), or "" when its clause names none."""
    match = _PLACE.search(scope_window(text, q))
    return match.group(1).strip() if match else ""


def interval(q: Quantity, tolerance: float = 0.0) -> tuple[float, float]:
    """The values a quantity allows, widened by ``tolerance`` (a fraction)."""
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


def _precise(q: Quantity) -> bool:
    """A figure given to more than two significant digits and without a hedge (11,819; 3.25%):
    a rounder report ("about 12,000") is compatible with it but does not confirm it."""
    if q.value is None or q.qualifier:
        return False
    digits = re.sub(r"\D", "", f"{abs(q.value):.6g}").strip("0")
    return len(digits) > 2


def relate_quantities(claim_q: Quantity, passage_q: Quantity, tolerance: float) -> str:
    """``match``, ``consistent`` or ``mismatch`` for two quantities of the same thing.

    Two point figures within the tolerance match, hedges aside ("about 8,000" matches
    "8,000"), unless the claim is more precise than the report (a claim of 11,819 is only
    consistent with "about 12,000"); a figure inside a range, a bound or a vague amount
    is only consistent.
    """
    c_lo, c_hi = interval(claim_q, tolerance)
    p_lo, p_hi = interval(passage_q, tolerance)
    if c_hi < p_lo or p_hi < c_lo:
        return "mismatch"
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
    reason: str = ""
    stated_on: date | None = None


_ORDER = {"match": 0, "consistent": 1, "mismatch": 2, "other_scope": 3}


def _as_date(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


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
) -> list[NumericJudgement]:
    """The relation of every passage figure that counts what the claim's figure counts.

    Scope decides before values: a figure for another place ("eastern Russia" against a
    claim about Kursk) or another time (both dates known and further apart than
    ``same_time_days``, across days as across years) is ``other_scope`` whatever its
    value, so neither an agreeing nor a disagreeing figure from another moment counts.
    """
    if claim_q is None:
        return []
    quantities = parse_quantities(passage_text) if passage_quantities is None else passage_quantities
    # a passage's time frame ("over the past 30 years") is not a figure it reports
    candidates = [q for q in quantities if same_counted_thing(claim_q, q) and not is_time_frame(passage_text, q)]
    if not candidates:
        return []
    claim_places = place_terms(scope_window(claim_text, claim_q))
    c_day, p_day = _as_date(claim_date), _as_date(passage_date)
    out = []
    for q in candidates:
        relation = relate_quantities(claim_q, q, tolerance)
        places = frozenset(place_terms(scope_window(passage_text, q)))
        reason = ""
        q_day = _stated_date(passage_text, q, p_day)
        if c_day is not None and q_day is not None and abs((c_day - q_day).days) > same_time_days:
            relation, reason = "other_scope", "another time"
        elif relation == "mismatch" and same_place(claim_places, places) is False:
            relation, reason = "other_scope", "another place"
        out.append(NumericJudgement(relation, q, places, reason, q_day))
    return out


def judge_numbers(
    claim_text: str,
    claim_q: Quantity | None,
    passage_text: str,
    **kwargs: object,
) -> NumericJudgement:
    """The best numeric relation between the claim's quantity and the passage's quantities
    (keywords as :func:`figure_judgements`); ``none`` when no figure counts the same thing."""
    found = figure_judgements(claim_text, claim_q, passage_text, **kwargs)  # type: ignore[arg-type]
    return min(found, key=lambda j: _ORDER[j.relation]) if found else NumericJudgement("none")


def _stated_date(text: str, q: Quantity, published: date | None) -> date | None:
    """The date a figure was given: a date named in its sentence ("said on Oct. 18"),
    resolved against the source's date; else the source's date."""
    sentence = next((s for s in split_sentences(text) if s.start <= q.start < s.end), None)
    start, stop = (sentence.start, sentence.end) if sentence else (0, len(text))
    before = text[start:q.start]  # "The agency said on Oct. 18 that ... 12,000 troops"
    after = text[q.end:stop]
    said = _SAID_WHEN.search(after)  # "... 8,000 soldiers were in Kursk, Blinken said on Thursday"
    for candidate, near in ((before, len(before)), (said.group(0) if said else "", None)):
        if candidate:
            found = claim_date(candidate, published, near=near)
            if found is not None:
                return found
    return published


_SAID_WHEN = re.compile(r"\b(?:said|says|told|announced|estimated|reported)\s+(?:on\s+|last\s+)?[A-Z]\w+\.?(?:\s+\d{1,2})?")


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
