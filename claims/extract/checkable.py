"""A claim stated on its own: the proposition a fact-checker would check.

A news sentence often wraps its claim: "However, China has not publicly addressed the
reported deployment of 8,000 North Korean soldiers near Ukraine's border" is checked by
checking "8,000 North Korean soldiers have been deployed near Ukraine's border".
:func:`checkable_text` rewrites a sentence with a few rules, each safe to apply only when
its pattern is there (otherwise the sentence stays as it is):

1. Discourse openers go ("However,", "Meanwhile,", "But").
2. Attribution goes (it is kept apart, as the claim's ``attribution``): "According to X,
   P" -> P; "P, X said." -> P; "X said (that) P" -> P.
3. A stance wrapper goes: "X has not (publicly) addressed / confirmed / denied /
   commented on the reported <event> of Y <rest>" -> "Y have been <done> <rest>", the
   event noun turned into its participle ("deployment" -> "deployed"); without an event
   noun, "the reported Y" -> Y. Reports that something happened are checked for the thing
   reported, which is what the fact-checker verifies (the wrapper's own claim, that X
   said nothing, is rarely the news).
4. "the country" / "he" / "she" are replaced by the one country / person named earlier in
   the sentence or in the previous one, only when exactly one is named (unambiguous).
5. The article's date is attached, "(as of 25 October 2024)", when the sentence names no
   date of its own.

The claim's original sentence and offsets are not touched; this text is what judging
(retrieval query, stance, figures) reads.
"""

from __future__ import annotations

import re
from datetime import date

from claims.extract.quantities import parse_quantities
from claims.extract.scope import time_spans
from claims.extract.structure import countries_named, find_entities, locations

__all__ = ["checkable_text", "refers_to_previous_figure", "without_date"]

# the article's date that checkable_text attaches (item 5 above): searches and embeddings
# read it; the engine's readings take the claim's date from its scope, not from these words
_AS_OF = re.compile(r"\s*\(as of [^)]*\)")


def without_date(text: str) -> str:
    """A checkable text without the article date :func:`checkable_text` attached."""
    return _AS_OF.sub("", text)

_OPENER = re.compile(
    r"^(?:however|meanwhile|moreover|furthermore|still|yet|but|and|also|in addition|additionally|"
    r"nevertheless|nonetheless|indeed|notably|separately|in fact|at the same time)\b,?\s+", re.IGNORECASE)
_SPEECH = (r"said|says|told\s+(?:reporters|journalists|lawmakers|parliament|[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*)|reported|claimed|stated|announced|added|estimated|"
           r"wrote|confirmed|noted|argued|insisted|warned|tweeted|testified")
_ACCORDING_FRONT = re.compile(r"^according\s+to\s+[^,]{2,120},\s+(?P<p>.+)$", re.IGNORECASE)
_ACCORDING_BACK = re.compile(r"^(?P<p>.{12,}?),?\s+according\s+to\s+[^,;]{2,120}?[.!]?$", re.IGNORECASE)
_SAID_BACK = re.compile(r"^(?P<p>.{12,}?),\s+(?:[^,]{2,80}?\s+(?:" + _SPEECH + r")|(?:said|says)\s+[^,]{2,80}?)"
                        r"(?:\s+(?:on|in|last|this)\s+\w+)?[.!]?$")
_SAID_FRONT = re.compile(r"^(?P<src>(?:[A-Z][\w'’.-]*|the|a|an)(?:\s+[\w'’.-]+){0,7}?)\s+(?:has\s+|have\s+|had\s+)?"
                         r"(?:" + _SPEECH + r")(?:\s+(?:on|last|this)\s+[A-Z]?\w+)?(?:\s+in\s+a\s+\w+)?"
                         r"(?:\s+that)?,?\s+(?P<p>.+)$")
_WRAPPER = re.compile(
    r"^(?P<subj>.{2,80}?)\s+(?:has|have|had|did|does|do|is|are|was|were)?\s*(?:not|n't|never|yet to|so far)?\s*"
    r"(?:yet\s+)?(?:publicly\s+|officially\s+|openly\s+|formally\s+|directly\s+)?"
    r"(?:addressed|address|commented\s+on|comment\s+on|acknowledged|acknowledge|confirmed|confirm|denied|deny|"
    r"disputed|dispute|discussed|discuss|mentioned|mention|condemned|condemn|critici[sz]ed|critici[sz]e|"
    r"welcomed|welcome|ignored|ignore|responded\s+to|respond\s+to|reacted\s+to|react\s+to|"
    r"explained|explain|justified|justify)\s+"
    r"(?P<obj>(?:the|a|an|any)\s+.+|reports?\s+(?:that|of)\s+.+)$", re.IGNORECASE)
