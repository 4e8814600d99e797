"""News numbers as a reader understands them: value, bounds, hedge and what is counted.

``parse_quantities(text)`` returns :class:`~claims.models.Quantity` objects with offsets
into ``text``. Why a parser of our own: quantulum3 0.10 (the best-known library) was
measured here on the issue's expressions. It finds "8,000 soldiers", "1.5 million" and
"11,000-12,000" but returns no counted noun (every count is "dimensionless"), drops every
hedge ("about", "more than", "some"), misses "thousands of troops" altogether, turns
"a dozen drones" into 1 dozen and "Jan. 5, 2024 at 9 a.m." into three quantities (5,
"2024 ampere-turn", "9 year"), needs its bundled classifier retrained on scikit-learn 1.9
(its ``between ... and ...`` path crashes) and takes ~4 ms per expression. text2num
handles spelled numbers but mangles "one point five million" ("1.5 1000000"). The
grammar of news numbers is small, so it is written out here as a token scanner.

Conventions (the contract the verdict stage relies on):

* **exact** figures: ``low == high == value``.
* **ranges** ("10,000-12,000", "between 10,000 and 12,000", "10 to 12 million",
  "two or three"): ``value`` is None, ``low``/``high`` are the ends.
* **bounds**: lower ("more than", "over", "at least", "upwards of") give
  ``low = value, high = None``; upper ("up to", "as many as", "fewer than", "under")
  give ``low = None, high = value``.
* **approximations** ("about", "around", "some", "roughly", "an estimated") keep
  ``value`` and widen the bounds by the figure's rounding unit as written (1 for "about
  54 percent", 1,000 for "about 12,000", 0.1 million for "some 2.3 million"), at most
  :data:`APPROX_TOLERANCE` (10%) each way;
  "nearly"/"almost"/"just under" allow 10% below and nothing above; "just over" the
  reverse.
* **vague amounts** have ``value = None`` and a range, as readers read them: a
  figure is "thousands" when a reader would count it in thousands, so the range runs
  from two of the unit up to where the next word of the scale takes over:

  ============================  =====================  ===========================
  phrase                        range                  why the upper end
  ============================  =====================  ===========================
  tens of                       20-99                  from 100 it is "a hundred"
  dozens of                     24-99                  from 100 it is "a hundred"
  scores of                     40-199
  hundreds of                   200-1,999              "fifteen hundred" is hundreds
  thousands of                  2,000-99,999           12,000 and 50,000 are thousands;
                                                       from 100,000 "hundreds of thousands"
  tens of thousands of          20,000-99,999
  hundreds of thousands of      200,000-999,999
  millions / billions /         2-99.99 x the unit     as for thousands
  trillions of
  tens / hundreds of millions   20-99.99 / 200-999.99 million (likewise billions)
  ============================  =====================  ===========================

  "several <scale>" 3-9 x scale; "a few <scale>" 2-5 x scale; "a couple of <scale>"
  2-3 x scale; "a handful of" 2-5. A vague amount is never a ``match`` for a figure,
  only ``consistent`` with it (claims.score.numbers).
  "several <scale>" 3-9 x scale; "a few <scale>" 2-5 x scale; "a couple of <scale>"
  2-3 x scale; "a handful of" 2-5.
* ``qualifier`` is the hedge as written, lower-cased ("more than", "thousands of",
  "between"), None for a plain figure. ``kind`` is ``count``, ``percent`` (unit "%" or
  "percentage points"), ``money`` (unit an ISO currency code) or ``measure`` (unit as
  written: "km", "tonnes").
* ``unit`` for counts is the counted noun phrase as written ("North Korean soldiers").
* Not quantities: years ("in 2024", "the 2022 invasion"), dates ("Jan. 5", "5 October",
  "10/18/2024"), ordinals and decades ("18th", "1990s"), times ("9 a.m.", "10:30"),
  phone-like numbers, identifiers ("F-16", "COVID-19", "Article 5", "No. 1"), compound
  modifiers ("a 10-day visit", but "8,000-strong force" is a count of a force) and a lone
  "one" (a pronoun far more often than a count).
"""

from __future__ import annotations

import functools
import logging
import math
import re
from dataclasses import dataclass, replace
from decimal import Decimal, DecimalException, InvalidOperation

from claims.models import Quantity

__all__ = [
    "APPROX_TOLERANCE",
    "counted_head",
    "is_time_frame",
    "parse_quantities",
    "same_counted_thing",
    "scope_window",
]

log = logging.getLogger(__name__)

APPROX_TOLERANCE = 0.10
"""How far an approximate figure ("about 8,000") may be from its value, as a fraction."""

# --------------------------------------------------------------------------- tokens

_TOKEN = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|[A-Za-z]+(?:['’][A-Za-z]+)*(?:-[A-Za-z]+(?:['’][A-Za-z]+)*)*|\S")


@dataclass(frozen=True)
class _Tok:
    text: str
    low: str
    start: int
    end: int
    kind: str  # num | word | sym


def _tokenize(text: str) -> list[_Tok]:
    toks = []
    for m in _TOKEN.finditer(text):
        t = m.group(0)
        kind = "num" if t[0].isdigit() else "word" if t[0].isalpha() else "sym"
        toks.append(_Tok(t, t.lower(), m.start(), m.end(), kind))
    return toks


# --------------------------------------------------------------------------- spans that are not quantities

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_LABELS = (
    r"(?:Article|Articles|Resolution|Section|Chapter|No\.?|Nos\.?|Number|Flight|Room|Route|Highway|"
    r"Interstate|Page|Paragraph|Phase|Level|Category|Type|Model|Version|Item|Rule|Clause|"
    r"Amendment|Bill|Vol\.?|Grade|Channel|Gate|Platform|Apollo|Windows|Lot|Box|District|"
    r"Ward|Precinct|Terminal|Pier|Exit|Stage|Round|Game|Match|Season|Episode|Part|Volume|"
    r"Table|Figure|Fig\.|Appendix|Annex|Protocol|Directive|Regulation|Order|Decree|Law|Tier|"
    r"Block|Reactor|Unit|Building|Camp|Hill|Point|Post|Checkpoint|Zone|Sector|Area|Region)"
)
_NOT_QUANTITY = re.compile(
    "|".join(
        [
            r"\b\d{4}-\d{1,2}-\d{1,2}\b",  # ISO date
            r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b",  # 10/18/2024, 18.10.2024
            r"\b\d{1,2}/\d{1,2}\b(?!\s*(?:of|in)\b)",  # 9/11 (but "1/3 of" is left alone)
            r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?",  # 10:30, 10:30 p.m.
            r"\b\d{1,2}(?:\.\d{2})?\s*(?:[ap]\.m\.|[ap]m\b|[AP]M\b|o['’]clock\b|GMT\b|UTC\b|hrs\b|BST\b|CET\b|EST\b|ET\b|PT\b)",
            r"\b(?:19|20)\d{2}\s*[-–/]\s*(?:19|20)?\d{2}\b",  # 2023-24, 2022-2023
            r"\+\d[\d\s().-]{6,}\d",  # +1 202 555 0100
            r"\(\d{2,5}\)\s*\d{3,4}[\s.-]\d{3,4}",  # (202) 555-0100
            r"\b\d{3}[.-]\d{3}[.-]\d{4}\b",  # 202-555-0100
            r"\b\d{3}-\d{4}\b",  # 555-0100
            r"\b\d{1,3}(?:,\d{3})*(?:st|nd|rd|th)\b",  # ordinals
            r"\b\d{2,4}['’]?s\b|['’]\d{2}s?\b",  # 1990s, '90s
            _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s+\d{4}\b)?",  # Oct. 18, 2024
            r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+\d{4}\b)?",  # 18 October 2024
            r"\b" + _MONTH + r",?\s+\d{4}\b",  # October 2024
            r"\b" + _LABELS + r"\s+\d+[A-Za-z]?\b",  # Article 5, No. 1
            r"(?:\bH\.\s?R\.|\bS\.|\bH\.B\.|\bS\.B\.|\b(?:HB|SB|HR|AB|HJR|SJR|LB))\s*\d+\b",  # bills: H.R. 5717, HB 97
            r"\bnumber\s+\d+\b(?!\s*(?:%|percent|per\s+cent))",  # "ranked number 82": a rank
            r"\b(?:Pre-?K|K)\s*(?:-|–|to|through|thru)\s*\d{1,2}\b",  # K-12, "K to 12": school grades
            r"\b[A-Za-z]+-?\d+(?:[.-]\d+)*[A-Za-z]*\b",  # F-16, COVID-19, MH17, G7, S-400
            r"(?:https?://|www\.)\S+",  # URLs
        ]
    )
)

