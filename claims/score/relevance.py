"""Relevance before voting: is a passage about the claim's subject and what the claim says of it?

Similarity finds passages on a claim's topic; a passage about Russia's silence is on the topic
of a claim about China's silence, and must not vote on it. :func:`relevance` finds the
sentence of a passage that best carries the claim and says whether it is *about* the claim:

* **subject**: it names one of the claim's named things (people, places, bodies; a capital
  stands for its state: "Beijing" is China), when the claim names any;
* **speaker**: when the claim says what someone said or holds ("China's embassy reiterated",
  "some experts argue"), the sentence gives that speaker's words: a ministry's statement is
  no evidence of what the embassy said;
* **predicate**: it shares enough of what the claim says of its subject: at least
  ``min_coverage`` of the content words of one of the claim's clauses (and two of them), or
  the passage is very close to the claim in embedding space (``min_similarity``) and shares
  one of them.

A passage that fails is *context*: shown, never counted. :func:`silence_contradicted` reads
one more relation that cue words miss: a claim that someone "remained silent" or "has not
commented" is contradicted by a sentence in which that someone speaks.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from claims.extract.checkable import without_date
from claims.extract.sentences import split_sentences
from claims.extract.structure import _countries, canonical_entity, find_entities
from claims.extract.words import stem
from claims.score.roles import (
    _NEGATION,
    _WORD,
    _negated_near,
    _speaker,
    content_stems,
    debunk_in,
)

__all__ = [
    "Relevance",
    "claim_clauses",
    "contradicts",
    "entity_keys",
    "relevance",
    "reports_speech",
    "silence_contradicted",
    "speaker_words",
    "subject_keys",
]

MIN_COVERAGE = 0.3
MIN_SIMILARITY = 0.6

# "X said / reiterated / argued ... that": the claim is about X's words.
_SPEECH_PREDICATE = re.compile(
    r"^(?:(?:while|although|though|but|and|however|meanwhile|in\s+a\s+\w+),?\s+)?(?P<subj>[^,;]{2,80}?)\s+"
    r"(?:has\s+|have\s+|had\s+)?(?:also\s+|repeatedly\s+|again\s+)?"
    r"(?:said|says|say|reiterated|reiterates|reiterate|stressed|stresses|stress|emphasi[sz]ed|emphasi[sz]es|"
    r"argued|argues|argue|insisted|insists|insist|claimed|claims|claim|warned|warns|warn|stated|states|"
    r"declared|declares|maintained|maintains|maintain|repeated|repeats|suggested|suggests|suggest|"
    r"point\s+out|points\s+out|pointed\s+out|believe|believes|believed|contend|contends|contended)\b",
    re.IGNORECASE)
_GENERIC_SPEAKERS = frozenset(["some", "many", "several", "most", "other", "others", "few", "the", "a", "an", "its", "their", "his", "her", "our"])
_SILENCE = re.compile(
    r"\b(?:(?:remained|remains|remain|kept|keeps|stayed|stays|has\s+been|have\s+been|was|were|is|are)\s+"
    r"(?:largely\s+|publicly\s+|conspicuously\s+)?(?:silent|quiet|mum|tight-lipped)|"
    r"(?:has|have|had|did|does|do)\s+not\s+(?:yet\s+)?(?:publicly\s+|officially\s+)?"
    r"(?:commented|comment|spoken|speak|responded|respond|addressed\s+the\s+matter|said\s+anything)|"
    r"(?:declined|refused)\s+to\s+comment|(?:has|have)\s+said\s+nothing|no\s+comment\s+from)\b",
    re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(r",?\s+\b(?:and|but|while|whereas)\s+(?=(?:is|are|was|were|has|have|had|also|"
                           r"reportedly|[a-z]+(?:ed|s)\b))|;\s+|,\s+(?:emphasi[sz]ing|saying|adding|calling)\b",
                           re.IGNORECASE)


_FUNCTION = frozenset(stem(w) for w in ["between", "among", "against", "within", "without", "across", "around", "through", "toward", "towards", "because", "despite", "amid", "amidst", "since", "until", "upon", "onto", "reportedly", "allegedly", "still", "already", "well", "even", "only", "including"])
# words of time: when a claim's statement holds, not what it says ("smaller than a year earlier")
_TIME = frozenset(stem(w) for w in ["year", "month", "week", "day", "earlier", "later", "ago", "previous", "now",
                                    "today", "yesterday", "recently", "period", "quarter"])


@dataclass(frozen=True)
class Relevance:
    """Whether a passage votes on a claim, the sentence that carries the claim, and why not."""

    relevant: bool
    sentence: str = ""
    coverage: float = 0.0
    note: str = ""  # why the passage is context ("names none of China's embassy"), "" when relevant


@functools.lru_cache(maxsize=65536)
def entity_keys(text: str) -> frozenset[str]:
    """The named things of ``text``, one key each ("Beijing", "Chinese" and "China" -> "china")."""
    keys = {canonical_entity(e).lower() for e in find_entities(text)}
    for word in re.findall(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?|\b[A-Z][a-z]+", text):
        canonical = canonical_entity(word)
        if canonical != word or word.lower() in _countries():  # "Beijing", "Chinese", "China"
            keys.add(canonical.lower())
    return frozenset(keys)


_OPENER = re.compile(r"^(?:(?:in|on|at|despite|amid|amidst|after|following|although|though|while|as|since|according|"
                     r"during|with|for|however|meanwhile|but|and|yet|still|also|separately)\b[^,]{0,80},\s*)+", re.IGNORECASE)
_SUBJECT_WORDS = frozenset(["the", "of", "and", "for", "top", "senior", "some", "many", "several", "other", "former", "local", "state", "federal", "both", "most", "all", "its", "their", "his", "her", "a", "an"])


@functools.lru_cache(maxsize=16384)
def subject_keys(claim_text: str) -> frozenset[str]:
    """The named things of the claim's grammatical subject ("Beijing aims for ... with Russia
    and North Korea" -> {"china"}; "In a recent meeting, top U.S. diplomats engaged with
    China's ambassador" -> {"united states"}); all of the claim's named things when its
    subject names none."""
    text = _OPENER.sub("", claim_text.strip())
    words = text.split()
    subject: list[str] = []
    for word in words:
        bare = word.strip(",;:\"“”()")
        if bare[:1].isupper() or bare.lower() in _SUBJECT_WORDS or bare[:1].isdigit():
            subject.append(word)
            if word.endswith((",", ";", ":")):
                break
            continue
        break
    keys = entity_keys(" ".join(subject)) if subject else frozenset()
    return keys or entity_keys(claim_text)


def _entity_stems(text: str) -> frozenset[str]:
    """Stems of the words that make up names (left out of the predicate's words)."""
    words = set()
    for e in find_entities(text) + re.findall(r"\b[A-Z][a-z]+", text):
        for w in re.findall(r"[A-Za-z]+", e):
            words.add(stem(w))
    return frozenset(words)


@functools.lru_cache(maxsize=16384)
def claim_clauses(claim_text: str) -> tuple[frozenset[str], ...]:
    """The predicate words of each of the claim's clauses ("Beijing aims for X and is
    reportedly displeased with Y": two clauses), names left out; the whole claim first."""
    names = _entity_stems(claim_text)
    whole = content_stems(claim_text) - names
    parts = [p for p in _CLAUSE_SPLIT.split(claim_text) if p and len(p.split()) >= 3]
    clauses = [whole] + [content_stems(p) - names for p in parts if len(parts) > 1]
    clauses = [frozenset(w for w in c if not w[0].isdigit() and w not in _FUNCTION and w not in _TIME) for c in clauses]
    return tuple(c for c in clauses if c)


def speaker_words(claim_text: str) -> frozenset[str] | None:
    """When the claim reports what someone said or holds, the common nouns naming that
    speaker ("China's embassy in Washington" -> {"embassy"}, "some Chinese experts" ->
    {"expert"}); None when the claim is not about someone's words (or names them only by
    name, which the subject test covers)."""
    m = _SPEECH_PREDICATE.match(claim_text.strip())
    if not m:
        return None
    subject = m.group("subj")
    if len(subject.split()) > 8:
        return None
    subject = re.sub(r"\bin\s+[A-Z][\w]*(?:\s+[A-Z][\w]*)*", "", subject)  # "embassy in Washington"
    words = {stem(w) for w in re.findall(r"\b[a-z][a-z-]+\b", subject) if w not in _GENERIC_SPEAKERS}
    words -= {"top", "senior", "chinese", "american", "us"}
    return frozenset(words) or None


@functools.lru_cache(maxsize=65536)
def _sentences(passage_text: str) -> tuple[str, ...]:
    return tuple(s.text for s in split_sentences(passage_text)) or (passage_text,)


def _plain_words(sentence: str) -> frozenset[str]:
    return frozenset(w.lower() for w in re.findall(r"[A-Za-z]+", sentence))


def relevance(claim_text: str, passage_text: str, similarity: float = 0.0, *,
              min_coverage: float = MIN_COVERAGE, min_similarity: float = MIN_SIMILARITY) -> Relevance:
    """Whether ``passage_text`` is about the claim (see the module); ``similarity`` is the
    passage's embedding similarity to the claim."""
    claim_text = without_date(claim_text)
    subject = subject_keys(claim_text)
    speaker = speaker_words(claim_text)
    clauses = tuple(c - (speaker or frozenset()) for c in claim_clauses(claim_text))
    clauses = tuple(c for c in clauses if c) or claim_clauses(claim_text)
    best: Relevance | None = None
    reasons: list[str] = []
    for sentence in _sentences(passage_text):
        named = entity_keys(sentence)
        # a claim that opens with a common noun ("Evacuation orders for Pine Hollow were
        # lifted") names its subject in any case: "lifted evacuation orders" names it too
        if subject and not subject & named and _plain_words(sentence) & subject:
            named = named | (_plain_words(sentence) & subject)
        if subject and not subject & named and not (subject & entity_keys(passage_text) and
                                                     re.match(r"\s*(?:he|she|it|they|the\s+\w+)\b", sentence, re.IGNORECASE)):
            reasons.append("subject")
            continue
        stems = content_stems(sentence)
        if speaker is not None and not speaker & stems:
            reasons.append("speaker")
            continue
        shared = [len(c & stems) for c in clauses]
        coverage = max((n / len(c) for n, c in zip(shared, clauses)), default=0.0)
        enough = any(n >= 2 and n / len(c) >= min_coverage for n, c in zip(shared, clauses)) or \
            (similarity >= min_similarity and max(shared, default=0) >= 1) or \
            (max(shared, default=0) >= 1 and all(len(c) <= 2 for c in clauses))
        if not enough:
            reasons.append("predicate")
            continue
        if best is None or coverage > best.coverage:
            best = Relevance(True, sentence, coverage)
    if best is not None:
        return best
    if "predicate" in reasons:
        note = "off topic: says something else of the claim's subject"
    elif "speaker" in reasons:
        note = f"off topic: not the words of the claim's speaker ({', '.join(sorted(speaker or ()))})"
    else:
        note = "off topic: names none of the claim's subjects"
    return Relevance(False, "", 0.0, note)


def silence_contradicted(claim_text: str, passage_text: str) -> str | None:
    """For a claim that someone kept silent ("China has remained silent", "has not commented
    on"), the words of a passage sentence in which that someone speaks ("China's foreign
    ministry said"); None otherwise."""
    m = _SILENCE.search(claim_text)
    if not m:
        return None
    subject = entity_keys(claim_text[:m.start()])
    if not subject:
        return None
    for sentence in _sentences(passage_text):
        if _SILENCE.search(sentence) or re.search(r"\b(?:not|no)\s+(?:immediately\s+)?(?:respond|comment)", sentence, re.IGNORECASE):
            continue
        who, frame, at = _speaker(sentence)
        if who and entity_keys(who) & subject and not _ONLOOKERS_BEFORE.search(sentence[:max(at, 0)]):
            return frame
        for said in _SAID.finditer(sentence):  # "China's foreign ministry said on Friday that ..."
            phrase = _CLAUSE_START.split(sentence[:said.start()])[-1].strip()
            words = phrase.split()
            if 0 < len(words) <= 8 and entity_keys(phrase) & subject and not _ONLOOKER.search(phrase):
                return f"{phrase} {said.group(0).strip()}"
    return None


_SAID = re.compile(r"(?:\s+(?:has|have|had|also|again|[a-z]+ly))*\s+(?:said|says|told|stated|announced|responded|"
                   r"replied|answered|commented|declared)\b")
# Where the words before a speech verb stop being its subject: a clause boundary
_CLAUSE_START = re.compile(r"[,;:()\u2013\u2014]|\s-\s|\b(?:that|and|but|while|as|after|when|which|who)\b")
# People who speak about a country or city, not for it ("officials" are not among them):
# "Analysts in Beijing said" is not Beijing speaking, "officials in Beijing" are
_ONLOOKER_WORDS = (r"(?:analysts?|experts?|observers?|scholars?|academics?|commentators?|residents?|people|"
                   r"citizens|journalists?|reporters?|correspondents?|diplomats?|sources?|critics?|economists?|"
                   r"researchers?|students?|protesters?|investors?|traders?|witnesses?|locals?|media|newspapers?|"
                   r"press)")
_ONLOOKER = re.compile(rf"\b{_ONLOOKER_WORDS}\b", re.IGNORECASE)
# ... and the words before a name that place such people there ("analysts based in ")
_ONLOOKERS_BEFORE = re.compile(
    rf"\b{_ONLOOKER_WORDS}\s+(?:(?:who\s+are\s+)?(?:based\s+)?(?:in|from|at|close\s+to|near)\s+)(?:the\s+)?$",
    re.IGNORECASE)


def contradicts(claim_text: str, sentence: str) -> bool:
    """Whether a sentence on the claim's topic says something against it in words: a
    negation over the claim's own content words ("did not deploy") when the claim is not
    negated itself, or a debunking word ("false", "denied")."""
    if not sentence:
        return False
    claim_text = without_date(claim_text)
    if debunk_in(sentence):
        return True
    claim_negated = any(w.lower() in _NEGATION or w.lower().endswith("n't") for w in _WORD.findall(claim_text))
    return not claim_negated and _negated_near(sentence, content_stems(claim_text) - _entity_stems(claim_text)) is not None


_SPEECH_CLAIM = re.compile(
    r"^(?:(?:while|although|though|but|and|however|meanwhile|in\s+a\s+\w+),?\s+)?(?P<subj>[^,;]{2,90}?)\s+"
    r"(?:has\s+|have\s+|had\s+)?(?:also\s+|repeatedly\s+|publicly\s+|formally\s+)?"
    r"(?:alleges|alleged|claims|claimed|denied|denies|deny|says|said|insists|insisted|argues|argued|"
    r"maintains|maintained)\s+(?:that\s+)?", re.IGNORECASE)


def reports_speech(claim_text: str) -> bool:
    """Whether the claim is that someone said something ("A post shared widely claims that
    ...", "A lawsuit filed by residents alleges that ...", "The utility has denied that
    ..."): what is checked is that the statement was made, not its content."""
    m = _SPEECH_CLAIM.match(without_date(claim_text).strip())
    if m is None:
        return False
    subject = m.group("subj")
    return not re.search(r"\b(?:officials?|police|agency|ministry|government|department|office|spokes\w+|"
                         r"statistics|survey|data|report)\b", subject, re.IGNORECASE) or \
        re.search(r"\b(?:denied|denies|deny|alleges|alleged|claims|claimed)\b", m.group(0), re.IGNORECASE) is not None
