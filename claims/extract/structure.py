"""What a claim is: its type, who it is attributed to, when it happened, what it names.

Offline and rule-based on purpose: no English spaCy model can be installed here from its
official source (only unofficial mirrors), and the rules below are enough for what the
pipeline does with the result (grouping claims, scoping numbers by date and source).

* :func:`claim_type` - ``numerical`` (a count, percentage or money figure), ``quote``
  (direct speech or a reported statement), ``event`` (something happened: an action verb
  or a date), else ``other``; in that order of precedence.
* :func:`find_attribution` - the source in "according to X", "X said/told/reported ...",
  "..., X said", or None.
* :func:`claim_date` - an explicit date or a relative one ("last week", "on Monday",
  "yesterday") resolved by dateparser against the document date.
* :func:`find_entities` - capitalised spans (people, places, organisations, acronyms)
  with titles and possessives removed and demonyms mapped to their country
  ("North Korean" -> "North Korea"); :func:`locations` keeps the places among them
  (countries from pycountry plus known places, or a span after "in", "near", "from" ...).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache

import dateparser
import pycountry

from claims.models import Quantity

__all__ = [
    "canonical_entity",
    "claim_date",
    "claim_type",
    "countries_named",
    "demonyms",
    "find_attribution",
    "find_entities",
    "locations",
]

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- attribution

# Verb forms that are rarely nouns ("reports", "claims" and "estimates" usually are).
_SPEECH_VERBS = (
    r"said|says|say|told|tells|reported|claimed|stated|announced|added|estimated|warned|warns|"
    r"wrote|writes|confirmed|confirms|insisted|noted|argued|alleged|acknowledged|admitted|denied|"
    r"declared|asserted|suggested|explained|testified|tweeted|believes|believed|thinks"
)
_NOT_IN_SOURCE = {
    "has", "have", "had", "is", "are", "was", "were", "not", "will", "would", "may", "might", "to",
    "that", "which", "who", "be", "been", "can", "could", "should", "it", "its", "this", "these", "than",
    "with", "after", "before", "following", "about", "over", "while", "if", "because", "when",
}
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "this", "that", "there", "who", "which"}
_SUBJECT_WORD = r"(?:[A-Z][\w'’.&-]*|of|the|for|and|de|al|bin|von|van|der|le|la|on|in|to|at|from|[a-z]+)"
_AUX = r"(?:has|have|had|was|were|is|are|also|reportedly|previously|earlier|later|separately|had\s+earlier)"

_ACCORDING = re.compile(r"\b[Aa]ccording to\s+((?:[^,.;:!?()\"“”]|\.(?=\w))+)")
# "..., X said" / "..., said X" at the end of a clause
_TRAILING = re.compile(
    r"[,“”\"]\s*((?:the\s+|a\s+|an\s+)?[^,;:\"“”]{2,80}?)\s+(?:" + _AUX + r"\s+)*(?:" + _SPEECH_VERBS + r")\s*(?:[.,;!?]|$)"
)
_TRAILING_INVERTED = re.compile(r"[,“”\"]\s*(?:" + _SPEECH_VERBS + r")\s+([^,;.\"“”]{2,80}?)\s*(?:[.,;!?]|$)")
_LEADING = re.compile(
    r"(?:^|[.;:,\"“”]\s*|\bwhile\s+|\bbut\s+|\band\s+)((?:[A-Z][\w'’.&-]*|the|a|an)(?:\s+" + _SUBJECT_WORD + r"){0,5}?)\s+"
    r"(?:" + _AUX + r"\s+)*(?:" + _SPEECH_VERBS + r")\b(?!\s+(?:deployment|figures?|numbers?|troops))"
)
_TRAILING_TIME = re.compile(
    r"\s+(?:on|in|at|last|this|yesterday|today|earlier|later|late|early|during)\b.*$", re.IGNORECASE)


def _clean_source(source: str) -> str | None:
    source = re.sub(r"\s+", " ", source).strip(" ,;:'\"“”‘’")
    source = re.sub(r"^(?:and|but|while|as)\s+", "", source, flags=re.IGNORECASE)
    source = _TRAILING_TIME.sub("", source) if not source.lower().startswith(("in ", "on ", "at ")) else source
    if not source or source.lower() in _PRONOUNS:
        return None
    words = source.split()
    if len(words) > 8 or any(w.lower() in _NOT_IN_SOURCE for w in words):
        return None
    return source


def find_attribution(text: str) -> str | None:
    """Who a statement is attributed to: "according to X", "X said", "..., said X"."""
    m = _ACCORDING.search(text)
    if m:
        return _clean_source(m.group(1))
    for pattern in (_TRAILING_INVERTED, _TRAILING):
        for m in pattern.finditer(text):
            source = _clean_source(m.group(1))
            if source and (source[0].isupper() or source.split()[0].lower() in ("the", "a", "an")
                           or len(source.split()) <= 3):
                return source
    for m in _LEADING.finditer(text):
        source = _clean_source(m.group(1))
        if source:
            return source
    return None


# --------------------------------------------------------------------------- type

_QUOTE = re.compile(r"[\"“][^\"”]{12,}[\"”]|‘[^’]{12,}’")
_EVENT_VERBS = re.compile(
    r"\b(?:deployed|deploy(?:s|ing)?|sent|send(?:s|ing)?|dispatched|attacked|attacks?|killed|kill(?:s|ing)?|"
    r"struck|strikes?|launched|launch(?:es|ing)?|fired|shelled|bombed|invaded|invad(?:es|ing)|captured|seized|"
    r"signed|sign(?:s|ing)?|met|meet(?:s|ing)?|visited|arrested|detained|elected|resigned|approved|passed|"
    r"voted|announced|crossed|arrived|withdrew|withdrawn|retreated|advanced|destroyed|downed|shot|died|"
    r"exploded|crashed|collapsed|erupted|hit|won|lost|held|agreed|imposed|banned|sanctioned|released|"
    r"freed|evacuated|fled|moved|transferred|stationed|massed|mobilized|mobilised|recruited|trained|"
    r"executed|occurred|happened|began|started|ended|opened|closed|raised|cut|increased|decreased|rose|fell|"
    r"surged|dropped|doubled|tripled|halved)\b",
    re.IGNORECASE,
)


def _is_figure(q: Quantity) -> bool:
    """A number a fact-checker would check: not "the two leaders" (a small spelled count)."""
    if q.kind in ("percent", "money"):
        return True
    if q.kind != "count":
        return False
    small_word = not re.search(r"\d", q.text) and q.high is not None and q.high < 10
    return not small_word and (q.unit is not None or q.value is None)


def claim_type(text: str, quantities: Sequence[Quantity]) -> str:
    """``numerical`` | ``quote`` | ``event`` | ``other`` (first that applies)."""
    if any(_is_figure(q) for q in quantities):
        return "numerical"
    if _QUOTE.search(text) or find_attribution(text) is not None:
        return "quote"
    if _EVENT_VERBS.search(text) or _DATE_EXPR.search(text):
        return "event"
    return "other"


# --------------------------------------------------------------------------- date

_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
           r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_WEEKDAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_NUMBER_WORDS = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|a few)"
_DATE_EXPR = re.compile(
    "|".join([
        r"\b\d{4}-\d{2}-\d{2}\b",
        r"\b" + _MONTHS + r"\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?\b",
        r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTHS + r"(?:,?\s+\d{4})?\b",
        r"\b(?:in\s+|since\s+|last\s+|early\s+|late\s+|mid-)" + _MONTHS + r"(?:\s+\d{4})?\b",
        r"\b(?:last|this|next|on|since|by|until|early|late)\s+" + _WEEKDAYS + r"\b",
        r"\b" + _WEEKDAYS + r"\b",
        r"\b(?:yesterday|today|tonight|tomorrow)\b",
        r"\b(?:last|this|next|earlier this|later this|past)\s+(?:week|month|year|weekend)\b",
        r"\b" + _NUMBER_WORDS + r"\s+(?:days?|weeks?|months?|years?)\s+ago\b",
        r"\bin\s+(?:19|20)\d{2}\b",
    ]),
    re.IGNORECASE,
)
_NUMBER_WORD_VALUES = {"a": "1", "an": "1", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
                       "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10", "several": "3",
                       "a few": "3"}


_WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def claim_date(text: str, document_date: date | None, *, near: int | None = None) -> date | None:
    """The date a claim refers to, resolved against the document's date (relative
    expressions need it; without it only full dates are returned).

    Without ``near`` the first date expression counts; with it (a character offset, such as
    the start of the claim's figure) the expression closest to that offset does, so that in
    "3,000 in September; by Nov. 1, 12,000 troops" the date of 12,000 is Nov. 1.
    """
    base = datetime.combine(document_date, datetime.min.time()) if document_date else None
    found = list(_DATE_EXPR.finditer(text))
    if near is not None:
        found.sort(key=lambda m: max(m.start() - near, near - m.end(), 0))  # stable: ties keep text order
    for m in found:
        expr = m.group(0)
        low = expr.lower()
        has_year = re.search(r"\b(?:19|20)\d{2}\b", expr) is not None
        if base is None and not has_year:
            continue  # "last week" or "Oct. 18" mean nothing without the document date
        expr = re.sub(r"^(?:on|since|by|until|in)\s+", "", expr, flags=re.IGNORECASE)
        expr = re.sub(r"^(?:early|late|mid-)\s*", "", expr, flags=re.IGNORECASE)
        expr = re.sub(r"^(?:earlier|later) this\s+", "this ", expr, flags=re.IGNORECASE)
        expr = re.sub(r"^past\s+", "last ", expr, flags=re.IGNORECASE)
        for word, digit in _NUMBER_WORD_VALUES.items():
            expr = re.sub(rf"^{word}\s+(?=(?:days?|weeks?|months?|years?)\s+ago)", digit + " ", expr, flags=re.IGNORECASE)
        if re.fullmatch(r"(?:19|20)\d{2}", expr):
            expr = f"1 January {expr}"
        weekday = expr.strip().lower()
        if document_date is not None and weekday in _WEEKDAY_NAMES:
            # news style: "said on Thursday" in Thursday's paper is that day, else the last one
            return document_date - timedelta(days=(document_date.weekday() - _WEEKDAY_NAMES.index(weekday)) % 7)
        settings = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first"}
        if base is not None:
            settings["RELATIVE_BASE"] = base
        if low.startswith("next") or low in ("tomorrow",) or "later this" in low:
            settings["PREFER_DATES_FROM"] = "future"
        parsed = dateparser.parse(expr, languages=["en"], settings=settings)
        if parsed is not None:
            return parsed.date()
    return None


# --------------------------------------------------------------------------- entities

_TITLES = {
    "president", "prime", "minister", "secretary", "of", "state", "gen", "gen.", "general", "lt", "lt.",
    "col", "col.", "colonel", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "sen", "sen.", "senator",
    "rep", "rep.", "gov", "gov.", "governor", "chancellor", "king", "queen", "prince", "pope", "chairman",
    "leader", "spokesman", "spokeswoman", "spokesperson", "ambassador", "foreign", "defence", "defense",
    "deputy", "vice", "chief", "commander", "admiral", "adm", "adm.", "sgt", "capt", "captain", "major",
    "lieutenant", "director", "premier", "mayor", "judge", "justice", "supreme", "army", "marshal", "envoy",
}
_DEMONYMS = {
    "north korean": "North Korea", "south korean": "South Korea", "korean": "Korea", "russian": "Russia",
    "ukrainian": "Ukraine", "chinese": "China", "american": "United States", "u.s.": "United States",
    "us": "United States", "usa": "United States", "u.s.a.": "United States", "america": "United States",
    "united states of america": "United States", "british": "United Kingdom", "britain": "United Kingdom",
    "uk": "United Kingdom", "u.k.": "United Kingdom", "great britain": "United Kingdom", "english": "England",
    "french": "France", "german": "Germany", "japanese": "Japan", "iranian": "Iran", "israeli": "Israel",
    "palestinian": "Palestine", "syrian": "Syria", "turkish": "Turkey", "polish": "Poland", "indian": "India",
    "pakistani": "Pakistan", "european": "Europe", "belarusian": "Belarus", "georgian": "Georgia",
    "italian": "Italy", "spanish": "Spain", "canadian": "Canada", "australian": "Australia",
    "russian federation": "Russia", "dprk": "North Korea", "democratic people's republic of korea": "North Korea",
    "republic of korea": "South Korea", "rok": "South Korea", "eu": "European Union", "e.u.": "European Union",
    "un": "United Nations", "u.n.": "United Nations", "nato": "NATO", "dutch": "Netherlands",
    "swedish": "Sweden", "finnish": "Finland", "norwegian": "Norway", "danish": "Denmark", "czech": "Czechia",
    "hungarian": "Hungary", "romanian": "Romania", "moldovan": "Moldova", "lithuanian": "Lithuania",
    "latvian": "Latvia", "estonian": "Estonia", "egyptian": "Egypt", "saudi": "Saudi Arabia",
    "iraqi": "Iraq", "afghan": "Afghanistan", "mexican": "Mexico", "brazilian": "Brazil", "taiwanese": "Taiwan",
    "vietnamese": "Vietnam", "mongolian": "Mongolia", "kazakh": "Kazakhstan",
}
# Capitals and seats of government that stand for their state ("Pyongyang has dispatched").
_METONYMS = {
    "pyongyang": "North Korea", "moscow": "Russia", "kremlin": "Russia", "kyiv": "Ukraine", "kiev": "Ukraine",
    "beijing": "China", "washington": "United States", "white house": "United States", "pentagon": "United States",
    "seoul": "South Korea", "london": "United Kingdom", "paris": "France", "berlin": "Germany", "tokyo": "Japan",
    "tehran": "Iran", "brussels": "European Union", "minsk": "Belarus", "taipei": "Taiwan",
}
_KNOWN_PLACES = {
    "kursk", "donbas", "donbass", "donetsk", "luhansk", "crimea", "kharkiv", "kherson", "zaporizhzhia",
    "odesa", "odessa", "mariupol", "bakhmut", "avdiivka", "pokrovsk", "belgorod", "vladivostok", "siberia",
    "korean peninsula", "black sea", "baltic", "gaza", "west bank", "middle east", "europe", "asia", "africa",
    "far east", "taiwan strait", "south china sea", "east asia", "kursk region", "kursk oblast",
} | set(_METONYMS) - {"kremlin", "white house", "pentagon"}
_SENTENCE_START_STOP = {
    "the", "a", "an", "in", "on", "at", "for", "but", "and", "however", "despite", "while", "although",
    "this", "that", "these", "those", "it", "he", "she", "they", "we", "i", "there", "experts", "analysts",
    "officials", "amidst", "amid", "after", "before", "during", "since", "as", "if", "when", "some", "many",
    "secretary", "according", "meanwhile", "still", "yet", "so", "also", "then", "now", "what", "why",
    "how", "who", "where", "its", "his", "her", "their", "our", "my", "your", "more", "most", "other",
    "others", "several", "such", "both", "each", "every", "all", "no", "not", "last", "next", "earlier",
    "later", "breaking", "update", "exclusive", "reportedly", "about", "around", "over", "nearly", "almost",
    "thousands", "hundreds", "dozens", "millions", "tens", "with", "without", "by", "from", "to", "of",
    "china's", "yesterday", "today", "tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "is", "are", "was", "were", "has", "have", "will",
}
_NOT_ENTITIES = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "june", "july", "august", "september", "october", "november", "december", "i",
    "mr", "mrs", "ms", "dr", "jan", "feb", "aug", "sept", "oct", "nov", "dec",
}
_CONNECTORS = {"of", "the", "de", "al", "bin", "von", "van", "der", "du", "la", "le", "for"}
_CAP_SPAN = re.compile(
    r"(?:[A-Z][\w’'.&-]*|[A-Z]\.(?:[A-Z]\.)+)(?:\s+(?:(?:of|the|de|al|bin|von|van|der|du|la|le|for)\s+)*"
    r"(?:[A-Z][\w’'.&-]*|[A-Z]\.(?:[A-Z]\.)+))*"
)


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Lower-cased country names (pycountry's, plus everyday aliases) -> display name."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        display = getattr(country, "common_name", None) or country.name
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names[value.lower()] = display
    for alias, display in _DEMONYMS.items():
        if display not in ("European Union", "United Nations", "NATO", "Europe"):
            names[alias] = display
    names.update({"russia": "Russia", "north korea": "North Korea", "south korea": "South Korea",
                  "iran": "Iran", "syria": "Syria", "vietnam": "Vietnam", "taiwan": "Taiwan",
                  "turkey": "Turkey", "palestine": "Palestine", "czechia": "Czechia"})
    return names


def demonyms() -> frozenset[str]:
    """The demonyms and aliases :func:`canonical_entity` maps to a country ("north korean")."""
    return frozenset(_DEMONYMS)


def canonical_entity(name: str) -> str:
    """One name per thing, for comparing entities across articles: demonyms, aliases and
    capitals standing for their state map to the state ("Pyongyang" -> "North Korea")."""
    key = re.sub(r"['’]s$", "", name.strip()).lower()
    key = re.sub(r"^the\s+", "", key)
    if key in _METONYMS:
        return _METONYMS[key]
    if key in _DEMONYMS:
        return _DEMONYMS[key]
    countries = _countries()
    if key in countries:
        return countries[key]
    return re.sub(r"^the\s+", "", re.sub(r"['’]s$", "", name.strip()), flags=re.IGNORECASE)


def _strip_titles(words: list[str]) -> list[str]:
    while len(words) > 1 and words[0].lower().rstrip(".") in {t.rstrip(".") for t in _TITLES}:
        words = words[1:]
    return words


def _split_demonym(span: str) -> list[str]:
    """"North Korean" -> ["North Korea"]; "Chinese President Xi Jinping" -> ["China", "Xi Jinping"];
    "Korean Peninsula" stays as it is."""
    words = span.split()
    for n in (2, 1):
        head = " ".join(words[:n]).lower()
        if len(words) >= n and head in _DEMONYMS:
            rest = words[n:]
            if not rest:
                return [_DEMONYMS[head]]
            if rest[0].lower().rstrip(".") in {t.rstrip(".") for t in _TITLES}:
                stripped = _strip_titles(rest)
                return [_DEMONYMS[head]] + ([" ".join(stripped)] if stripped and
                                            stripped[0].lower().rstrip(".") not in _TITLES else [])
            break
    return [" ".join(_strip_titles(words))]


def find_entities(text: str) -> list[str]:
    """Named things in ``text``, in order of first mention, without duplicates."""
    found: list[str] = []
    seen: set[str] = set()
    for m in _CAP_SPAN.finditer(text):
        span = m.group(0).rstrip(".") if not re.search(r"\b[A-Z]\.$", m.group(0)) else m.group(0)
        words = span.split()
        at_start = m.start() == 0 or re.search(r"[.!?:\"“]\s*$", text[:m.start()]) is not None
        # drop sentence-initial function words ("However", "The") and trailing connectors
        while words and (words[0].lower() in _SENTENCE_START_STOP and (at_start or words[0].lower() in
                         ("the", "a", "an", "and", "of", "for"))):
            words = words[1:]
            at_start = True
        while words and words[-1].lower() in _CONNECTORS:
            words = words[:-1]
        if not words:
            continue
        span = " ".join(words)
        span = re.sub(r"['’]s$", "", span)
        if span.lower() in _NOT_ENTITIES or span.lower() in _SENTENCE_START_STOP and at_start:
            continue
        words = span.split()
        if len(words) == 1 and at_start and words[0].lower() not in _countries() and \
                words[0].lower() not in _DEMONYMS and words[0].lower() not in _METONYMS and \
                not words[0].isupper() and len(words[0]) < 4:
            continue
        parts: list[str] = []
        for piece in re.split(r"(?<=['’]s)\s+", span):  # "Russia's Kursk region" -> Russia | Kursk
            parts.extend(_split_demonym(re.sub(r"['’]s$", "", piece)))
        for entity in parts:
            entity = re.sub(r"['’]s$", "", entity).strip()
            if not entity or entity.lower() in _NOT_ENTITIES or entity.lower() in _TITLES:
                continue
            key = entity.lower()
            if key not in seen:
                seen.add(key)
                found.append(entity)
    return found


_LOCATIVE = re.compile(r"\b(?:in|near|from|to|into|across|at|outside|inside|towards?|around|along|through)\s+(?:the\s+)?$")


def locations(text: str) -> list[str]:
    """The places among :func:`find_entities`: countries, known places, and names after a
    locative preposition ("in Kursk", "near the border of X")."""
    countries = _countries()
    out: list[str] = []
    for entity in find_entities(text):
        key = entity.lower()
        if key in countries or key in _KNOWN_PLACES or entity in countries.values():
            out.append(entity)
            continue
        pos = text.find(entity)
        if pos > 0 and _LOCATIVE.search(text[max(0, pos - 20):pos]) and not entity.isupper():
            out.append(entity)
    return out


def countries_named(text: str) -> list[str]:
    """The countries among :func:`find_entities`, each once, in text order (demonyms mapped
    to their country: "North Korean soldiers" names North Korea)."""
    countries = _countries()
    out: list[str] = []
    for entity in find_entities(text):
        if (entity.lower() in countries or entity in countries.values()) and entity not in out:
            out.append(entity)
    return out
