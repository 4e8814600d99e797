"""A claim's scope as data: what is counted, where, when, whose figure, and the bound.

A figure means something only in its scope. "1.6 percent" of consumer prices is not "3.25
percent" of a policy rate; 10,000 soldiers in eastern Russia are not 8,000 in Kursk; a
count given "in October" is the October count, not the count on the article's date.
:func:`claim_scope` reads the scope from the sentence itself:

``thing``
    the counted thing (the unit's noun, "North Korean troops") or, for a rate, a share or an
    amount of money, what it measures ("consumer prices", "base rate", "operating profit");
``status``
    a state that picks a subset of the thing ("rejected", "cast", "killed", "injured"):
    rejected ballots are not ballots cast;
``place``
    the place phrase after the figure ("in Russia's Kursk region");
``start`` / ``end`` / ``time_text``
    the time as an interval, from the sentence's own time words resolved against the
    article's date (:func:`time_span`): a day, a week, a month, a quarter or a year is the
    whole interval; "originally", "initially" mean some time before the article. Without
    time words the article's date is the time (``time_text`` None): the claim states the
    state of things as of its article;
``holder``
    whose figure it is ("the Pentagon said ..."), when the sentence names one;
``bound``
    the hedge as written ("about", "at least", "more than", "fewer than", "up to", "as
    many as").

:func:`figure_thing` and :func:`figure_status` read the same for any figure of any text,
so that a claim's figure and a source's figure can be compared like with like.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from claims.extract.quantities import scope_window
from claims.extract.words import stem
from claims.models import Quantity, Scope

__all__ = ["PAYER_BEFORE", "PLACE_PHRASE", "TimeSpan", "claim_scope", "clause_bounds", "figure_owner", "figure_place", "figure_status", "figure_thing", "is_descriptor", "spans_overlap",
           "time_span", "time_spans"]

# --------------------------------------------------------------------------- time

_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH_NAMES["sept"] = 9
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_WEEKDAY_LIST = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_NUMBER = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "several": 3, "a few": 3}
_YEAR = r"(?:19|20)\d{2}"

# Each alternative is one kind of time expression, tried in this order at each position.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [(kind, re.compile(rx, re.IGNORECASE)) for kind, rx in [
    # "for October 1 to December 31, 2025", "from July 1 through September 30", "between March 3 and
    # March 9": one interval, its year written once at its end
    ("date_range", r"\b(?:from\s+|between\s+)?(?P<mon>" + _MONTH + r")\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y1>"
                   + _YEAR + r"))?\s*(?:to|through|until|till|and|-|–)\s*(?P<mon2>" + _MONTH
                   + r")\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>" + _YEAR + r"))?"),
    ("iso", r"\b(?P<y>" + _YEAR + r")-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    # "in the year to June 2025", "the 12 months ending in March", "the year ended September 30":
    # the twelve months that end with that month
    ("year_to", r"\b(?:the\s+)?(?:year|12|twelve)(?:[\s-]+months?)?\s+(?:to|ending|ended|up\s+to|through)\s+"
                r"(?:the\s+end\s+of\s+|in\s+)?(?P<mon>January|February|March|April|May|June|July|August|September|"
                r"October|November|December)(?:\s+\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s+(?P<y>" + _YEAR + r"))?\b"),
    # "from July to September", "between June and August 2025": the months between, inclusive
    ("month_range", r"\b(?:from\s+|between\s+)?(?P<mon>January|February|March|April|June|July|August|September|October|"
                    r"November|December|May(?=\s+(?:to|through|until|and|-|–)\s))\s*(?:to|through|until|and|-|–)\s*"
                    r"(?P<mon2>January|February|March|April|May|June|July|August|September|October|November|December)"
                    r"(?:,?\s+(?P<y>" + _YEAR + r"))?\b"),
    ("month_day", r"\b(?P<mon>" + _MONTH + r")\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>" + _YEAR + r"))?"),
    ("day_month", r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>" + _MONTH + r")(?:,?\s+(?P<y>" + _YEAR + r"))?"),
    ("quarter", r"\b(?:in\s+|during\s+|for\s+)?(?:the\s+)?(?P<q>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter"
                r"(?:\s+of\s+(?P<y>" + _YEAR + r"))?"),
    ("quarter", r"\bQ(?P<q>[1-4])(?:\s+(?P<y>" + _YEAR + r"))?\b"),
    ("half", r"\b(?:in\s+)?(?:the\s+)?(?P<h>first|second)\s+half(?:\s+of\s+(?P<y>" + _YEAR + r"))?"),
    ("month", r"\b(?:(?P<rel>last|this|early|late|mid-?|in|during|for|through|(?:by|at)\s+the\s+end\s+of|end[\s-]of)\s+)?"
              r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December|"
              r"Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)(?:\s+(?P<y>" + _YEAR + r"))?\b"),
    ("weekday", r"\b(?:(?P<rel>last|this|on|early|late)\s+)?(?P<wd>" + _WEEKDAY + r")\b"),
    ("relative_day", r"\b(?P<w>yesterday|today|tonight)\b"),
    ("ago", (r"\b(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|a few)\s+"
            r"(?P<unit>days?|weeks?|months?|years?)\s+ago\b")),
    ("period", (r"\b(?P<rel>last|this|past|earlier\s+this|later\s+this|previous|the\s+previous)\s+"
               r"(?P<unit>week|weekend|month|quarter|year)\b")),
    # "lodged in the quarter": the last whole quarter before the report (a release's own period)
    ("the_quarter", r"\b(?:in|during|over|for|across)\s+the\s+quarter\b(?!\s+(?:to|ending|ended|before|after))"),
    ("year", r"\b(?:(?:in|during|for|through|throughout|of|by)\s+(?:fiscal\s+)?|fiscal\s+)(?P<y>" + _YEAR + r")\b"),
    # a bare year dates the figure unless it only names something ("the 2026 fiscal year",
    # "2024 election"): a year before a lower-case noun, or after "the", is a name's part
    ("year", r"(?<!the\s)\b(?P<y>" + _YEAR + r")(?:['’]s)?\b(?!\s*-)(?!\s+[a-z])"),
    ("before", (r"\b(?:originally|initially|at\s+first(?!\s+(?:instance|glance|sight|hand))|first\s+(?:reported|estimated|announced|said|proposed)|"
               r"had\s+(?:earlier|previously|initially|originally|first)|earlier\s+estimates?|"
               r"preliminary|early\s+estimates?|previously)\b")),
]]
# Time words that do not date the figure next to them: "its first cut since 2020", "up
# from a year earlier", "until 2030", "the lowest since March".
_NOT_THE_TIME = re.compile(r"\b(?:since|from|than|until|till|before|after|below|above|compared\s+(?:with|to)|versus|vs\.?)\s+(?:(?:in|during|over)\s+)?(?:the\s+)?(?:same\s+(?:period|month|quarter|week|time|day)\s+(?:of\s+|in\s+)?)?(?:early\s+|late\s+|mid-?)?$",
                           re.IGNORECASE)


@dataclass(frozen=True)
class TimeSpan:
    """An interval of days, inclusive; ``start`` None: open towards the past (some time
    before ``end``). ``text`` is the expression as written; ``at`` its offset."""

    start: date | None
    end: date
    text: str
    at: int = 0

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1 if self.start is not None else 10**6


def _month_year(month: int, year: int | None, base: date, relation: str = "") -> int:
    """The year of a month named without one: the latest such month not after ``base``
    ("in October" in a November article is this October; in February, last October)."""
    if year is not None:
        return year
    if relation == "last" and month >= base.month:
        return base.year - 1
    return base.year if month <= base.month else base.year - 1


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _day(year: int | None, month: int, day: int, base: date | None) -> date | None:
    if year is None:
        if base is None:
            return None
        year = base.year
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate > base + timedelta(days=31):  # "Dec. 30" in a January article: last year
            year -= 1
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _quarter(q: int, year: int | None, base: date | None) -> tuple[date, date] | None:
    if year is None:
        if base is None:
            return None
        year = base.year if (q - 1) * 3 + 1 <= base.month else base.year - 1
    return date(year, (q - 1) * 3 + 1, 1), _month_span(year, q * 3)[1]


def _resolve(kind: str, m: re.Match[str], base: date | None) -> tuple[date | None, date] | None:
    """The interval of one matched expression, or None when it needs a base date it lacks."""
    g = m.groupdict()
    year = int(g["y"]) if g.get("y") else None
    if kind == "iso":
        try:
            d = date(int(g["y"]), int(g["m"]), int(g["d"]))
        except ValueError:
            return None
        return d, d
    if kind == "date_range":
        end_month = _MONTH_NAMES[g["mon2"].lower().rstrip(".")]
        last_day = _day(year, end_month, int(g["d2"]), base)
        if last_day is None:
            return None
        start_month = _MONTH_NAMES[g["mon"].lower().rstrip(".")]
        first_year = int(g["y1"]) if g.get("y1") else last_day.year - (1 if start_month > end_month else 0)
        first_day = _day(first_year, start_month, int(g["d"]), None)
        return (first_day, last_day) if first_day is not None and first_day <= last_day else None
    if kind == "month_range":
        if year is None and base is None:
            return None
        first_month, last_month = (_MONTH_NAMES[g[k].lower()] for k in ("mon", "mon2"))
        y = _month_year(last_month, year, base, "") if base is not None else year
        assert y is not None  # without a base, the year is given (checked above)
        y0 = y - 1 if first_month > last_month else y
        return _month_span(y0, first_month)[0], _month_span(y, last_month)[1]
    if kind == "year_to":
        if year is None and base is None:
            return None
        month = _MONTH_NAMES[g["mon"].lower()]
        y = _month_year(month, year, base, "") if base is not None else year
        assert y is not None  # without a base, the year is given (checked above)
        after = (y, month + 1) if month < 12 else (y + 1, 1)  # the month after the period's last
        return date(after[0] - 1, after[1], 1), _month_span(y, month)[1]
    if kind in ("month_day", "day_month"):
        day = _day(year, _MONTH_NAMES[g["mon"].lower().rstrip(".")], int(g["d"]), base)
        return (day, day) if day is not None else None
    if kind == "quarter":
        q = int(g["q"]) if g["q"].isdigit() else _ORDINALS[g["q"].lower()]
        return _quarter(q, year, base)
    if kind == "half":
        if year is None and base is None:
            return None
        first = g["h"].lower() == "first"
        y = year
        if y is None:
            assert base is not None  # returned above when both are None
            y = base.year if first or base.month > 6 else base.year - 1
        return (date(y, 1, 1), date(y, 6, 30)) if first else (date(y, 7, 1), date(y, 12, 31))
    if kind == "month":
        if year is None and base is None:
            return None
        relation = (g.get("rel") or "").lower()
        month = _MONTH_NAMES[g["mon"].lower().rstrip(".")]
        y = _month_year(month, year, base, relation) if base is not None else year
        assert y is not None  # without a base, the year is given (checked above)
        if relation.endswith("end of"):  # "at the end of June": its last day, a stock's date
            month_end = _month_span(y, month)[1]
            return month_end, month_end
        return _month_span(y, month)
    if kind == "year":
        y = int(g["y"])
        return date(y, 1, 1), date(y, 12, 31)
    if base is None:
        return None
    if kind == "weekday":
        back = (base.weekday() - _WEEKDAY_LIST.index(g["wd"].lower())) % 7
        if (g.get("rel") or "").lower() == "last" and back == 0:
            back = 7
        d = base - timedelta(days=back)
        return d, d
    if kind == "relative_day":
        d = base - timedelta(days=1) if g["w"].lower() == "yesterday" else base
        return d, d
    if kind == "ago":
        n = _NUMBER.get(g["n"].lower(), None) if not g["n"].isdigit() else int(g["n"])
        unit = g["unit"].lower().rstrip("s")
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * (n or 1)
        d = base - timedelta(days=days)
        slack = {"day": 0, "week": 3, "month": 15, "year": 182}[unit]
        return d - timedelta(days=slack), min(base, d + timedelta(days=slack))
    if kind == "period":
        relation = g["rel"].lower()
        unit = g["unit"].lower()
        if relation == "past":  # "in the past year": the twelve months to the article's date
            length = {"week": 7, "weekend": 3, "month": 31, "quarter": 92, "year": 366}[unit]
            return base - timedelta(days=length), base
        last = relation in ("last", "previous", "the previous")
        if unit in ("week", "weekend"):
            monday = base - timedelta(days=base.weekday())
            if last:
                start = monday - timedelta(days=7)
                return (start + timedelta(days=5) if unit == "weekend" else start), start + timedelta(days=6)
            return monday, base
        if unit == "month":
            if last:
                prev = base.replace(day=1) - timedelta(days=1)
                return _month_span(prev.year, prev.month)
            return base.replace(day=1), base
        if unit == "quarter":
            q = (base.month - 1) // 3 + 1
            if last:
                q, y = (q - 1, base.year) if q > 1 else (4, base.year - 1)
                return _quarter(q, y, base)
            return date(base.year, (q - 1) * 3 + 1, 1), base
        if last:
            return date(base.year - 1, 1, 1), date(base.year - 1, 12, 31)
        return date(base.year, 1, 1), base
    if kind == "the_quarter":
        q = (base.month - 1) // 3 + 1
        q, y = (q - 1, base.year) if q > 1 else (4, base.year - 1)
        return _quarter(q, y, base)
    if kind == "before":
        return None, base
    return None


def time_spans(text: str, document_date: date | None) -> list[TimeSpan]:
    """Every time expression of ``text`` that dates something, as intervals resolved
    against ``document_date``, in text order. Expressions after "since", "from", "than",
    "until" (a comparison's base or a limit, not the time of the figure) are left out. A
    month named in a sentence about the future ("will close in March") is the next one."""
    future = _FUTURE.search(text) is not None
    found: list[TimeSpan] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            base = _NOT_THE_TIME.search(text[max(0, m.start() - 30):m.start()])
            if base is not None and not (kind in ("day_month", "month_day") and _FROM_DAY.search(base.group(0))):
                # ("from 1 January 2027", a whole day: when something takes effect, not a base)
                taken.append((m.start(), m.end()))
                continue
            if kind == "year" and re.search(r"\d[\d,.]*\s*$", text[max(0, m.start() - 12):m.start()]):
                continue  # "2,024" or "1 2024" is no year
            if kind == "month" and m.group("mon").lower() == "may" and not m.group("rel") and not m.group("y"):
                continue  # the verb "may"
            resolved = _resolve(kind, m, document_date)
            if future and kind == "month" and resolved is not None and not m.group("y") and document_date is not None \
                    and resolved[1] < document_date:
                month = _MONTH_NAMES[m.group("mon").lower().rstrip(".")]
                resolved = _month_span(resolved[1].year + 1, month)
            taken.append((m.start(), m.end()))
            if resolved is None:
                continue
            start, end = resolved
            found.append(TimeSpan(start, end, m.group(0).strip(), m.start()))
    return sorted(found, key=lambda s: s.at)


_FROM_DAY = re.compile(r"^\s*from\s+$", re.IGNORECASE)  # a base word that is only "from"


# A relative clause set off by commas dates its own noun, not the sentence's figure: "The
# fire, which broke out on Aug. 11, destroyed 63 homes".
_RELATIVE = re.compile(r",\s+(?:which|who|whose|where|when)\b[^,;]*(?:,|$)")


def time_span(text: str, document_date: date | None, *, near: int | None = None) -> TimeSpan | None:
    """The time a sentence (or the figure at offset ``near`` in it) refers to: the closest
    dating expression, a precise one before a vague one at equal distance; None when the
    sentence names no time. Expressions inside a relative clause (", which broke out on
    Aug. 11,") date that clause's noun and are left out."""
    blanked = _RELATIVE.sub(lambda m: " " * len(m.group(0)), text)
    spans = time_spans(blanked, document_date)
    if not spans:
        return None
    if near is None:
        dated = [s for s in spans if s.start is not None]
        return (dated or spans)[0]
    # a date names the time more precisely than "originally" / "initially" does
    return min(spans, key=lambda s: (s.start is None, abs(s.at - near), s.days))


def spans_overlap(a: TimeSpan | tuple[date | None, date], b: TimeSpan | tuple[date | None, date],
                  slack_days: int = 0) -> bool:
    """Whether two intervals meet, each widened by ``slack_days`` (an open start is the past)."""
    a_start, a_end = (a.start, a.end) if isinstance(a, TimeSpan) else a
    b_start, b_end = (b.start, b.end) if isinstance(b, TimeSpan) else b
    slack = timedelta(days=slack_days)
    return not ((a_start is not None and b_end < a_start - slack) or (b_start is not None and a_end < b_start - slack))


# --------------------------------------------------------------------------- what is counted

_STEM_STOP = frozenset(
    ["a", "an", "the", "of", "to", "in", "on", "at", "for", "by", "with", "from", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "and", "or", "which", "who", "whom", "whose", "what", "when", "where", "how", "than", "then", "there", "their", "they", "them", "he", "she", "his", "her", "we", "our", "you", "your", "i", "me", "my", "has", "have", "had", "do", "does", "did", "will", "would", "shall", "should", "can", "could", "may", "might", "must", "also", "about", "into", "over", "such", "so", "very", "just", "more", "most", "other", "some", "any", "each", "all", "both", "after", "before", "while", "during", "per", "up", "out", "says", "said", "say", "according", "percent", "percentage", "point", "points", "per", "cent", "rose", "fell", "rise", "fall", "risen", "fallen", "increase", "increased", "decrease", "decreased", "grew", "grow", "dropped", "drop", "climbed", "slipped", "jumped", "gained", "lost", "only", "nearly", "almost", "around", "roughly", "approximately", "least", "many", "much", "fewer", "less", "under", "below", "above", "new", "total", "year", "years", "month", "months", "week", "weeks", "day", "days", "quarter", "now", "last", "this", "next", "record", "reported", "report", "reports", "showed", "show", "shows", "data", "figures", "figure", "official", "officials", "according", "estimate", "estimated", "estimates", "compared", "earlier", "ago", "same", "pace", "level", "levels", "number", "numbers", "hundred", "hundreds", "thousand", "above", "below", "well", "higher", "lower", "than", "figure", "figures", "thousands", "million", "millions", "billion", "billions", "trillion", "trillions", "dollar", "dollars", "euro", "euros", "pound", "pounds", "yen", "won", "yuan", "rupees", "cents", "usd", "eur", "gbp"]
)
_MONTH_WORDS = frozenset(_MONTH_NAMES) | frozenset(_WEEKDAY_LIST)
# States that pick a subset of what is counted: figures of different subsets are not rivals.
_STATUS = {
    "reject": "rejected", "invalid": "rejected", "spoil": "rejected", "disqualif": "rejected",
    "cast": "cast", "counted": "cast",
    "register": "registered", "eligib": "registered",
    "kill": "dead", "dead": "dead", "death": "dead", "die": "dead", "died": "dead", "fatal": "dead",
    "injur": "injured", "wound": "injured", "hurt": "injured", "hospitali": "hospitalised",
    "missing": "missing", "evacuat": "evacuated", "displac": "displaced", "arrest": "arrested",
    "destroy": "destroyed", "damag": "damaged",
    "confirm": None, "suspect": "suspected", "probable": "suspected",
    "vaccinat": "vaccinated", "unvaccinat": "unvaccinated", "infect": "infected",
    "employ": "employed", "unemploy": "unemployed",
    "import": "imports", "export": "exports",
    "approv": "approved", "deni": "denied",
    "clos": "closed", "shut": "closed", "open": "open", "reopen": "open",
}
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_CLAUSE_STOP = re.compile(r"[;:!?]|,\s+(?:and|but|while|which|who|as|after|before|when|with|up|down|the)\b|"
                          r"\b(?:said|says|told|according|while|but|whereas|compared|saying|adding|arguing|claiming|"
                          r"citing)\b|\.(?=\s|$)", re.IGNORECASE)
_AGE = re.compile(r"\b(?:aged|ages?|age\s+group|between\s+the\s+ages\s+of)\s*$|^\s*-?\s*years?[\s-]+old\b|^\s*-year-olds?\b",
                  re.IGNORECASE)
_AGE_AFTER = re.compile(r"\s*-?\s*years?[\s-]+old\b|-year-olds?\b", re.IGNORECASE)


def clause_bounds(text: str, q: Quantity) -> tuple[int, int]:
    """The clause a figure sits in: from the last clause break before it to the next one."""
    stops = [m for m in _CLAUSE_STOP.finditer(text) if not _abbreviation(text, m)]
    before = [m for m in stops if m.end() <= q.start]
    start = before[-1].end() if before else 0
    after = next((m for m in stops if m.start() >= q.end), None)
    return start, after.start() if after else len(text)


def _abbreviation(text: str, m: re.Match[str]) -> bool:
    """Whether a clause stop is the dot of an abbreviation ("Oct. 1", "Gov. Smith", "U.S.")."""
    if m.group(0) != ".":
        return False
    word = re.search(r"([A-Za-z.]+)$", text[max(0, m.start() - 6):m.start()])
    return bool(word and (re.fullmatch(r"[A-Z][a-z]{0,3}", word.group(1)) or re.fullmatch(r"(?:[A-Z]\.)+[A-Z]", word.group(1))))


def _place_words(text: str) -> set[str]:
    """Capitalised words: names of places, people and bodies (not what is measured)."""
    return {w.lower() for w in re.findall(r"\b[A-Z][a-z]+(?:['’]s)?", text)}


THING_WINDOW = 4  # content words on each side of a figure that name what it measures


_ASIDE = re.compile(r",\s+(?:including|such\s+as|excluding|except|notably|among\s+them)\b[^;.]{0,100}?,"
                    r"(?=\s+(?:was|were|is|are|has|have|had|rose|fell|totall?ed|came|reached|stood|amounted)\b)|"
                    r"\([^()]{0,80}\)", re.IGNORECASE)


# a verb whose object is who pays or gains a sum ("cost the city", "saves taxpayers"): that
# object is no series of the figure
PAYER_BEFORE = re.compile(r"\b(?:cost|costs|costing|save|saves|saved|saving|owe|owes|owed|charge|charges|charged)"
                          r"\s+(?:the\s+|its\s+|their\s+)?$", re.IGNORECASE)


@functools.lru_cache(maxsize=65536)
def figure_thing(text: str, q: Quantity) -> frozenset[str]:
    """What a figure measures, as stems of the common nouns, adjectives and verbs next to it
    in its clause (up to :data:`THING_WINDOW` on each side: "the property tax rate by 2.9
    percent" -> {"property", "tax", "rate"}; "a $1.42 billion spending plan" -> {"spending",
    "plan"}), names, dates, numbers and words about change left out. Comparing two figures'
    things tells a rate of prices from a policy rate."""
    start, end = clause_bounds(text, q)
    before: list[str] = []
    after: list[str] = []
    # an aside before the figure ("The cost of the recount, including staff and venue hire, was
    # $310,000") lists parts, not the thing measured
    asides = [m.span() for m in _ASIDE.finditer(text, start, q.start)]
    # and time words ("in the third quarter of 2024") say when, not what
    asides += [(start + m.start(), start + m.end()) for _, pattern in _PATTERNS
               for m in pattern.finditer(text[start:end]) if m.end() > m.start()]
    for m in _WORDS.finditer(text, start, end):
        if q.start <= m.start() < q.end:
            continue  # the figure's own words ("$4.1 million") are not what it measures
        if any(a <= m.start() < b for a, b in asides):
            continue
        w = m.group(0)
        low = w.lower()
        if low in _SUBORDINATORS:
            if m.start() < q.start:
                before.clear()
                continue
            break
        # a sentence's first word counts when it is a common noun ("Manufacturing shed ..."),
        # not a dateline ("MILLBROOK,") or a possessive name ("Millbrook's fund")
        opener = (m.start() == 0 or re.search(r"(?:[.!?]|\s[-–—])\s+$", text[max(0, m.start() - 3):m.start()]) is not None) \
            and not w.isupper() and not re.match(r"['’]s\b", text[m.end():m.end() + 2]) and "'" not in w and "’" not in w
        if low in _STEM_STOP or low in _MONTH_WORDS or len(low) < 3 or (w[0].isupper() and not opener):
            continue
        (before if m.start() < q.start else after).append(stem(low))
    return frozenset(before[-THING_WINDOW:] + after[:THING_WINDOW])


def figure_owner(text: str, q: Quantity) -> frozenset[str]:
    """Whose thing a figure measures when a possessive names it right before ("Millbrook's
    rainy-day fund holds $52 million" -> {"millbrook"}; "Ashford County's rainy-day fund
    has grown to $86 million" -> {"ashford", "county"}); empty when none does."""
    start, _ = clause_bounds(text, q)
    m = None
    for m in re.finditer(r"((?:[A-Z][\w.-]*\s+){0,3}[A-Z][\w.-]*)['’]s\s+(?:[a-z][\w-]*\s+){0,3}[a-z][\w-]*",
                         text[start:q.start]):
        pass
    if m is None:
        return frozenset()
    return frozenset(w.lower() for w in m.group(1).split() if w.lower() not in ("the", "a", "an"))


_AUXILIARIES = frozenset(["had", "has", "have", "been", "be", "being", "was", "were", "is", "are", "will", "would", "could", "should", "may", "might", "also", "then", "wrongly", "reportedly", "allegedly", "already"])
STATUS_WINDOW = 3  # words on each side of a figure whose state they give ("destroyed 63 homes")


def figure_status(text: str, q: Quantity) -> frozenset[str]:
    """The states that pick a subset of what a figure counts ("1,200 ballots were
    rejected" -> {"rejected"}): the status words of its clause."""
    start, end = clause_bounds(text, q)
    comma = text.rfind(",", start, q.start)  # the figure's own comma-delimited stretch
    start = comma + 1 if comma >= 0 else start
    comma = text.find(",", q.end, end)
    end = comma if comma >= 0 else end
    words = [m for m in _WORDS.finditer(text, start, end) if not q.start <= m.start() < q.end
             and m.group(0).lower() not in _AUXILIARIES]
    before = [m.group(0) for m in words if m.start() < q.start][-STATUS_WINDOW:]
    after = [m.group(0) for m in words if m.start() >= q.end][:STATUS_WINDOW]
    found = set()
    for w in before + after:
        low = w.lower()
        for prefix, status in _STATUS.items():
            if status and low.startswith(prefix):
                if prefix in ("cast", "valid", "dead", "died") and low not in (prefix, prefix + "s"):
                    continue
                found.add(status)
                break
    return frozenset(found)


def is_descriptor(text: str, q: Quantity) -> bool:
    """Whether a figure only describes who or what is counted instead of being the count:
    an age band ("people aged 18 to 24", "18- to 24-year-olds")."""
    # (the words after a figure are read from their start: a window cut inside "aged" is no "age")
    return bool(_AGE.search(text[max(0, q.start - 25):q.start]) or _AGE_AFTER.match(text, q.end)
                or re.search(r"\byear[\s-]*olds?\b", q.text, re.IGNORECASE)
                or re.match(r"(?:aged|ages?)\b", q.text, re.IGNORECASE))


# --------------------------------------------------------------------------- where

# A place phrase after a number: preposition, optional article and compass adjective, then
# one or more capitalised words (possessives allowed), e.g. "near the Ukrainian border".
# Days and months are times, not places ("on Tuesday", "in October").
PLACE_PHRASE = re.compile(
    r"\b(?:in|near|at|inside|into|to|on|along|across|towards?|from|border with|close to)\s+"
    r"(?:the\s+)?(?:(?:north|south|east|west)(?:ern|-?eastern|-?western)?\s+|central\s+|far\s+)?"
    r"(?!(?:" + "|".join(w.capitalize() for w in sorted(_MONTH_WORDS, key=len, reverse=True)) + r")s?\b)"
    r"((?:[A-Z][\w\-]*(?:['’]s)?\s*){1,4})"
)


def figure_place(text: str, q: Quantity) -> str:
    """The place a figure is given for, as written after it ("in Russia's Kursk region" ->
    "Russia's Kursk"), or "" when its clause names none."""
    match = PLACE_PHRASE.search(scope_window(text, q))
    return match.group(1).strip() if match else ""


# --------------------------------------------------------------------------- the scope

_FUTURE = re.compile(r"\b(?:will|would|is\s+expected\s+to|are\s+expected\s+to|plans?\s+to|is\s+set\s+to|"
                     r"are\s+set\s+to|is\s+due\s+to|are\s+due\s+to|is\s+scheduled\s+to)\b", re.IGNORECASE)
# What a statistic is of: a figure for young people or for the nation is not one for all
# workers or for a province.
SERIES_MODIFIERS = frozenset(
    ["youth", "adult", "female", "male", "child", "senior", "elderly", "rural", "urban", "core", "headline", "national", "nationwide", "provincial", "statewide", "federal", "regional", "local", "city", "county", "municipal", "overall"])
# Words that open another constituent: the words after them describe something else ("rose
# 11 percent on Tuesday after the company reported ...").
_SUBORDINATORS = frozenset(["after", "before", "as", "when", "because", "while", "since", "until", "although", "though", "whereas", "if", "unless", "which", "who", "whom", "whose", "where"])

_BOUNDS = ("about", "around", "roughly", "approximately", "nearly", "almost", "some", "at least", "more than", "over",
           "fewer than", "less than", "under", "up to", "as many as", "as much as", "at most", "no more than",
           "between", "only")


def _bound(q: Quantity | None, text: str) -> str | None:
    if q is None:
        return None
    if q.qualifier:
        return q.qualifier
    before = text[max(0, q.start - 14):q.start].lower()
    for word in ("as many as", "as much as", "up to"):
        if before.rstrip().endswith(word):
            return word
    return None


_FROM_FIGURE = re.compile(r"\bfrom\s+(?:about\s+|around\s+|nearly\s+|almost\s+)?$", re.IGNORECASE)
_TO_FIGURE = re.compile(r"\s+to\s+(?:about\s+|around\s+|just\s+|only\s+)?\$?\d")


def claim_scope(text: str, quantity: Quantity | None, document_date: date | None,
                holder: str | None = None) -> Scope:
    """The scope of a claim (see the module): its figure's thing, status, place and bound,
    its time (the sentence's own, else the article's date), and whose figure it is."""
    span = time_span(text, document_date, near=quantity.start if quantity is not None else None)
    if span is not None and quantity is not None and _FUTURE.search(text) and span.start is not None \
            and document_date is not None and span.start > document_date:
        span = None  # "will cost about 480 jobs when it closes in March": a forecast made now
    thing = status = place = None
    if quantity is not None:
        things = sorted(figure_thing(text, quantity))
        thing = quantity.unit if quantity.unit and quantity.kind == "count" else " ".join(things[:6]) or quantity.unit
        status = ", ".join(sorted(figure_status(text, quantity))) or None
        place = figure_place(text, quantity) or None
    if span is None and quantity is not None and document_date is not None and _FROM_FIGURE.search(
            text[max(0, quantity.start - 20):quantity.start]) and _TO_FIGURE.match(text, quantity.end):
        # "cut her margin from 157 votes to 88": the first figure is the state before the change
        span = TimeSpan(None, document_date, f"before (from {quantity.text})")
    if span is not None:
        start, end, words = span.start, span.end, span.text
    elif document_date is not None:
        start, end, words = document_date, document_date, None
    else:
        start = end = None
        words = None
    return Scope(thing=thing, status=status, place=place, start=start, end=end, time_text=words,
                 holder=holder if holder and _speaks(text, holder) else None, bound=_bound(quantity, text))


def _speaks(text: str, holder: str) -> bool:
    """Whether ``holder`` is who gives the claim ("The Pentagon said ...", "..., according to
    X"), not the subject of a passive report ("Serious side effects were reported ...")."""
    at = text.find(holder)
    if at < 0:
        return True
    if re.search(r"\baccording\s+to\s+$", text[max(0, at - 20):at], re.IGNORECASE):
        return True
    after = text[at + len(holder):at + len(holder) + 40]
    return re.match(r"\s*(?:,[^,]{0,30},\s*)?(?:has\s+|have\s+|had\s+)?(?:also\s+|now\s+|previously\s+)?"
                    r"(?:said|says|say|told|estimated|estimates|estimate|announced|reported|reports|stated|"
                    r"confirmed|claimed|claims|put|puts)\b", after) is not None or \
        re.search(r"\b(?:said|says|told|estimated|announced|reported)\b", text[:at]) is not None