# --------------------------------------------------------------------------- vocabulary

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALE_WORDS = {
    "hundred": Decimal(100), "thousand": Decimal(1000), "million": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9, "trillion": Decimal(10) ** 12, "dozen": Decimal(12),
    # the Indian scale: a lakh is 100,000, a crore 10 million ("50 lakh women", "Rs 1 crore")
    "lakh": Decimal(10) ** 5, "lakhs": Decimal(10) ** 5, "crore": Decimal(10) ** 7, "crores": Decimal(10) ** 7,
}
_SCALE_ABBREV = {"mn": Decimal(10) ** 6, "mln": Decimal(10) ** 6, "bn": Decimal(10) ** 9,
                 "tn": Decimal(10) ** 12, "trn": Decimal(10) ** 12, "cr": Decimal(10) ** 7}
_MONEY_ABBREV = {"m": Decimal(10) ** 6, "k": Decimal(1000), "b": Decimal(10) ** 9}
# How far up a vague plural reaches, in units of its scale (see the table in the module
# docstring): "hundreds" stops where "thousands" begins; "thousands", "millions"... reach
# up to tens of the unit.
_VAGUE_SPAN = {"tens": 10, "hundreds": 20, "thousands": 100, "millions": 100, "billions": 100, "trillions": 100}
_VAGUE_PLURALS = {
    "tens": Decimal(10), "hundreds": Decimal(100), "thousands": Decimal(1000),
    "millions": Decimal(10) ** 6, "billions": Decimal(10) ** 9, "trillions": Decimal(10) ** 12,
}

_RATE_BEFORE = re.compile(r"\b(?:rate|rates|share|proportion|percentage)\b[^.;]*$", re.IGNORECASE)

_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₽": "RUB",
                     "₩": "KRW", "₴": "UAH", "₦": "NGN"}
# Letters written before an amount: "Rs 500", "KSh1.5 trillion". A single letter ("N950
# billion" naira, "R17 billion" rand) only with a scale word after it: "N95", "R2" are names.
_CURRENCY_LETTERS = {"Rs": "INR", "KSh": "KES", "Ksh": "KES", "Sh": "KES"}
_CURRENCY_LETTERS_SCALED = {"N": "NGN", "R": "ZAR"}
_CURRENCY_PREFIX_WORDS = {"us": "USD", "a": "AUD", "c": "CAD", "hk": "HKD", "nz": "NZD", "s": "SGD"}
_CURRENCY_CODES = {"usd", "eur", "gbp", "jpy", "cny", "rmb", "rub", "uah", "krw", "inr", "chf",
                   "cad", "aud"}
_CURRENCY_WORDS = {
    "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "pound": "GBP",
    "pounds": "GBP", "sterling": "GBP", "yen": "JPY", "yuan": "CNY", "renminbi": "CNY",
    "rouble": "RUB", "roubles": "RUB", "ruble": "RUB", "rubles": "RUB", "hryvnia": "UAH",
    "hryvnias": "UAH", "hryvnias'": "UAH", "rupee": "INR", "rupees": "INR", "francs": "CHF",
    "shilling": "KES", "shillings": "KES", "naira": "NGN", "rand": "ZAR",
    # slang, lower-case only ("Ken Buck" is a name): "four bucks", "16 bucks a piece"
    "buck": "USD", "bucks": "USD",
}
_LOWER_CASE_ONLY = {"buck", "bucks", "rand"}
_MEASURE_UNITS = {
    "km", "kms", "kilometre", "kilometres", "kilometer", "kilometers", "mile", "miles", "metre",
    "metres", "meter", "meters", "kg", "kilogram", "kilograms", "tonne", "tonnes", "ton", "tons",
    "hectare", "hectares", "acre", "acres", "barrel", "barrels", "litre", "litres", "liter",
    "liters", "gallon", "gallons", "mph", "kph", "feet", "foot", "ft", "sq", "square", "cubic",
    "megawatts", "mw", "gigawatts", "gw", "kwh", "degrees", "celsius", "fahrenheit",
    "mm", "millimetre", "millimetres", "millimeter", "millimeters", "cm", "centimetre", "centimetres",
    "centimeter", "centimeters", "inch", "inches",
    # durations are measures too, not counts of things
    "year", "years", "month", "months", "week", "weeks", "day", "days", "hour", "hours",
    "minute", "minutes", "seconds", "decade", "decades", "century", "centuries",
}

# Hedges: the phrase as tokens -> how it bounds the value.
_QUALIFIERS: dict[tuple[str, ...], str] = {}
for _cat, _phrases in {
    "approx": ["about", "around", "roughly", "approximately", "approx", "some", "an estimated",
               "estimated", "circa", "ca", "close to", "in the region of", "on the order of",
               "or so", "~", "an approximate", "give or take"],
    "below": ["nearly", "almost", "just under", "just shy of", "just below", "slightly less than",
              "a little under", "a little less than", "close on"],
    "above": ["just over", "just above", "slightly more than", "slightly over", "a little over",
              "a little more than"],
    "lower": ["more than", "over", "at least", "upwards of", "upward of", "in excess of", "above",
              "no fewer than", "no less than", "greater than", "well over", "well above",
              "as few as", "a minimum of", "a minimum of", "not less than", "not fewer than",
              "more then", "beyond", "exceeding", "well in excess of", "north of"],
    "upper": ["up to", "as many as", "at most", "no more than", "fewer than", "less than", "under",
              "below", "a maximum of", "not more than", "as much as", "maximum of", "at the most",
              "not exceeding", "a max of", "shy of"],
    "exact": ["exactly", "precisely", "a total of", "only", "just", "fully", "all"],
    "between": ["between"],
}.items():
    for _p in _phrases:
        _QUALIFIERS[tuple(_TOKEN.findall(_p))] = _cat
_MAX_QUAL = max(len(k) for k in _QUALIFIERS)

# Words that end a counted noun phrase (function words and common verbs).
_STOP = {
    "a", "an", "the", "this", "that", "these", "those", "its", "their", "his", "her", "our",
    "your", "my", "some", "any", "no", "each", "every", "all", "both", "near", "in", "on", "at",
    "to", "from", "by", "for", "with", "of", "into", "onto", "across", "along", "over", "under",
    "since", "during", "against", "inside", "outside", "within", "about", "around", "between",
    "among", "amid", "per", "via", "toward", "towards", "through", "behind", "beyond", "after",
    "before", "until", "till", "upon", "off", "out", "up", "down", "than", "and", "or", "but",
    "nor", "while", "as", "so", "yet", "if", "because", "although", "though", "whether", "who",
    "whom", "whose", "which", "what", "where", "when", "why", "how", "it", "they", "he", "she",
    "we", "you", "i", "them", "him", "us", "is", "are", "was", "were", "be", "been", "being",
    "am", "has", "have", "had", "having", "will", "would", "could", "should", "may", "might",
    "must", "can", "cannot", "shall", "did", "do", "does", "done", "said", "says", "say",
    "saying", "told", "according", "reportedly", "also", "already", "still", "now", "then",
    "there", "here", "just", "only", "even", "more", "most", "less", "least", "many", "much",
    "very", "too", "again", "ago", "not", "never", "ever", "once", "twice", "including",
    "include", "includes", "included", "such", "like", "same", "other", "another", "either",
    "neither", "respectively", "alone", "apiece", "fled", "left", "fought", "lost", "won",
    "held", "met", "sent", "went", "came", "took", "gave", "made", "fell", "rose", "ran",
    "stood", "got", "saw", "face", "faced", "remain", "remains", "live", "work", "died",
    "perished", "tell", "reported", "remained",
    # prepositions: a counted noun ends before them ("FOUR without their parents")
    "without", "despite", "except", "besides", "unlike", "beneath", "beside", "throughout", "versus", "vs",
    "unless", "plus", "minus", "whereas",
    # verbs that follow a singular noun ("the 12 education system adds", "console sold")
    "sold", "adds", "add", "costs", "gets", "makes", "takes", "shows", "needs", "goes", "comes", "gives",
    "means", "helps", "keeps", "grows", "grew", "pays", "paid", "seems", "uses", "wants", "allows",
    # comparatives: no counted noun ("391 higher than a year earlier", "19,500 fewer than in June")
    "fewer", "higher", "lower", "larger", "smaller", "bigger", "greater",
}
# Determiners that make a small spelled-out number a reference to things already named,
# not a figure: "the two countries", "its three neighbours" (see parse_quantities).
_DEFINITE = {"the", "these", "those", "its", "their", "his", "her", "our", "your", "my", "both", "between",
             "among", "amongst"}
