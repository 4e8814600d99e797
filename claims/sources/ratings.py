"""Fact-check ratings as verdict labels.

A published fact-check of the same claim (a ClaimReview from the fact-check backend, or
schema.org ``ClaimReview`` JSON-LD found in a fetched page) is evidence with an explicit
judgement: its textual rating, mapped here to one of our labels, is that source's vote.

The mapping reads the rating as fact-checkers write it (Google Fact Check Tools passes
``textualRating`` through as each publisher wrote it, so the same idea comes in many
spellings). Matching is on the normalised rating: lower case, punctuation and extra
spaces removed. First the exact table below, then the word rules; anything else is
``None``: an unknown rating is no vote.

=====================  ==============================================================
label                  ratings (examples; exact table in ``_EXACT``)
=====================  ==============================================================
``supported``          true, correct, accurate, mostly true, mostly correct, verified,
                       confirmed, correct attribution, legit, real, four/geppetto
                       "no pinocchios"
``refuted``            false, mostly false, pants on fire, fake, fabricated, incorrect,
                       inaccurate, wrong, baseless, hoax, scam, satire, altered,
                       doctored, manipulated, misattributed, four pinocchios, three
                       pinocchios, barely true, no evidence, unproven, unsupported,
                       not true, debunked
``conflicting``        half true, mixture, mixed, partly true, partly false, partially
                       true, half right, misleading, missing context, needs context,
                       cherry picks, exaggerated, exaggerates, out of context,
                       distorts the facts, two pinocchios, one pinocchio, spins the
                       facts, lacks context, somewhat true
=====================  ==============================================================

"Misleading" and "missing context" are ``conflicting``: the claim holds in part and the
fact-checker says what is missing, as AVeriTeC's "conflicting evidence/cherrypicking"
and LIAR's "half-true". "Barely true" and "unproven" are ``refuted``, as LIAR maps them.
"""

from __future__ import annotations

import re

__all__ = ["RATING_LABELS", "rated_claim", "rating_label", "rating_statement"]

RATING_LABELS = ("supported", "refuted", "conflicting")

_EXACT = {
    # supported
    "true": "supported", "correct": "supported", "accurate": "supported", "mostly true": "supported",
    "mostly correct": "supported", "mostly accurate": "supported", "verified": "supported",
    "confirmed": "supported", "correct attribution": "supported", "legit": "supported", "real": "supported",
    "geppetto checkmark": "supported", "no pinocchios": "supported", "right": "supported", "fact": "supported",
    "largely accurate": "supported", "largely true": "supported", "true story": "supported",
    # refuted
    "false": "refuted", "mostly false": "refuted", "pants on fire": "refuted", "pants on fire!": "refuted",
    "fake": "refuted", "fabricated": "refuted", "incorrect": "refuted", "inaccurate": "refuted", "wrong": "refuted",
    "baseless": "refuted", "hoax": "refuted", "scam": "refuted", "satire": "refuted", "altered": "refuted",
    "altered image": "refuted", "altered video": "refuted", "altered photo": "refuted", "doctored": "refuted",
    "manipulated": "refuted", "manipulated media": "refuted", "misattributed": "refuted",
    "four pinocchios": "refuted", "three pinocchios": "refuted", "barely true": "refuted",
    "no evidence": "refuted", "unproven": "refuted", "unsupported": "refuted", "not true": "refuted",
    "debunked": "refuted", "false context": "refuted", "fake news": "refuted", "untrue": "refuted",
    "incorrect attribution": "refuted", "labeled satire": "refuted", "not legit": "refuted",
    "full flop": "refuted", "totally false": "refuted", "completely false": "refuted",
    "largely false": "refuted", "largely inaccurate": "refuted", "mostly inaccurate": "refuted",
    # conflicting
    "half true": "conflicting", "mixture": "conflicting", "mixed": "conflicting", "partly true": "conflicting",
    "partly false": "conflicting", "partially true": "conflicting", "partially false": "conflicting",
    "half right": "conflicting", "misleading": "conflicting", "missing context": "conflicting",
    "needs context": "conflicting", "lacks context": "conflicting", "cherry picks": "conflicting",
    "cherry picking": "conflicting", "exaggerated": "conflicting", "exaggerates": "conflicting",
    "exaggeration": "conflicting", "out of context": "conflicting", "distorts the facts": "conflicting",
    "two pinocchios": "conflicting", "one pinocchio": "conflicting", "spins the facts": "conflicting",
    "somewhat true": "conflicting", "half flip": "conflicting", "partly accurate": "conflicting",
    "partially accurate": "conflicting", "partly correct": "conflicting", "partially correct": "conflicting",
    "mostly misleading": "conflicting", "needs clarification": "conflicting", "outdated": "conflicting",
}

# Word rules, tried in order on ratings the table does not hold (longer sentences such as
# "False: the photo was taken in 2015"): a mixed verdict first, then a negative one, then
# a positive one.
_MIXED = re.compile(r"\b(?:half|partly|partially|mixture|mixed|misleading|missing context|lacks? context|"
                    r"needs? context|cherry[- ]?pick\w*|exaggerat\w*|out of context|two pinocchios)\b")
_NEGATIVE = re.compile(r"\b(?:false|fake|fabricated|incorrect|inaccurate|wrong|baseless|hoax|scam|satire|"
                       r"altered|doctored|manipulated|misattributed|pinocchios|unproven|unsupported|untrue|"
                       r"debunked|no evidence|not true|pants on fire)\b")
_POSITIVE = re.compile(r"\b(?:true|correct|accurate|verified|confirmed|legit)\b")


def _normalise(rating: str) -> str:
    text = rating.strip().lower().replace("’", "'")
    text = re.sub(r"[^\w\s!']+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def rating_label(rating: str | None) -> str | None:
    """The verdict label a fact-check's textual rating means, or None (no vote) when the
    rating is empty or not understood."""
    if not rating:
        return None
    text = _normalise(rating)
    if not text:
        return None
    if text in _EXACT:
        return _EXACT[text]
    head = text.split(" ")[0]
    if text.startswith(("mostly true", "mostly correct")) or head in ("true", "correct", "accurate") and \
            not _MIXED.search(text) and not _NEGATIVE.search(text.replace(head, "", 1)):
        return "supported"
    if _MIXED.search(text):
        return "conflicting"
    if _NEGATIVE.search(text):
        return "refuted"
    if _POSITIVE.search(text) and not re.search(r"\b(?:not|no|never|un)\b", text):
        return "supported"
    return None


def rating_statement(publisher: str, claim: str, rating: str, *, claimant: str | None = None,
                     made: str | None = None) -> str:
    """The sentence a fact-check document opens with: who rated which claim how. The
    pipeline cuts it into the document's first passage, so that the rating is judged
    against the claim it is about."""
    parts = [f'{publisher} rated the claim "{claim}"']
    if claimant:
        parts.append(f"made by {claimant}")
    if made:
        parts.append(f"on {made}")
    return " ".join(parts) + f' as "{rating}".'


_STATEMENT = re.compile(r'rated the claim "(?P<claim>[^"]+)"(?: made by [^"]*?)?(?: on [\d-]+)? as "(?P<rating>[^"]+)"\.')


def rated_claim(text: str) -> tuple[str, str] | None:
    """(claim, rating) of a :func:`rating_statement` in ``text``, or None."""
    m = _STATEMENT.search(text)
    return (m.group("claim"), m.group("rating")) if m else None
