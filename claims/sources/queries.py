"""From a claim to search queries, and from URLs to one canonical form for de-duplication.

Search services match keywords, not sentences, so a claim becomes a few short queries:
the most specific one first (salient entities with the number and what it counts), then a
broader one without the number (sources that report a different figure for the same thing
are exactly the evidence a numeric claim needs), then the claim's content words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from claims.sources.safety import SECRET_PARAMS

if TYPE_CHECKING:
    from claims.models import Claim

__all__ = ["TRACKING_PARAMS", "build_queries", "canonical_url", "entities_of"]

MAX_QUERY_WORDS = 10

_STOPWORDS = frozenset({
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "even",
    "ever", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here",
    "hers", "herself", "him", "himself", "his", "how", "however", "i", "if", "in", "into", "is",
    "it", "its", "itself", "just", "least", "less", "many", "may", "me", "might", "more", "most",
    "much", "must", "my", "myself", "near", "no", "nor", "not", "now", "of", "off", "on", "once",
    "only", "or", "other", "our", "ours", "out", "over", "own", "per", "reportedly", "said",
    "same", "says", "she", "should", "since", "so", "some", "such", "than", "that", "the", "their",
    "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too",
    "under", "until", "up", "upon", "us", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "whom", "why", "will", "with", "within", "would", "you", "your",
    "yours", "according", "amid", "despite", "still", "yet", "recent", "recently", "reported",
    "reports", "report"
})
# Capitalised words that start sentences or name months/days, not entities.
_NOT_ENTITIES = frozenset({
    "The", "A", "An", "In", "On", "At", "As", "But", "And", "Or", "If", "When", "While", "However",
    "According", "Despite", "Amid", "After", "Before", "During", "This", "That", "These", "Those",
    "It", "Its", "He", "She", "They", "We", "I", "His", "Her", "Their", "Our", "Some", "Many",
    "Most", "More", "Several", "Officials", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December", "Mr", "Mrs", "Ms", "Dr"
})
_CAPITALISED = re.compile(
    r"\b[A-Z][\w\-\.]*[\w](?:['’]s)?(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w\-\.]*[\w](?:['’]s)?)*")
_WORD = re.compile(r"[\w][\w\-]*[\w]|\w")
_POSSESSIVE = re.compile(r"['’]s\b")

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl", "ref_src", "ref_url", "cmpid", "ocid", "smid", "smtyp",
    "at_medium", "at_campaign", "spm", "share", "s_cid",
})


def canonical_url(url: str) -> str:
    """One spelling per page: lower-case scheme and host, no default port, no fragment,
    no credentials (user:password@, ``key``/``token`` and the like), no tracking parameters
    (``utm_*`` and the like), query parameters sorted."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if port is not None and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS and k.lower() not in SECRET_PARAMS
    )
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def _clean(phrase: str) -> str:
    return " ".join(_POSSESSIVE.sub("", phrase).split())


def entities_of(text: str) -> list[str]:
    """Capitalised names in ``text`` (a fallback for claims that carry no entities)."""
    found: list[str] = []
    for match in _CAPITALISED.finditer(text):
        words = _clean(match.group(0)).split()
        while words and words[0] in _NOT_ENTITIES:
            words = words[1:]
        phrase = " ".join(words)
        if phrase and phrase not in found:
            found.append(phrase)
    return found


def _format_number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def _limit(words: Iterable[str]) -> str:
    kept: list[str] = []
    seen: set[str] = set()
    for word in words:
        key = word.lower()
        if key in seen:
            continue
        seen.add(key)
        kept.append(word)
        if len(kept) >= MAX_QUERY_WORDS:
            break
    return " ".join(kept)


def build_queries(claim: Claim) -> tuple[str, ...]:
    """A few keyword queries for one claim, most specific first, without duplicates."""
    entities = [_clean(e) for e in (claim.entities or entities_of(claim.text)) if _clean(e)][:4]
    entity_words = [w for e in entities for w in e.split()]
    quantity = claim.quantity
    number = ""
    noun_words: list[str] = []
    if quantity is not None:
        if quantity.value is not None:
            number = _format_number(quantity.value)
        elif quantity.low is not None and quantity.high is not None:
            number = f"{_format_number(quantity.low)} {_format_number(quantity.high)}"
        if quantity.unit and quantity.kind == "count":
            noun_words = [w for w in quantity.unit.split() if w.lower() not in _STOPWORDS]
        elif quantity.unit:
            noun_words = [quantity.unit]
    content = [w for w in _WORD.findall(_POSSESSIVE.sub("", claim.text))
               if w.lower() not in _STOPWORDS and not w.isdigit() and len(w) > 1]
    queries: list[str] = []
    if number and (entity_words or noun_words):
        queries.append(_limit([number, *noun_words, *entity_words]))
    if entity_words and noun_words:
        queries.append(_limit([*noun_words, *entity_words]))
    elif entity_words:
        queries.append(_limit(entity_words))
    queries.append(_limit(content))
    unique: list[str] = []
    for query in queries:
        if query and query.lower() not in (u.lower() for u in unique):
            unique.append(query)
    return tuple(unique)