_FRACTIONS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5,
              "fifths": 5, "tenth": 10, "tenths": 10}
_AGE_WORDS = {"age", "aged", "ages"}
_DURATION_WORDS = {"year", "years", "month", "months", "week", "weeks", "day", "days", "hour", "hours", "minute",
                   "minutes", "seconds", "decade", "decades", "century", "centuries", "degrees"}
# Units after which a lone "one" is a figure ("in one year"); not "one day" (an idiom).
_ONE_UNITS = {"year", "month", "week", "hour", "minute", "decade", "century", "mile", "percent", "dollar",
              "euro", "pound", "kilometre", "kilometer", "metre", "meter", "tonne", "ton", "acre", "hectare"}
_IRREGULAR_PLURALS = {
    "people", "personnel", "police", "staff", "children", "men", "women", "infantry", "militia",
    "cattle", "livestock", "aircraft", "equipment", "crew", "sheep", "fish", "deer", "offspring",
    "servicemen", "servicewomen", "kin", "clergy", "youth", "dead", "wounded", "injured", "missing",
    "homeless", "elderly", "poor", "unemployed",
}
_SKIP_BEFORE_UNIT = {"more", "additional", "extra", "further", "fresh", "other", "odd", "fewer", "less"}



@dataclass
class _Num:
    value: Decimal
    start: int
    end: int
    next: int  # token index after the number
    scaled: bool
    money_unit: str | None = None
    scale: Decimal = Decimal(1)