_REPORTED = r"(?:reported|alleged|rumou?red|apparent|suspected|claimed|purported|supposed|widely\s+reported)"
# What follows "X reported" when X reports its own figure ("Samsung reported a third-quarter
# profit of ..."): an object, not a clause, so X is the claim's subject and stays.
_OBJECT = re.compile(r"^(?:a|an|its|their|his|her|record|net|annual|quarterly|first|second|third|fourth|"
                     r"higher|lower|[\w-]+-quarter)\b(?![^,;]*\b(?:is|are|was|were|has|have|had|will|would)\b)",
                     re.IGNORECASE)
# event nouns and the participle that states the event as a clause
_EVENTS = {
    "deployment": "deployed", "dispatch": "dispatched", "dispatching": "dispatched", "sending": "sent",
    "transfer": "transferred", "delivery": "delivered", "deliveries": "delivered", "shipment": "shipped",
    "shipments": "shipped", "sale": "sold", "sales": "sold", "purchase": "bought", "capture": "captured",
    "arrest": "arrested", "arrests": "arrested", "detention": "detained", "killing": "killed",
    "killings": "killed", "execution": "executed", "recruitment": "recruited", "training": "trained",
    "mobilisation": "mobilised", "mobilization": "mobilized", "withdrawal": "withdrawn",
    "evacuation": "evacuated", "expulsion": "expelled", "release": "released", "construction": "built",
    "launch": "launched", "use": "used", "presence": "present", "involvement": "involved",
    "participation": "involved", "movement": "moved", "relocation": "relocated", "posting": "posted",
}
_PLURAL_HEAD = re.compile(r"(?:s|people|personnel|police|staff|children|men|women|troops|forces|militia)$",
                          re.IGNORECASE)
_COUNTRY_REF = re.compile(r"\bthe\s+(?:country|nation)\b(?!['’]s\s+(?:own|neighbou?rs?))", re.IGNORECASE)
_PERSON_REF = re.compile(r"^(?:he|she)\b", re.IGNORECASE)
_NP_END = re.compile(r"\s+(?:near|in|at|on|to|into|from|across|along|inside|outside|within|by|for|since|"
                     r"during|after|before|over|under|around|toward|towards|through|against|amid|that|which|who|"
                     r"and|but)\b|[,;:](?=\s)")
_TITLES = re.compile(r"^(?:President|Prime Minister|Minister|Secretary(?: of State)?|Gen\.|General|Mr\.|Mrs\.|Ms\.|"
                     r"Dr\.|Sen\.|Senator|Rep\.|Governor|Gov\.|King|Queen|Chancellor)\s+")


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    opens_quoted = text[:1] in "\"“'‘"
    text = text.strip("\"“”'‘’ ").rstrip(" .;:,!")
    # a quote the sentence ends on keeps its closing mark ('called the results "a credit to ..."')
    last = text.rfind('"')
    if not opens_quoted and text.count('"') % 2 and (last == 0 or text[last - 1] == " "):
        text += '"'
    elif not opens_quoted and text.count("“") > text.count("”"):
        text += "”"
    return text[:1].upper() + text[1:] if text else text


def _strip_attribution(text: str) -> str:
    for pattern in (_ACCORDING_FRONT, _ACCORDING_BACK, _SAID_BACK):
        m = pattern.match(text)
        if m:
            return m.group("p")
    m = _SAID_FRONT.match(text)
    if m and len(m.group("p").split()) >= 4 and not m.group("src").lower().startswith(("it ", "this ", "that ")) \
            and m.group("src").split()[-1].lower() not in ("the", "a", "an", "its", "their", "his", "her") \
            and not _OBJECT.match(m.group("p")):
        return m.group("p")  # not "... addressed the reported deployment": an adjective there
    return text


def _event_clause(obj: str) -> str | None:
    """"the reported deployment of 8,000 soldiers near X" -> "8,000 soldiers have been
    deployed near X"; "the reported 8,000 soldiers" -> "8,000 soldiers"; None when the
    object is not a report of something."""
    m = re.match(r"^(?:reports?\s+(?:that|of)\s+)(?P<rest>.+)$", obj, re.IGNORECASE)
    if m:
        return m.group("rest")
    m = re.match(r"^(?:the|a|an|any)\s+(?:" + _REPORTED + r"\s+)?(?:(?:presence|involvement)\s+of\s+)?"
                 r"(?P<event>\w+)\s+of\s+(?P<rest>.+)$", obj, re.IGNORECASE)
    reported = re.match(r"^(?:the|a|an|any)\s+" + _REPORTED + r"\s+", obj, re.IGNORECASE) is not None
    if m and m.group("event").lower() in _EVENTS:
        rest = m.group("rest")
        figure = next((q for q in parse_quantities(rest) if q.start == 0), None)  # "8,000 North Korean soldiers"
        end = _NP_END.search(rest, figure.end if figure else 0)
        np_, tail = (rest[:end.start()], rest[end.start():]) if end else (rest, "")
        participle = _EVENTS[m.group("event").lower()]
        verb = "have" if _PLURAL_HEAD.search(np_.strip()) else "has"
        be = "are" if verb == "have" else "is"
        state = f"{be} {participle}" if participle in ("present", "involved") else f"{verb} been {participle}"
        return f"{np_.strip()} {state}{tail}"
    if reported:
        return re.sub(r"^(?:the|a|an|any)\s+" + _REPORTED + r"\s+", "", obj, flags=re.IGNORECASE)
    return None


