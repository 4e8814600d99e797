"""The structure of a claim: its type, who it is attributed to, its date and its entities.

Rule-based on purpose: it must run offline with vetted packages only (no English spaCy
model can be installed here from its official source), and the rules below cover the
forms news copy uses. Dates go through ``dateparser`` (relative expressions such as "last
week" or "on Monday" are resolved against the document's date).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Sequence

from claims.models import Quantity

__all__ = ["claim_type", "find_attribution", "claim_date", "find_entities"]

_SPEECH = r"(?:said|says|told|stated|announced|reported|claimed|added|warned|confirmed|estimated|insisted|wrote)"
_NAME = r"(?:[A-Z][\w.'’-]*|of|the|for|and|de|von)(?:\s+(?:[A-Z][\w.'’-]*|of|the|for|and|de|von)){0,7}"

_ACCORDING = re.compile(rf"\b[Aa]ccording to\s+((?:the\s+)?{_NAME})")
_SUBJECT_SAID = re.compile(
    rf"((?:[A-Z][\w.'’-]*\s+(?:of\s+(?:the\s+)?)?){{0,6}}[A-Z][\w.'’-]*)\s+(?:has\s+|have\s+|had\s+)?{_SPEECH}\b")
_SAID_SUBJECT = re.compile(rf",?\s{_SPEECH}\s+((?:the\s+)?{_NAME})\s*(?:[.,]|$)")
_QUOTE = re.compile(r"[\"“”].{10,}?[\"“”]")
_EVENT_VERBS = re.compile(
    r"\b(?:killed|attacked|invaded|deployed|dispatched|sent|launched|signed|met|arrested|fired|"
    r"struck|captured|moved|announced|approved|elected|won|lost|died|crashed|exploded|opened|"
    r"closed|seized|visited|urged|agreed|banned|raised|cut|imposed)\b", re.I)
_NOT_ENTITY = {
    "The", "A", "An", "In", "On", "At", "For", "But", "And", "However", "Despite", "While", "Although",
    "Amidst", "Amid", "After", "Before", "This", "That", "These", "Those", "It", "Its", "He", "She",
    "They", "We", "I", "Some", "Others", "Experts", "Analysts", "Officials", "About", "Around", "Nearly",
    "More", "Less", "Over", "Up", "At", "By", "From", "With", "Without", "According", "Meanwhile", "Still",
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "If", "When", "As",
}
_WORD = r"(?:(?:[A-Z]\.){2,}|[A-Z]{2,}\b|[A-Z][a-z’'\-]+\.?)"
_ENTITY = re.compile(rf"{_WORD}(?:\s+(?:of\s+|the\s+)?{_WORD})*")
_RELATIVE = re.compile(
    r"\b(?:yesterday|today|last (?:week|month|year|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|(?:\d+|two|three|four|five|six|seven) "
    r"(?:days|weeks|months) ago|earlier this (?:week|month|year))\b", re.I)
_ABSOLUTE = re.compile(
    r"\b(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:,\s*\d{4})?|"
    r"\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?(?:\s+\d{4})?|\d{4}-\d{2}-\d{2})\b")


def find_attribution(text: str) -> str | None:
    """Who the statement is attributed to: "according to X", "X said", "..., said X"."""
    for pattern in (_ACCORDING, _SAID_SUBJECT, _SUBJECT_SAID):
        match = pattern.search(text)
        if match:
            name = match.group(1).strip(" ,.")
            name = re.sub(r"^(?:the)\s+", "", name)
            if name and name not in _NOT_ENTITY:
                return name
    return None


def claim_type(text: str, quantities: Sequence[Quantity]) -> str:
    """numerical (it states a figure), quote (a quotation or an attributed statement),
    event (something happened), or other."""
    if any(q.unit or q.kind in ("percent", "money") for q in quantities):
        return "numerical"
    if _QUOTE.search(text) or (find_attribution(text) and re.search(_SPEECH, text)):
        return "quote"
    if _EVENT_VERBS.search(text):
        return "event"
    return "other"


def claim_date(text: str, document_date: date | None) -> date | None:
    """The date the claim speaks of: a date or relative expression in the text, resolved
    against the document's date; else the document's date."""
    if document_date is None:
        return None
    match = _RELATIVE.search(text) or _ABSOLUTE.search(text)
    if match:
        import dateparser

        base = datetime(document_date.year, document_date.month, document_date.day, 12)
        expression = re.sub(r"^on\s+", "", match.group(0), flags=re.I)
        parsed = dateparser.parse(expression, settings={
            "RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False})
        if parsed is not None:
            found = parsed.date()
            # a weekday or month-day without a year means the latest one before the document
            if found > document_date and not re.search(r"\d{4}", match.group(0)):
                found = found.replace(year=found.year - 1) if found - document_date > timedelta(days=7) else found
            return found
    return document_date


def find_entities(text: str) -> list[str]:
    """Capitalised names and acronyms (people, places, organisations), in order, once each."""
    found: list[str] = []
    for match in _ENTITY.finditer(text):
        for part in re.split(r"['’]s\s+", match.group(0).strip()):  # "Russia's Kursk" is two names
            words = part.split()
            while words and (words[0].rstrip(".") in _NOT_ENTITY or words[0] in ("of", "the")):
                words = words[1:]
            span = re.sub(r"['’]s$", "", " ".join(words))
            if not re.search(r"(?:[A-Z]\.){2,}$", span):  # keep the stop of "U.S."
                span = span.rstrip(".")
            if len(span) < 2 or span in found:
                continue
            found.append(span)
    return found