# --------------------------------------------------------------------------- the scanner


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokenize(text)
        self.blocked = [m.span() for m in _NOT_QUANTITY.finditer(text)]

    # ---- helpers
    def _tok(self, i: int) -> _Tok | None:
        return self.toks[i] if 0 <= i < len(self.toks) else None

    def _is_blocked(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.blocked)

    def _adjacent(self, i: int) -> bool:
        """Token i touches token i-1 (no space between)."""
        a, b = self._tok(i - 1), self._tok(i)
        return a is not None and b is not None and a.end == b.start

    def _skip_period(self, i: int) -> int:
        t = self._tok(i)
        return i + 1 if t is not None and t.text == "." and self._adjacent(i) else i

    # ---- pieces
    def qualifier(self, i: int) -> tuple[str, str, int, int] | None:
        """(phrase as written, category, start char, next index) of a hedge at i."""
        for n in range(_MAX_QUAL, 0, -1):
            words = tuple(t.low for t in self.toks[i:i + n])
            if len(words) == n and words in _QUALIFIERS:
                j = self._skip_period(i + n)
                phrase = " ".join(words)
                return phrase, _QUALIFIERS[words], self.toks[i].start, j
        return None

    def currency_prefix(self, i: int) -> tuple[str, int] | None:
        t = self._tok(i)
        if t is None:
            return None
        if t.text in _CURRENCY_SYMBOLS:
            return _CURRENCY_SYMBOLS[t.text], i + 1
        nxt = self._tok(i + 1)
        if t.low in _CURRENCY_PREFIX_WORDS and t.text.isupper() and nxt is not None and nxt.text == "$" \
                and self._adjacent(i + 1):
            return _CURRENCY_PREFIX_WORDS[t.low], i + 2
        if t.low in _CURRENCY_CODES and t.text.isupper() and nxt is not None and nxt.kind == "num":
            return t.text.upper().replace("RMB", "CNY"), i + 1
        k = self._skip_period(i + 1)  # "Rs. 500"
        num = self._tok(k)
        if t.text in _CURRENCY_LETTERS and num is not None and num.kind == "num":
            return _CURRENCY_LETTERS[t.text], k
        if t.text in _CURRENCY_LETTERS_SCALED and nxt is not None and nxt.kind == "num" and self._adjacent(i + 1):
            scale = self._tok(i + 2)
            if scale is not None and (scale.low in _SCALE_WORDS or scale.low in _SCALE_ABBREV):
                return _CURRENCY_LETTERS_SCALED[t.text], i + 1
        if re.fullmatch(r"[B-HJ-Z]", t.text) and nxt is not None and nxt.kind == "num" and t.end < nxt.start <= t.end + 1:
            # "D 298 million", "K 5 billion": a currency known only by its letter, before an
            # amount with a scale word (a letter before a bare number is a name: "Route D 4")
            scale = self._tok(i + 2)
            if scale is not None and (scale.low in _SCALE_WORDS or (scale.low in _SCALE_ABBREV and self._adjacent(i + 2))):
                return t.text, i + 1
        return None

    def word_number(self, i: int) -> _Num | None:
        """Spelled numbers: "eight thousand", "twenty-two", "a dozen", "half a million"."""
        j = i
        words: list[str] = []
        start = self.toks[i].start
        first = self.toks[i].low
        half = False
        if first == "half" and self._tok(i + 1) is not None and self.toks[i + 1].low == "a" \
                and self._tok(i + 2) is not None and self.toks[i + 2].low in _SCALE_WORDS:
            half = True
            words = ["a"]
            j = i + 2
        elif first == "a" and self._tok(i + 1) is not None and self.toks[i + 1].low in _SCALE_WORDS:
            words = ["a"]
            j = i + 1
        while j < len(self.toks):
            t = self.toks[j]
            parts = t.low.split("-")
            if t.kind == "word" and all(p in _SMALL or p in _SCALE_WORDS for p in parts):
                words.extend(parts)
                j += 1
            elif t.low == "and" and words and words[-1] in _SCALE_WORDS and self._tok(j + 1) is not None \
                    and self.toks[j + 1].low.split("-")[0] in _SMALL:
                j += 1
            else:
                break
        if not words or words == ["a"]:
            return None
        after = self._tok(j)
        if words == ["zero"] or (words == ["one"] and not (after is not None and after.low in _ONE_UNITS)):
            return None  # a lone "one" is a pronoun far more often than a count; "one year" is a figure
        total = Decimal(0)
        current = Decimal(0)
        for w in words:
            if w == "a":
                current = Decimal(1)
            elif w in _SMALL:
                current += _SMALL[w]
            elif w in ("hundred", "dozen"):
                current = (current or 1) * _SCALE_WORDS[w]
            else:
                total += (current or 1) * _SCALE_WORDS[w]
                current = Decimal(0)
        value = total + current
        if half:
            value /= 2
        big = [_SCALE_WORDS[w] for w in words if w in _SCALE_WORDS and w != "hundred"]
        scale = big[-1] if big else Decimal(1)
        return _Num(value, start, self.toks[j - 1].end, j, bool(big), scale=scale)

    def digit_number(self, i: int, money: bool) -> _Num | None:
        t = self.toks[i]
        if t.kind != "num":
            return None
        try:
            value = Decimal(t.text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the token pattern only lets numbers through
            return None
        j = i + 1
        end = t.end
        power = self.power(j)
        if power is not None:  # "10^400 troops", "10⁶": the power, never its exponent alone
            exponent, j = power
            return _Num(_raised(value, exponent), t.start, self.toks[j - 1].end, j, True)
        scaled = False
        scale = Decimal(1)
        nxt = self._tok(j)
        money_unit = None
        after = self._tok(j + 1)
        if nxt is not None and nxt.text in ("-", "(") and after is not None and after.low in _SCALE_WORDS and (
                nxt.text == "(" or (self._adjacent(j) and self._adjacent(j + 1))):
            # "22-million jobs", "8.5 (million) rebates": the scale word hyphenated or in brackets
            closing = self._tok(j + 2)
            if nxt.text == "-" or (closing is not None and closing.text == ")"):
                scale = _SCALE_WORDS[after.low]
                end, j = ((after.end, j + 2) if nxt.text == "-" or closing is None
                          else (closing.end, j + 3))
                return _Num(value * scale, t.start, end, j, True, None, scale)
        if nxt is not None and nxt.kind == "word":
            low = nxt.low
            glued = self._adjacent(j)
            if low in _SCALE_WORDS and not glued:
                scale = _SCALE_WORDS[low]
                value *= scale
                scaled = True
                end, j = nxt.end, j + 1
            elif low in _SCALE_ABBREV:
                scale = _SCALE_ABBREV[low]
                value *= scale
                scaled = True
                end, j = nxt.end, j + 1
            elif glued and low in _MONEY_ABBREV and money:
                scale = _MONEY_ABBREV[low]
                value *= scale
                scaled = True
                end, j = nxt.end, j + 1
            elif glued and low in _CURRENCY_CODES:
                money_unit = nxt.text.upper()
                end, j = nxt.end, j + 1
            elif glued and low not in _MEASURE_UNITS:
                return None  # 5G, 3D, 18th: not a quantity
        return _Num(value, t.start, end, j, scaled, money_unit, scale)

    def power(self, j: int) -> tuple[int, int] | None:
        """(exponent, next index) of a power written right after a number: ``^400``,
        ``^ -3``, ``**2`` or superscript digits (``⁴⁰⁰``); None when there is none."""
        tok = self._tok(j)
        if tok is None:
            return None
        if tok.text in _SUPERSCRIPTS and self._adjacent(j):
            k = j + 1
            while (nxt := self._tok(k)) is not None and nxt.text in _SUPERSCRIPTS and self._adjacent(k):
                k += 1
            return _exponent("".join(_SUPERSCRIPTS[self.toks[m].text] for m in range(j, k))), k
        if tok.text == "^":
            k = j + 1
        elif tok.text == "*" and self._adjacent(j) and (star := self._tok(j + 1)) is not None \
                and star.text == "*" and self._adjacent(j + 1):
            k = j + 2
        else:
            return None
        sign = self._tok(k)
        negative = sign is not None and sign.text in ("-", "\u2212")
        digits = self._tok(k + negative)
        if digits is None or not digits.text.isdecimal():
            return None
        return (-1 if negative else 1) * _exponent(digits.text), k + negative + 1

    def _is_name_number(self, i: int) -> bool:
        """A bare integer right after a capitalised name, inside a sentence: a model, flight,
        product or article number ("Boeing 737", "Atari 2600", "Flight 370", "Max 8"), not
        an amount. A sentence's first word is a name only when another capitalised word
        follows the number ("Boeing 737 Max")."""
        t, prev = self.toks[i], self._tok(i - 1)
        if prev is None or prev.kind != "word" or not prev.text[:1].isupper() or self._adjacent(i):
            return False
        if not re.fullmatch(r"\d{1,5}", t.text) or prev.low in _STOP or prev.low in _SCALE_WORDS:
            return False
        if prev.low in _CURRENCY_CODES or prev.text in _CURRENCY_LETTERS or prev.low in _AGE_WORDS:
            return False
        if re.fullmatch(_MONTH, prev.text) or (len(prev.text) > 1 and prev.text.isupper() and prev.low != "max"):
            return False  # "June 5", an acronym or a word in capitals ("FOUR", "NATO 32")
        if any(words[0] == prev.low for words in _QUALIFIERS):
            return False  # "Over 100", "Some 600,000"
        nxt = self._tok(i + 1)
        if nxt is not None and nxt.low in _SCALE_WORDS:
            return False  # "D 298 million", "K 5 billion": a currency's letter and an amount, no model number
        before = self._tok(i - 2)
        inside = before is not None and before.text not in (".", "!", "?", '"', "“", ":", ";")
        return inside or (nxt is not None and nxt.kind == "word" and nxt.text[:1].isupper()
                          and not self._adjacent(i + 1))

    def number(self, i: int, money: bool, in_range: bool = False, after_prefix: bool = False) -> _Num | None:
        t = self._tok(i)
        if t is None:
            return None
        if t.kind == "num":
            if after_prefix:  # "N950 billion", "KSh1.57 trillion": the letters are the currency
                return self.digit_number(i, money)
            if self._is_blocked(t.start, t.end) or (not in_range and not money and self._is_name_number(i)):
                return None
            prev = self._tok(i - 1)
            if prev is not None and self._adjacent(i) and not in_range:
                if prev.kind == "word" or prev.text in (".", "/", ":"):
                    return None  # glued to a word or to another number: an identifier
                if prev.text == "-" and self._tok(i - 2) is not None and self._adjacent(i - 1):
                    return None
            return self.digit_number(i, money)
        if t.kind == "word":
            return self.word_number(i)
        return None

    def vague(self, i: int) -> tuple[Decimal, Decimal, str, int, int] | None:
        """(low, high, phrase, start, next index) of a vague amount at i."""
        t = self._tok(i)
        if t is None or t.kind != "word":
            return None
        low_words = [x.low for x in self.toks[i:i + 5]]
        start = t.start

        def with_of(j: int) -> int:
            nt = self._tok(j)
            return j + 1 if nt is not None and nt.low == "of" else j

        # "tens of thousands of", "hundreds of millions of"
        if len(low_words) >= 3 and low_words[0] in ("tens", "hundreds") and low_words[1] == "of" \
                and low_words[2] in ("thousands", "millions", "billions"):
            scale = _VAGUE_PLURALS[low_words[0]] * _VAGUE_PLURALS[low_words[2]]
            j = with_of(i + 3)
            return 2 * scale, 10 * scale - 1, self._phrase(i, j), start, j
        if low_words[0] in _VAGUE_PLURALS:
            scale = _VAGUE_PLURALS[low_words[0]]
            j = with_of(i + 1)
            if low_words[0] == "tens" and j == i + 1:
                return None  # "tens" alone is not an amount
            return 2 * scale, _VAGUE_SPAN[low_words[0]] * scale - 1, self._phrase(i, j), start, j
        if low_words[0] == "dozens":
            j = with_of(i + 1)
            return Decimal(24), Decimal(99), self._phrase(i, j), start, j
        if low_words[0] == "scores" and len(low_words) > 1 and low_words[1] == "of":
            j = i + 2
            return Decimal(40), Decimal(199), self._phrase(i, j), start, j
        if low_words[:3] == ["a", "handful", "of"]:
            j = i + 3
            return Decimal(2), Decimal(5), self._phrase(i, j), start, j
        for lead, n, lo, hi in (
            (["several"], 1, 3, 9),
            (["a", "few"], 2, 2, 5),
            (["a", "couple", "of"], 3, 2, 3),
            (["a", "couple"], 2, 2, 3),
        ):
            if low_words[:n] == lead and len(low_words) > n and low_words[n] in _SCALE_WORDS:
                scale = _SCALE_WORDS[low_words[n]]
                j = with_of(i + n + 1)
                return lo * scale, hi * scale, self._phrase(i, j), start, j
        return None

    def _phrase(self, i: int, j: int) -> str:
        return " ".join(t.low for t in self.toks[i:j])

    def range_end(self, first: _Num, j: int, between: bool, money: bool) -> tuple[_Num, Decimal] | None:
        """A second number after "-", "to", "or" (or "and" after "between"): (second, first value)."""
        t = self._tok(j)
        if t is None:
            return None
        if t.text in ("-", "–", "—") or t.low == "to" or t.low == "or" or (between and t.low == "and"):
            k = j + 1
            if self._tok(k) is not None and self.toks[k].text in _CURRENCY_SYMBOLS:
                k += 1
            second = self.number(k, money, in_range=True)
            if second is None:
                return None
            if t.low == "or" and not (first.value == first.value.to_integral_value() and first.value < 100):
                return None  # "two or three" is a range; "1,500 or 3,000" is two figures
            low = first.value
            # "10 to 12 million", "$1-2 billion": the scale written once applies to both ends
            if not first.scaled and second.scaled and low * second.scale < second.value:
                low = low * second.scale
            if low < second.value:
                return second, low
        return None

    # ---- one quantity at token i
    def parse_at(self, i: int) -> tuple[Quantity, int] | None:
        j = i
        start = self.toks[i].start
        qual = self.qualifier(j)
        qualifier = category = None
        if qual is not None:
            qualifier, category, _, j = qual
        # "aged 20 to 24", "under age 35": an age in years
        age = self._tok(j) is not None and self.toks[j].low in _AGE_WORDS and self._tok(j + 1) is not None \
            and self.toks[j + 1].kind == "num"
        if age:
            j += 1
        currency = None
        cur = self.currency_prefix(j)
        prefix_word = cur is not None and self.toks[j].kind == "word"
        if cur is not None:
            currency, j = cur
        # a share: "one in four", "one out of every five", "a third of", "half of"
        if currency is None and not age:
            points = self.fraction_of_point(j)
            if points is not None:  # "a quarter of a percentage point", "half a point": a change in points
                value_pp, j = points
                lo_p, hi_p = _open_ends(category, value_pp, value_pp)
                return self.finish(start if qualifier else self.toks[i].start, j, value_pp, lo_p, hi_p, qualifier,
                                   "percent", "percentage points")
            share = self.proportion(j)
            if share is not None:
                pct, j = share
                lo_p, hi_p = _open_ends(category, pct, pct)
                return self.finish(start if qualifier else self.toks[i].start, j, pct, lo_p, hi_p, qualifier,
                                   "percent", "%")
        # a vague amount
        if currency is None and not age:
            vague = self.vague(j)
            if vague is not None:
                low, high, phrase, _, j = vague
                lo, hi = _open_ends(category, low, high)
                q_text = phrase if qualifier is None else f"{qualifier} {phrase}"
                t = self._tok(j)
                if t is not None and t.low in _CURRENCY_WORDS and self._currency_word(j):
                    # "billions of dollars": a vague amount of money
                    return self.finish(start, j + 1, None, lo, hi, q_text, "money", _CURRENCY_WORDS[t.low])
                unit, j = self.counted_noun(j)
                return self.finish(start, j, None, lo, hi, q_text, "count", unit)
        first = self.number(j, money=currency is not None, after_prefix=prefix_word)
        if first is None:
            return None
        if qualifier is None and currency is None and not age:
            start = first.start
        if self._is_reference(first, j, qualifier, currency):
            return None
        j = first.next
        prev_tok = self._tok(i - 1)
        after_from = prev_tok is not None and prev_tok.low == "from" and qualifier is None
        between = category == "between"
        pct_first = False
        t = self._tok(j)
        if t is not None and t.text == "%" and self._tok(j + 1) is not None and \
                (self.toks[j + 1].low in ("to", "and", "-", "–") and not after_from):
            # "5% to 7%", "between 5% and 7%": the sign written on both ends
            rng = self.range_end(first, j + 1, between, False)
            if rng is not None and not between:
                after_second = self._tok(rng[0].next)
                if after_second is None or (after_second.text != "%" and after_second.low not in ("percent", "pct")):
                    rng = None  # "rose 7.4% to 2,480": a change and a level, two figures
            pct_first = rng is not None
        else:
            rng = None
        if rng is None and not after_from:
            rng = self.range_end(first, j, between, currency is not None)
        if rng is None and between:
            return None
        if rng is not None and currency is None and not pct_first and self._is_year_span(first, rng[0]):
            return None  # "2013 to 2019", "from 2014-2019": years
        open_end = None
        if rng is None and self._tok(j) is not None and self.toks[j].low == "or" and self._tok(j + 1) is not None:
            # "55 or older", "three or more": an open bound
            open_end = {"older": "lower", "more": "lower", "over": "lower", "above": "lower", "younger": "upper",
                        "less": "upper", "fewer": "upper", "under": "upper", "below": "upper"}.get(self.toks[j + 1].low)
            if open_end is not None:
                if self.toks[j + 1].low in ("older", "younger"):
                    age = True
                qualifier = f"or {self.toks[j + 1].low}"
                category = open_end
                j += 2
        if rng is None:
            after = self._tok(j)
            nxt = self._tok(j + 1)
            if after is not None and after.text in ("-", "–") and self._adjacent(j) and nxt is not None \
                    and self._adjacent(j + 1):
                if nxt.kind == "num":
                    return None  # 3-2, 24-7: a score or a code, not a quantity
                if nxt.kind == "word" and nxt.low in _MEASURE_UNITS and nxt.low not in _DURATION_WORDS:
                    # "a 48-kilometre line", "a 400-hectare farm": a measure written as a modifier
                    return self.finish(start, j + 2, first.value, first.value, first.value, qualifier, "measure",
                                       self.text[nxt.start:nxt.end])
                if nxt.kind == "word" and nxt.low != "strong":
                    return None  # "a 10-day visit", "a 27-member bloc": a modifier
            if self._is_age(first, i, j):
                return None
        value: Decimal | None
        if rng is not None:
            second, low_value = rng
            value, lo, hi = None, low_value, second.value
            j = second.next
            currency = currency or first.money_unit or second.money_unit
        else:
            value = first.value
            lo = hi = value
            currency = currency or first.money_unit
            if self._is_year(first, i, j, currency, qualifier):
                return None
        tol = Decimal(str(APPROX_TOLERANCE))
        if category == "approx" and value is not None:
            # "about 54 percent" is 53-55, not 48.6-59.4: the slack is the figure's rounding
            # unit as written (1 for 54, 1,000 for 12,000, 0.1 for 1.6), at most 10% each way
            slack = min(abs(value) * tol, _rounding_unit(value))
            lo, hi = value - slack, value + slack
        elif category == "approx":
            lo = lo * (1 - tol) if lo is not None else None
            hi = hi * (1 + tol) if hi is not None else None
        elif category == "below":
            lo = lo * (1 - tol) if lo is not None else None
        elif category == "above":
            hi = hi * (1 + tol) if hi is not None else None
        elif category == "lower":
            hi = None
        elif category == "upper":
            lo = None
        if value is not None and currency is None and not age:
            sign = self._tok(i - 1)
            if sign is not None and sign.text in ("-", "−") and self._adjacent(i) and not self._adjacent(i - 1):
                # "-$1,548", "fell to -3%": a negative figure (not "24-7" nor "COVID-19")
                value, lo, hi, start = -value, (-hi if hi is not None else None), -lo if lo is not None else None, \
                    sign.start
        kind = "count"
        unit = None
        # percent / money / measure suffixes
        t = self._tok(j)
        t2 = self._tok(j + 1)
        if pct_first and (t is None or t.text != "%"):
            kind, unit = "percent", "%"
        elif currency is None and t is not None:
            if t.text == "%" or t.low in ("percent", "pct", "pc"):
                kind, unit, j = "percent", "%", j + 1
            elif t.text == "," and t2 is not None and t2.low == "percent":
                kind, unit, j = "percent", "%", j + 2  # "3.1, percent" (a stray comma)
            elif t.low == "per" and t2 is not None and t2.low == "cent":
                kind, unit, j = "percent", "%", j + 2
            elif t.low == "percentage" and t2 is not None and t2.low in ("points", "point"):
                kind, unit, j = "percent", "percentage points", j + 2
            elif t.low in _CURRENCY_WORDS and self._currency_word(j):
                currency = _CURRENCY_WORDS[t.low]
                prev = self._tok(j - 1)
                j += 1
                if t.low.startswith("dollar") and prev is not None:
                    code = {"us": "USD", "canadian": "CAD", "australian": "AUD", "hong": "HKD"}.get(prev.low)
                    if code:
                        currency = code
            elif t.low in _CURRENCY_CODES and t.text.isupper():
                currency = t.text.upper().replace("RMB", "CNY")
                j += 1
            elif t.low in _MEASURE_UNITS:
                k = j
                words: list[_Tok] = []
                while self._tok(k) is not None and self.toks[k].low in _MEASURE_UNITS and len(words) < 3:
                    words.append(self.toks[k])
                    k += 1
                kind, unit, j = "measure", self.text[words[0].start:words[-1].end], k
        elif currency is not None and t is not None and t.low in _CURRENCY_WORDS and (
            _CURRENCY_WORDS[t.low] == currency
        ):
            j += 1  # "$5 dollars"
        if currency is not None:
            kind, unit = "money", currency
            sign = self._tok(i - 1)
            if value is not None and qualifier is None and sign is not None and sign.text in ("-", "−") \
                    and self._adjacent(i) and not self._adjacent(i - 1):
                value, lo, hi, start = -value, -value, -value, sign.start  # "-$1,548"
        if age and kind == "count":
            kind, unit = "measure", "years"
            t = self._tok(j)
            if t is not None and t.low in ("years", "year"):
                j += 1
        if kind == "count":
            unit, j = self.counted_noun(j)
        j = self._per_denominator(j)
        return self.finish(start, j, value, lo, hi, qualifier, kind, unit)

    def _per_denominator(self, j: int) -> int:
        """"60 deaths per 100,000 (people)": the denominator belongs to the rate, it is not
        a figure of its own."""
        t, nxt = self._tok(j), self._tok(j + 1)
        if t is None or t.low != "per" or nxt is None or nxt.kind != "num" or self._is_blocked(nxt.start, nxt.end):
            return j
        num = self.digit_number(j + 1, False)
        if num is None:
            return j
        k = num.next
        after = self._tok(k)
        if after is not None and after.kind == "word" and after.low not in _STOP and _looks_plural(after.text):
            k += 1
        return k

    def _currency_word(self, j: int) -> bool:
        t = self.toks[j]
        if t.low in _LOWER_CASE_ONLY and not t.text.islower():
            return False
        return not (t.low in ("pound", "pounds") and self._weight_context(j))

    def _is_reference(self, first: _Num, j: int, qualifier: str | None, currency: str | None) -> bool:
        """A spelled-out number up to ten after a definite determiner or "between": it refers
        to things already named ("the two countries", "its three neighbours", "between two
        sovereign states") rather than stating how many there are. Digits stay figures
        ("the 8,000 soldiers")."""
        if qualifier is not None or currency is not None or first.scaled or first.value > 10:
            return False
        t, prev, after = self._tok(j), self._tok(j - 1), self._tok(first.next)
        if after is not None and (after.low in _MEASURE_UNITS or after.low in _CURRENCY_WORDS):
            return False  # "the four years preceding", "the two million dollars": amounts
        return t is not None and t.kind == "word" and prev is not None and prev.low in _DEFINITE

    def _is_year_span(self, first: _Num, second: _Num) -> bool:
        years = [self.text[n.start:n.end] for n in (first, second)]
        if not all(re.fullmatch(r"\d{4}", y) and 1000 <= int(y) <= 2100 for y in years):
            return False
        after = self._tok(second.next)
        return not (after is not None and (after.text == "%" or after.low in _CURRENCY_WORDS or after.low == "percent"
                                           or (after.kind == "word" and _looks_plural(after.text)
                                               and after.low not in _STOP)))

    def fraction_of_point(self, j: int) -> tuple[Decimal, int] | None:
        """(points, next index) of "a quarter of a percentage point", "half a percentage point",
        "three-quarters of a point": a fraction of one percentage point."""
        words = [t.low for t in self.toks[j:j + 6]]
        fraction: Decimal | None = None
        k = 0
        if len(words) >= 2 and words[0] in ("a", "one") and words[1] in _FRACTIONS:
            fraction, k = Decimal(1) / _FRACTIONS[words[1]], 2
        elif words and "-" in words[0] and words[0].split("-")[0] in _SMALL and words[0].split("-")[1] in _FRACTIONS:
            num, den = words[0].split("-")
            fraction, k = Decimal(_SMALL[num]) / _FRACTIONS[den], 1
        elif words and words[0] == "half":
            fraction, k = Decimal("0.5"), 1
        if fraction is None:
            return None
        rest = words[k:]
        if rest[:1] == ["of"]:
            rest, k = rest[1:], k + 1
        if rest[:1] in (["a"], ["one"]):
            rest, k = rest[1:], k + 1
        if rest[:2] == ["percentage", "point"]:
            return fraction.quantize(Decimal("0.000001")), j + k + 2
        if rest[:1] == ["point"] and k >= 2:
            return fraction.quantize(Decimal("0.000001")), j + k + 1
        return None

    def proportion(self, j: int) -> tuple[Decimal, int] | None:
        """(percent, next index) of "one in four", "1 out of every 5", "a third of",
        "two-thirds of", "half of"."""
        t = self._tok(j)
        if t is None or t.kind not in ("word", "num") or self._is_blocked(t.start, t.end):
            return None
        numerator: Decimal | None = None
        if t.kind == "num" and re.fullmatch(r"\d{1,3}", t.text):
            numerator, k = Decimal(t.text), j + 1
        elif t.low in ("a", "an", "one"):
            numerator, k = Decimal(1), j + 1
        elif t.low in _SMALL and _SMALL[t.low] < 10:
            numerator, k = Decimal(_SMALL[t.low]), j + 1
        elif "-" in t.low and t.low.split("-")[0] in _SMALL and t.low.split("-")[1] in _FRACTIONS:
            parts = t.low.split("-")  # "two-thirds"
            nxt = self._tok(j + 1)
            if nxt is None or nxt.low != "of":
                return None
            return (Decimal(_SMALL[parts[0]]) * 100 / _FRACTIONS[parts[1]]).quantize(Decimal("0.000001")), j + 1
        elif t.low == "half":
            nxt = self._tok(j + 1)
            if nxt is not None and nxt.low == "of":
                return Decimal(50), j + 1
            return None
        else:
            return None
        nxt = self._tok(k)
        if nxt is None:
            return None
        if nxt.low in _FRACTIONS and nxt.low not in ("half", "halves"):
            after = self._tok(k + 1)
            if after is None or after.low != "of":
                return None
            return (numerator * 100 / _FRACTIONS[nxt.low]).quantize(Decimal("0.000001")), k + 1
        if nxt.low == "out" and self._tok(k + 1) is not None and self.toks[k + 1].low == "of":
            k += 2
        elif nxt.low == "in":
            k += 1
        else:
            return None
        if self._tok(k) is not None and self.toks[k].low == "every":
            k += 1
        denom_tok = self._tok(k)
        if denom_tok is None:
            return None
        if denom_tok.kind == "num" and re.fullmatch(r"\d{1,4}", denom_tok.text) and not (
                len(denom_tok.text) == 4 and 1000 <= int(denom_tok.text) <= 2100):
            denominator = Decimal(denom_tok.text)
        elif denom_tok.low in _SMALL or denom_tok.low in ("hundred", "thousand"):
            denominator = Decimal(_SMALL.get(denom_tok.low, 100 if denom_tok.low == "hundred" else 1000))
        else:
            return None
        if denominator <= numerator or denominator == 0:
            return None
        return (numerator * 100 / denominator).quantize(Decimal("0.000001")), k + 1

    def _is_age(self, num: _Num, i: int, j: int) -> bool:
        """", 45," after a name: an age in an apposition."""
        prev, prev2, nxt = self._tok(i - 1), self._tok(i - 2), self._tok(j)
        return (
            prev is not None and prev.text == "," and prev2 is not None and prev2.text[:1].isupper()
            and nxt is not None and nxt.text == "," and num.value < 130 and not num.scaled
        )

    def _weight_context(self, j: int) -> bool:
        nxt = self._tok(j + 1)
        return nxt is not None and nxt.low in ("of", "in") and self._tok(j + 2) is not None \
            and self.toks[j + 2].low not in ("aid", "funding", "debt", "investment")

    def _is_year(self, num: _Num, i: int, j: int, currency: str | None, qualifier: str | None) -> bool:
        raw = self.text[num.start:num.end]
        if currency or num.scaled or not re.fullmatch(r"\d{4}", raw) or not 1000 <= num.value <= 2100:
            return False
        nxt = self._tok(j)
        if nxt is not None and nxt.text == "%":
            return False
        if qualifier is not None:
            return False
        if nxt is not None and nxt.kind == "word" and nxt.low not in _STOP and _looks_plural(nxt.text):
            prev = self._tok(i - 1)
            return prev is not None and prev.low in ("in", "since", "by", "until", "till", "of", "from",
                                                     "the", "early", "late", "mid", "year", "spring",
                                                     "summer", "autumn", "fall", "winter")
        return True

    def counted_noun(self, j: int) -> tuple[str | None, int]:
        """The noun phrase after a number: "North Korean soldiers", "troops"."""
        t = self._tok(j)
        # "8,000-strong force"
        if t is not None and t.text == "-" and self._adjacent(j) and self._tok(j + 1) is not None \
                and self.toks[j + 1].low == "strong":
            j += 2
        t = self._tok(j)
        if t is not None and t.text == "(":  # "250 (voter registration) groups"
            close = next((k for k in range(j + 1, min(j + 6, len(self.toks))) if self.toks[k].text == ")"), None)
            after = self._tok(close + 1) if close is not None else None
            if close is not None and after is not None and after.kind == "word" and after.low not in _STOP:
                unit, k = self.counted_noun(close + 1)
                if unit is not None:
                    return self.text[t.start:self.toks[k - 1].end], k
        while self._tok(j) is not None and self.toks[j].low in _SKIP_BEFORE_UNIT and \
                self._tok(j + 1) is not None and self.toks[j + 1].kind == "word" and \
                self.toks[j + 1].low not in _STOP:
            j += 1
        words: list[_Tok] = []
        k = j
        while k < len(self.toks) and len(words) < 5:
            w = self.toks[k]
            if w.kind != "word" or w.low in _SMALL or w.low in _SCALE_WORDS:
                break
            if w.low in _STOP and not (w.text.isupper() and len(w.text) > 1):  # "US", not "us"
                break
            if "\n" in self.text[self.toks[k - 1].end:w.start]:
                break  # a counted noun never runs into the next line
            nxt = self._tok(k + 1)
            nxt_is_word = nxt is not None and nxt.kind == "word" and (
                nxt.low not in _STOP or (nxt.text.isupper() and len(nxt.text) > 1))
            if re.search(r"(?:ed|ing|ly)$", w.low) and not nxt_is_word and (
                    words or w.low not in _IRREGULAR_PLURALS):
                break  # "233 needed to", "3,000 arrived": a verb, not what is counted
            if words and re.search(r"(?:ed|ing)$", w.low) and _looks_plural(words[-1].text):
                break
            words.append(w)
            k += 1
            if _looks_plural(w.text):
                if "-" in w.text and nxt_is_word:
                    continue  # "special-forces soldiers"
                if w.text[:1].isupper() and nxt_is_word and nxt is not None and nxt.text[:1].isupper():
                    continue  # "Armed Forces Personnel"
                if w.text[:1].isupper() and nxt_is_word and nxt is not None and _looks_plural(nxt.text):
                    continue  # "Texas students": a capitalised word that only looks plural
                if w.low in _IRREGULAR_PLURALS and nxt_is_word and nxt is not None and nxt.low.endswith("s") \
                        and nxt.low not in _IRREGULAR_PLURALS and _looks_plural(nxt.text):
                    continue  # "police officers", "staff members": the first noun names the second's kind
                break
            if nxt is not None and nxt.text == "," and not _looks_plural(w.text):
                # "10,000 brand-new, beautiful factories": adjectives joined by a comma
                rest = self.toks[k + 1:k + 4]
                ends = next((n for n, r in enumerate(rest) if r.kind == "word" and r.low not in _STOP
                             and _looks_plural(r.text)), None)
                if ends is not None and all(r.kind == "word" and r.low not in _STOP for r in rest[:ends + 1]) \
                        and len(words) + ends + 1 <= 5:
                    words.extend(rest[:ends + 1])
                    k = k + 1 + ends + 1
                    break
        while words and re.search(r"ly$", words[-1].low):
            words.pop()
        if not words:
            return None, j
        return self.text[words[0].start:words[-1].end], self.toks.index(words[-1]) + 1

    def finish(self, start: int, j: int, value: Decimal | None, lo: Decimal | None, hi: Decimal | None,
               qualifier: str | None, kind: str, unit: str | None) -> tuple[Quantity, int]:
        end = self.toks[j - 1].end
        q = Quantity(
            value=_f(value), low=_f(lo), high=_f(hi), unit=unit, qualifier=qualifier,
            text=self.text[start:end], start=start, end=end, kind=kind,
        )
        return q, j

    def scan(self) -> list[Quantity]:
        out: list[Quantity] = []
        i = 0
        while i < len(self.toks):
            found = self.parse_at(i)
            if found is None:
                i += 1
                continue
            q, j = found
            if q.qualifier == "over" and out and q.kind == "measure" and counted_head(q.unit) in _TIME_UNITS \
                    and out[-1].end == self.toks[i - 1].end:
                # "$4.6 trillion over 10 years": the period the figure covers, not "more than"
                again = self.parse_at(i + 1)
                if again is not None:
                    q, j = again
            out.append(q)
            i = max(j, i + 1)
        return [self._points_of_rate(q, out) for q in out]

    def _points_of_rate(self, q: Quantity, found: list[Quantity]) -> Quantity:
        """Bare points of a rate are percentage points: "its pass rate climbing 3.9 points to
        73.0%", "the jobless rate fell half a point". Points with no rate or percent in their
        sentence stay points (an index, a score)."""
        if q.kind != "count" or (q.unit or "").lower() not in ("points", "point") or q.value is None:
            return q
        lo = max(self.text.rfind(".", 0, q.start), self.text.rfind("\n", 0, q.start)) + 1
        ends = [e for e in (self.text.find(".", q.end), self.text.find("\n", q.end)) if e >= 0]
        hi = min(ends) if ends else len(self.text)
        percents = [p for p in found if p.kind == "percent" and p.unit == "%" and lo <= p.start < hi
                    and p.value is not None and p.value >= q.value]
        if not percents and not _RATE_BEFORE.search(self.text[max(lo, q.start - 60):q.start]):
            return q
        return replace(q, unit="percentage points", kind="percent")


def _rounding_unit(value: Decimal) -> Decimal:
    """The place of a figure's last significant digit: 1 for 54, 1,000 for 12,000, 0.1 for 1.6."""
    if value == 0:
        return Decimal(1)
    exponent = value.normalize().as_tuple().exponent
    return Decimal(10) ** int(exponent)


def _open_ends(category: str | None, low: Decimal, high: Decimal) -> tuple[Decimal | None, Decimal | None]:
    """The bounds of an amount that is not a plain value (a share, a vague amount) under a
    hedge: "more than" leaves the top open, "up to" and "nearly" the bottom."""
    if category in ("lower", "above"):
        return low, None
    if category in ("upper", "below"):
        return None, high
    return low, high


_SUPERSCRIPTS = {c: str(d) for d, c in enumerate("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")}
_MAX_EXPONENT = 1000  # past it a power is not a figure anyone counts: stored without a value


def _exponent(digits: str) -> int:
    """An exponent as written; one too long to read is past :data:`_MAX_EXPONENT` anyway."""
    return int(digits) if len(digits) <= 6 else _MAX_EXPONENT + 1


def _raised(base: Decimal, exponent: int) -> Decimal:
    """``base ** exponent``; infinite where that is past any float (stored without a value)."""
    if abs(exponent) > _MAX_EXPONENT:
        return Decimal("Infinity") if exponent > 0 and base > 1 else Decimal(0)
    try:
        return base ** exponent
    except (DecimalException, ArithmeticError):  # overflow, or 0 to a negative power
        return Decimal("Infinity")


def _f(x: Decimal | None) -> float | None:
    """A figure as stored: a float, or None where it is not finite as one ("999...9" with
    400 digits, 10^400): the quantity keeps its text, and no table or JSON holds infinity."""
    if x is None or not x.is_finite():
        return None
    number = float(x)
    return round(number, 6) if math.isfinite(number) else None


def _looks_plural(word: str) -> bool:
    low = word.lower().split("-")[-1]
    if low in _IRREGULAR_PLURALS:
        return True
    if word.isupper():
        return False
    return len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is", "ous"))


def parse_quantities(text: str) -> list[Quantity]:
    """Every quantity in ``text``, in order, with offsets (``text[q.start:q.end] == q.text``).

    Passage-sized texts are memoised (the verdict stage judges one passage against every
    claim it is a candidate for); quantities are frozen, so sharing them is safe."""
    if not text:
        return []
    if len(text) <= 2000:
        return list(_parse_short(text))
    return _Scanner(text).scan()


@functools.lru_cache(maxsize=8192)
def _parse_short(text: str) -> tuple[Quantity, ...]:
    return tuple(_Scanner(text).scan())


# --------------------------------------------------------------------------- what is counted

_IRREGULAR_SINGULAR = {
    "people": "person", "men": "man", "women": "woman", "children": "child",
    "servicemen": "serviceman", "servicewomen": "servicewoman", "lives": "life", "feet": "foot", "inches": "inch",
    "personnel": "personnel", "police": "police", "staff": "staff", "troops": "troop",
    "infantrymen": "infantryman", "militia": "militia", "crises": "crisis", "analyses": "analysis",
}
# Head nouns that count the same thing. Small on purpose: a wrong merge hides a real
# disagreement between sources, a missing one only loses a comparison.
_SYNONYMS = {
    "troops": {
        "troop", "soldier", "personnel", "force", "serviceman", "servicewoman", "fighter",
        "combatant", "marine", "paratrooper", "commando", "infantryman", "infantry", "conscript",
        "recruit", "reservist", "mercenary", "army", "military", "militia", "sailor", "airman",
        "special-force", "servicemember", "trooper", "guard", "guardsman", "men",
    },
    # formations count groups of soldiers, not soldiers: "four brigades" is not 4 troops
    "formations": {"battalion", "brigade", "unit", "contingent", "regiment", "division", "company", "squad"},
    "people": {"person", "individual", "resident", "inhabitant", "citizen", "man", "woman"},
    "deaths": {"death", "fatality", "dead", "life", "body", "killed"},
    "casualties": {"casualty", "wounded", "injured", "injury", "killed-or-wounded"},
    "refugees": {"refugee", "displaced", "evacuee", "asylum-seeker", "idp"},
    "missiles": {"missile", "rocket"},
    "vessels": {"vessel", "ship"},
    "drones": {"drone", "uav"},
    "km": {"km", "kilometre", "kilometer", "kms"},
    "mm": {"mm", "millimetre", "millimeter"},
    "cm": {"cm", "centimetre", "centimeter"},
    "metre": {"metre", "meter"},
    "kg": {"kg", "kilogram", "kilo"},
    "hectare": {"hectare", "ha"},
    "litre": {"litre", "liter"},
    "mile": {"mile"},
    "tonne": {"tonne", "ton", "t"},
}
_CLASS_OF = {word: cls for cls, words in _SYNONYMS.items() for word in words}
_SERVICE_MODIFIERS = {"service", "military", "army", "armed", "navy", "forces"}


def _singular(word: str) -> str:
    if word in _IRREGULAR_SINGULAR:
        return _IRREGULAR_SINGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def counted_head(unit: str | None) -> str | None:
    """The class of thing a unit counts: "North Korean soldiers", "troops", "personnel" and
    "special-forces soldiers" are all ``"troops"``; other nouns fold to their singular
    ("tanks" -> "tank"). Currencies and "%" come back as they are; None when nothing is
    counted."""
    if unit is None:
        return None
    unit = unit.strip()
    if not unit:
        return None
    if unit in ("%", "percentage points") or re.fullmatch(r"[A-Z]{1,3}", unit):
        return unit
    words = re.findall(r"[a-z]+(?:-[a-z]+)*", unit.lower())
    if not words:
        return None
    head = _singular(words[-1])
    if head == "member" and len(words) > 1 and words[-2] in _SERVICE_MODIFIERS:
        head = "servicemember"
    if "-" in head:
        last = _singular(head.rsplit("-", 1)[-1])
        head = head if head in _CLASS_OF else last
    return _CLASS_OF.get(head, head)


_TIME_UNITS = {"second", "minute", "hour", "day", "week", "month", "year", "decade", "century", "centurie"}
_FRAME_BEFORE = re.compile(
    r"\b(?:over|in|during|for|within|throughout|across|from)\s+(?:the\s+|a\s+)?"
    r"(?:past|last|next|coming|previous|preceding|first|following|recent)\s+$", re.IGNORECASE)
_FRAME_AFTER = re.compile(r"^\s*(?:ago|earlier|before|prior|back)\b", re.IGNORECASE)
# "in the 12 months to October 2026", "the three months ending in June": a period, not a figure
_FRAME_TO = re.compile(r"^\s*(?:to|ending|ended|through)\s+(?:in\s+)?(?:the\s+end\s+of\s+)?(?:" + _MONTH + r"|\d{4}\b)")


def is_time_frame(text: str, q: Quantity) -> bool:
    """Whether a quantity only sets the time frame of a statement ("over the past 30 years",
    "in the next 12 months", "two decades ago") rather than being the figure it asserts."""
    head = counted_head(q.unit)
    if head is None or head not in _TIME_UNITS:
        return False
    before = text[max(0, q.start - 40):q.start]
    return bool(_FRAME_BEFORE.search(before) or _FRAME_AFTER.search(text[q.end:q.end + 12])
                or _FRAME_TO.search(text[q.end:q.end + 40]))


_SUBJECT_FIGURE = re.compile(r"\s+(?:were|was|are|is|have|has|had|will|would|could|did|do|\w+ed)\b")
_COMPLEMENT_VERB = re.compile(r"=|:\s*$|\b(?:rose|fell|rise|fall|rising|falling|risen|fallen|increased|decreased|grew|"
                              r"dropped|declined|climbed|jumped|reached|totall?ed|stood|numbered|came|hit|was|were|is|"
                              r"are|amounted|doubled|halved|surged|slumped|edged|to)\b")
_ANAPHOR = re.compile(r"\b(?:the|that|this|their|its)\s+(?:number|figure|total|count|tally|estimate|size)\b[^.;]{0,25}"
                      r"\b(?:at|was|is|as|of|to)\s+(?:[a-z]+\s+){0,2}$", re.IGNORECASE)
_FINITE_VERB = re.compile(r"\b(?:has|have|had|is|are|was|were|will|\w+ed)\b")
_TABLE_CAPTION = re.compile(r"\bTable\b[^=]*$")
_CLAUSE_OPEN = re.compile(r"(?:[.;:!?]\s|\n|^)(?!.*(?:[.;:!?]\s|\n))", re.DOTALL)
_YEARISH = range(1900, 2101)


@functools.lru_cache(maxsize=65536)
def refers_back(text: str, q: Quantity) -> bool:
    """Whether a figure is given as "the number" of something named before its sentence ("put
    the number at between 4,800 and 5,200")."""
    before = text[max(0, q.start - 200):q.start]
    opened = _CLAUSE_OPEN.search(before)
    return _ANAPHOR.search(before[opened.end():] if opened else before) is not None


@functools.lru_cache(maxsize=65536)
def unit_named_before(text: str, q: Quantity, unit: str | None) -> bool:
    """Whether a bare count (a figure without a unit of its own) counts ``unit``'s thing
    because its sentence names that thing before it: "Irregular crossings detected at the
    border rose to 11,400", "Asylum applications lodged fell by 7.9%, to 6,260 from 6,800",
    "September 2025, asylum applications lodged = 2,050" (a table cell), "received 48,211
    votes and Abbasov 48,054". Only when no figure of another counted thing stands between
    the naming word and the figure, and the figure is no year."""
    head = counted_head(unit)
    if q.unit is not None or q.kind != "count" or head is None or head in _TIME_UNITS:
        return False
    if q.value is not None and q.value == int(q.value) and int(q.value) in _YEARISH and "," not in q.text:
        return False
    before = text[max(0, q.start - 200):q.start]
    opened = _CLAUSE_OPEN.search(before)
    clause = before[opened.end():] if opened else before
    cell = before.rstrip()
    caption = _TABLE_CAPTION.search(cell[:-1]) if cell.endswith("=") else None
    if caption is not None:  # a table cell ("Table. Police officers by force. Dunmarrow = 6,180"): its caption names it
        clause = before[caption.start():]
    offset = q.start - len(clause)
    if _SUBJECT_FIGURE.match(text, q.end):
        return False  # "..., 287 arrived after the deadline": the figure is its own clause's subject
    if _ANAPHOR.search(clause):
        # "Police estimated the crowd at about 1,500 people. A team put the number at between
        # 4,800 and 5,200": "the number" is the previous sentence's count
        previous = text[max(0, q.start - len(clause) - 300):q.start - len(clause)]
        last_sentence = re.split(r"(?<=[.!?])\s+", previous.strip())[-1] if previous.strip() else ""
        if any(counted_head(o.unit) == head for o in parse_quantities(last_sentence)):
            return True
    words = list(re.finditer(r"[A-Za-z]+(?:-[A-Za-z]+)*", clause))
    named = [w for w in words if counted_head(w.group(0).lower()) == head]
    if not named:
        return False
    last = named[-1].end() + offset
    between = text[last:q.start]
    others = parse_quantities(between)
    if any(counted_head(o.unit) not in (None, head) and o.kind == "count" for o in others):
        return False
    # the named thing is the subject whose verb gives the figure ("crossings ... rose to
    # 11,400", "applications lodged = 2,050"), or the figure is coordinated with one of that
    # thing ("48,211 votes and Abbasov 48,054")
    at = named[-1].start() + offset
    unit_of_figure = re.search(r"\d[\d,.]*\s+(?:[A-Za-z-]+\s+)?$", text[max(0, at - 30):at]) is not None
    listed = unit_of_figure and not _FINITE_VERB.search(between)
    return listed or bool(_COMPLEMENT_VERB.search(between))


def same_counted_thing(a: Quantity, b: Quantity) -> bool:
    """Whether two quantities count the same thing, so that their values can be compared."""
    if a.kind != b.kind:
        return False
    if a.kind == "percent":
        return a.unit == b.unit
    ha, hb = counted_head(a.unit), counted_head(b.unit)
    return ha is not None and ha == hb


_CLAUSE_END = re.compile(r"[.,;:!?]|\b(?:said|says|told|while|but)\b")


def scope_window(text: str, q: Quantity) -> str:
    """The text after a quantity up to the end of its clause (the first comma or stop):
    where a figure's place and counted thing are named ("8,000 soldiers near Ukraine's
    border")."""
    rest = text[q.end:q.end + 160]
    end = _CLAUSE_END.search(rest)
    return rest[: end.start()] if end else rest