def _unwrap(text: str) -> str:
    m = _WRAPPER.match(text)
    if not m:
        return text
    clause = _event_clause(m.group("obj"))
    return clause if clause else text


def _people(text: str) -> list[str]:
    places = set(locations(text))
    people = []
    for entity in find_entities(text):
        words = entity.split()
        if entity in places or len(words) < 2 or not all(w[:1].isupper() for w in words):
            continue
        if entity not in people:
            people.append(entity)
    return people


# "That was 20% more than ...", "This is up from ...": a figure the sentence before gave
_FIGURE_REF = re.compile(r"^(?:That|This|It)(?=\s+(?:was|is|were|are|represents|represented|marks|marked)\s+"
                         r"(?:up|down|about|around|nearly|almost|roughly|some|\d|"
                         r"(?:a|an)\s+(?:rise|increase|fall|drop|decline|jump|gain|cut|reduction|decrease)\b))")
# the subject of a sentence that gives a figure: the words before its verb ("Storage across the
# three reservoirs stood at 38 per cent": "Storage across the three reservoirs")
_SUBJECT = re.compile(r"^(?P<subj>[A-Z][^,;:]{3,120}?)\s+(?:stood|stands|was|were|is|are|rose|rises|fell|falls|"
                      r"reached|reaches|climbed|dropped|grew|increased|decreased|jumped|totalled|totaled|"
                      r"amounted|hit|came|ended|averaged)\b")


def refers_to_previous_figure(sentence: str) -> bool:
    """Whether a sentence's subject is the figure the sentence before it gave ("That was 20%
    more than ...")."""
    return _FIGURE_REF.match(_clean(_OPENER.sub("", _clean(sentence)))) is not None


def _resolve(text: str, before: str, previous: str | None) -> str:
    """"the country" and a leading "he"/"she" replaced by the one country or person named
    before them (in ``before``, the sentence up to the claim, or else in ``previous``)."""
    m = _COUNTRY_REF.search(text)
    if m:
        named = countries_named(before + " " + text[:m.start()]) or countries_named(previous or "")
        if len(named) == 1:
            text = text[:m.start()] + named[0] + text[m.end():]
    m = _PERSON_REF.match(text)
    if m:
        named = [_TITLES.sub("", p) for p in (_people(before) or _people(previous or ""))]
        if len(set(named)) == 1:
            text = named[0] + text[m.end():]
    m = _FIGURE_REF.match(text)
    if m and previous:
        # "Border guards detected 11,400 irregular crossings into Estmark between July and
        # September. That was 20% more ...": "that" is the count the previous sentence gives
        figures = parse_quantities(previous)
        counted = [q for q in figures if q.kind == "count" and q.unit]
        subject = _SUBJECT.match(_clean(_OPENER.sub("", previous)))
        if len(counted) == 1 and (len(figures) == 1 or subject is None):
            q = counted[0]
            rest = re.split(r"[,;:.]|\s(?:according|said|says)\b", previous[q.end:], maxsplit=1)[0]
            text = f"The {q.unit}{rest.rstrip()}" + text[m.end():]
        elif figures and subject is not None:
            # "Storage across the three reservoirs stood at 38 per cent. That was down from 43
            # per cent": the subject of the previous sentence's figure
            text = subject.group("subj") + text[m.end():]
    return text


def checkable_text(sentence: str, *, previous: str | None = None, document_date: date | None = None) -> str:
    """The proposition of ``sentence`` stated on its own (see the module docstring);
    ``previous`` is the sentence before it, for "the country" / "he"; ``document_date`` is
    attached when the sentence names no date."""
    text = _clean(sentence)
    before = ""
    for _ in range(2):  # "However, according to X, ...", "But X said ..."
        text = _clean(_OPENER.sub("", text))
        unwrapped = _clean(_unwrap(text))
        if unwrapped != text:
            subject = _WRAPPER.match(text)
            before = subject.group("subj") if subject else ""
            text = unwrapped
        text = _clean(_strip_attribution(text))
    text = _clean(_resolve(text, before, previous))
    if document_date is not None and not time_spans(sentence, document_date) and not time_spans(text, document_date):
        text = f"{text} (as of {document_date.day} {document_date:%B %Y})"
    return text + "."
