"""What a passage does with a claim: asserts it, only reports it, disputes it, or mentions it.

Similarity finds passages *about* a claim; whether a passage *confirms* it depends on its
voice. A fact-check repeats the claim's figure in order to debunk it; a news story quotes
the politician who made the claim; a third outlet relays an agency's estimate. Each
(claim, passage) pair, and each figure they share, gets one role:

``asserts``
    the passage states the claim's content in its own voice, or attributes it to a named
    origin other than the claimant ("About 8,000 soldiers are in Kursk, Blinken said").
    It also covers a fact-checker's explicit confirmation ("we find the statement to be
    accurate").
``reports_claim``
    the passage restates the claim as something someone said, posted or shared: a
    generic claim-maker ("a viral post claims", "the ad says"), the claimant themselves,
    a distancing verb ("alleged", "purported"), or a near-verbatim restatement of the
    claim inside a speech frame or quotation marks (how fact-checks open). A reported
    figure never backs the claim.
``disputes``
    the passage denies, debunks or corrects it: debunking words ("false", "fabricated",
    "doctored", "satire", "no evidence"), negation over the claim's own words ("did not
    deploy"), or a correction after the claim was reported ("..., but in fact only
    3,000"). A disputed figure refutes the claim.
``mentions``
    related text that does none of the above.

The rules read the sentence (or, for a figure, the clause) that carries the claim's
content, with a lexicon of speech verbs, claim-makers and debunking words. They are
deliberately transparent: each decision returns the words that made it (``cue``), which
the tests, the rationale and ``claim_evidence`` show. :func:`role_features` exposes the
same cues as numbers for the learned stance model.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import pycountry

from claims.extract.quantities import parse_quantities, same_counted_thing
from claims.extract.scope import clause_bounds
from claims.extract.sentences import split_sentences
from claims.extract.structure import demonyms, find_attribution
from claims.extract.words import stem
from claims.models import Quantity

__all__ = [
    "ROLES",
    "ROLE_FEATURES",
    "Role",
    "content_stems",
    "origin_key",
    "passage_role",
    "role_features",
]

ROLES = ("asserts", "reports_claim", "disputes", "mentions")

# -- words -------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d+(?:[.,]\d+)*")
_STOP = frozenset(
    ["a", "an", "the", "of", "to", "in", "on", "at", "for", "by", "with", "from", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "and", "or", "which", "who", "whom", "whose", "what", "when", "where", "how", "than", "then", "there", "their", "they", "them", "he", "she", "his", "her", "we", "our", "you", "your", "i", "me", "my", "has", "have", "had", "do", "does", "did", "will", "would", "shall", "should", "can", "could", "may", "might", "must", "also", "about", "into", "over", "such", "so", "very", "just", "more", "most", "other", "some", "any", "each", "all", "both", "after", "before", "while", "during", "per", "up", "out", "says", "said", "say", "according"]
)
_NEGATION = frozenset(
    ["no", "not", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot", "n't", "isn't", "aren't", "wasn't", "weren't", "don't", "doesn't", "didn't", "hasn't", "haven't", "hadn't", "won't", "wouldn't", "couldn't", "shouldn't"]
)

# Who makes claims that a fact-check reports: their statements are restated, not asserted.
_CLAIM_MAKERS = re.compile(
    r"\b(?:(?:viral\s+)?(?:social[- ]media\s+)?(?:posts?|videos?|clips?|memes?|images?|photos?|pictures?|graphics?|"
    r"tweets?|messages?|e-?mails?|chain\s+letters?|ads?|advertisements?|commercials?|mailers?|flyers?|"
    r"websites?|blogs?|headlines?|rumou?rs?|users?|accounts?|screenshots?|captions?|petitions?|"
    r"infographics?|viral)|social\s+media|facebook|twitter|tiktok|instagram|whatsapp|youtube|telegram|"
    r"(?:the|this|that|a|his|her|their)\s+(?:claim|statement|assertion|allegation|post|remark|comment)s?)\b",
    re.IGNORECASE,
)
# Verbs that keep a statement at a distance: whoever says it, it is reported, not asserted.
_DISTANCING = re.compile(
    r"\b(?:claim(?:ed|ing)|claims?\s+(?:that|to)|alleg(?:e|es|ed|ing|edly)|purport(?:s|ed|edly)?|supposedly|assert(?:s|ed)|"
    r"insist(?:s|ed)|boast(?:s|ed)|contend(?:s|ed)|charg(?:es|ed)|asserted|so-called)\b",
    re.IGNORECASE,
)
_SPEECH_VERBS = (
    r"said|says|say|told|tells|stated|states|wrote|writes|posted|posts|shared|shares|tweeted|tweets|"
    r"announced|announces|reported|reports|estimated|estimates|added|noted|argued|warned|declared|"
    r"explained|testified|repeated|suggested|confirmed|confirms"
)
_SPEECH = re.compile(r"\b(?:" + _SPEECH_VERBS + r"|according\s+to)\b", re.IGNORECASE)
_DEBUNK = re.compile(
    r"\b(?:false(?:ly|hood)?|fake|fabricat(?:ed|ion|es)|doctored|manipulated|altered|photoshopped|"
    r"digitally\s+(?:altered|edited)|satir(?:e|ical)|parody|hoax(?:es)?|debunk(?:ed|s)?|baseless|groundless|"
    r"unfounded|unsubstantiated|untrue|inaccurate(?:ly)?|incorrect(?:ly)?|wrong(?:ly)?|erroneous(?:ly)?|"
    r"misleading(?:ly)?|mislead(?:s)?|misrepresent(?:s|ed|ing)?|mischaracteri[sz](?:es|ed|ing)|distort(?:s|ed|ion)|"
    r"exaggerat(?:es|ed|ion|ing)|overstat(?:es|ed|ing)|inflat(?:es|ed)|myth|conspiracy\s+theor(?:y|ies)|"
    r"out\s+of\s+context|cherry-?pick(?:s|ed|ing)?|no\s+(?:evidence|proof|record|indication|basis|sign|data)|"
    r"not\s+(?:true|accurate|correct|the\s+case|supported\s+by)|"
    r"did\s+not\s+happen|never\s+happened|never\s+(?:said|signed|proposed|voted|passed)|no\s+such|"
    r"den(?:y|ies|ied)|dismiss(?:es|ed)|reject(?:s|ed)|refut(?:es|ed)|disput(?:es|ed)|"
    r"dispute(?=\s+(?:the|that|this|these|his|her|their|its|claims?|reports?|figures?|accounts?))|contradict(?:s|ed)|"
    r"contrary\s+to|disprov(?:es|ed|en)|fact[- ]check(?:ed|ers)?\s+(?:found|rated))\b",
    re.IGNORECASE,
)
_ADJECTIVAL_BEFORE = frozenset(["of", "the", "a", "an", "any", "all", "some", "many", "most", "these", "those", "with", "for", "and", "or", "their", "its", "his", "her", "our", "several"])


def debunk_in(text: str) -> re.Match[str] | None:
    """The first debunking word of ``text`` that acts on something ("denied the report",
    "the claim is false"), not a participle naming a kind of thing ("lists of rejected mail
    ballots", "the disputed territory")."""
    for m in _DEBUNK.finditer(text):
        word = m.group(0).lower()
        if word.endswith("ed") and " " not in word:
            before = re.findall(r"[A-Za-z']+", text[max(0, m.start() - 20):m.start()])
            after = re.match(r"\s+([a-z][a-z-]+)", text[m.end():m.end() + 30])
            if before and before[-1].lower() in _ADJECTIVAL_BEFORE and after and \
                    after.group(1) not in ("by", "as", "that", "the", "it", "this", "them"):
                continue
        return m
    return None


_AFFIRM = re.compile(
    r"\b(?:accurate(?:ly)?|correct(?:ly)?|is\s+right|was\s+right|are\s+right|checks\s+out|holds?\s+up|"
    r"on\s+target|backs?\s+(?:it\s+)?up|borne\s+out|verified|confirm(?:s|ed)\s+(?:the|that|this|his|her))\b",
    re.IGNORECASE,
)
# A negated confirmation: the passage says the content is unconfirmed, which backs nothing.
_UNVERIFIED = re.compile(
    r"\b(?:(?:could|can|cannot|can't|couldn't|could\s+not|has\s+not|have\s+not|had\s+not|was\s+not|were\s+not|"
    r"is\s+not|are\s+not|not)\s+(?:be\s+|been\s+|yet\s+)?(?:independently\s+|immediately\s+|officially\s+)?"
    r"(?:verified|confirmed|corroborated|substantiated)|unverified|unconfirmed|"
    r"(?:could|can)\s*not\s+(?:yet\s+)?(?:independently\s+)?(?:verify|confirm))\b",
    re.IGNORECASE)
_CORRECTION = re.compile(
    r"\b(?:in\s+fact|actually|in\s+reality|the\s+real|the\s+actual|rather\s+than|instead|closer\s+to|"
    r"only|just|merely)\b",
    re.IGNORECASE,
)
_CONTRAST = re.compile(r"(?:[,;]\s*|\s+[-–—]+\s+|^)(?:but|however|though|although|whereas|yet|while)\b|"
                       r"^\s*(?:but|however|in\s+fact|actually|in\s+reality)\b", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“”]{1,2}([^\"“”]{8,})[\"“”]{1,2}|‘([^’]{8,})’")
_PERSON_TITLES = frozenset(
    ["president", "minister", "secretary", "gen", "general", "lt", "col", "colonel", "mr", "mrs", "ms", "dr", "sen", "senator", "rep", "representative", "gov", "governor", "spokesman", "spokeswoman", "spokesperson", "ambassador", "deputy", "chief", "commander", "director", "mayor", "chairman", "chairwoman", "adviser", "advisor", "envoy", "judge", "justice", "king", "queen", "prince", "pope", "premier", "chancellor"]
)
_PRONOUN_SUBJECT = re.compile(r"^(?:he|she|they|it|we|i)$", re.IGNORECASE)
_TITLE_WORDS = frozenset(
    ["president", "prime", "minister", "secretary", "state", "gen", "general", "lt", "col", "colonel", "mr", "mrs", "ms", "dr", "sen", "senator", "rep", "representative", "gov", "governor", "spokesman", "spokeswoman", "spokesperson", "ambassador", "foreign", "defence", "defense", "deputy", "vice", "chief", "commander", "director", "mayor", "press", "u.s", "us", "the", "of", "former"]
)


def _key(word: str) -> str:
    """A word's stem cut to six letters, the key of word overlap: a word and one derived from
    it meet ("resigned" and "resignation", "approved" and "approval")."""
    return stem(word)[:6]


def _content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w.lower() not in _STOP and w.lower() not in _NEGATION and len(w) > 1]


def content_stems(text: str) -> frozenset[str]:
    """The content words of ``text`` (stop words and negations out), stemmed."""
    return frozenset(stem(w) for w in _content_words(text))


def _overlap_keys(text: str) -> frozenset[str]:
    """The content words of ``text`` as overlap keys (:func:`_key`)."""
    return frozenset(_key(w) for w in _content_words(text))


def _overlap(claim_keys: frozenset[str], text: str) -> float:
    if not claim_keys:
        return 0.0
    return len(claim_keys & _overlap_keys(text)) / len(claim_keys)


def _names(text: str) -> set[str]:
    """Capitalised words that are not sentence openers: the names a text mentions."""
    return {w.lower() for w in re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}\b", text)} - \
        {w.lower() for w in _SENTENCE_OPENERS}


# -- origins -----------------------------------------------------------------------------


def origin_key(origin: str | None) -> str | None:
    """A key under which two spellings of one origin meet: "Secretary of State Antony
    Blinken", "Blinken" and "US Secretary of State Antony Blinken" -> "blinken"; "National
    Intelligence Service", "NIS" and "South Korea's National Intelligence Service (NIS)" ->
    "nis". None when the origin names nobody in particular ("officials", "the agency")."""
    if not origin:
        return None
    for acronym in re.finditer(r"\(([A-Z]{2,6})\)|\b([A-Z]{2,6})\b", origin):
        letters = acronym.group(1) or acronym.group(2)
        if letters not in _country_codes():  # "US Secretary of State ..." is not the origin "US"
            return letters.lower()
    text = re.sub(r"['’]s\b", "", origin)
    words = [w for w in re.findall(r"[A-Z][\w-]*", text) if w.lower() not in _TITLE_WORDS]
    words = [w for w in words if not _is_country_word(w)]
    if not words:
        return None
    titled = any(w.lower().strip(".") in _PERSON_TITLES for w in re.findall(r"[A-Za-z.]+", text))
    if len(words) >= 3 and not titled:  # an organisation: its initials
        return "".join(w[0] for w in words).lower()
    return words[-1].lower()  # a person: the surname


@functools.lru_cache(maxsize=1)
def _country_words() -> frozenset[str]:
    """Lower-cased one-word country names and demonyms ("russia", "korea", "korean"):
    places, not origins ("South Korea's spy agency" names no particular origin)."""
    words = set()
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", "")):
            head = (name or "").split(",")[0].strip()
            if head and " " not in head:
                words.add(head.lower())
    for demonym in demonyms():
        if " " not in demonym:
            words.add(demonym.lower())
    return frozenset(words | {"korea", "america", "britain", "north", "south", "east", "west", "united", "saudi"})


@functools.lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    codes = {c.alpha_2 for c in pycountry.countries} | {c.alpha_3 for c in pycountry.countries}
    return frozenset(codes | {"UK", "EU", "UN"})


def _is_country_word(word: str) -> bool:
    return word.lower() in _country_words()


def _claimant_keys(claimant: str | None) -> frozenset[str]:
    if not claimant:
        return frozenset()
    words = re.findall(r"[A-Za-z][\w-]*", claimant)
    return frozenset(w.lower() for w in words if len(w) >= 3 and w.lower() not in _TITLE_WORDS
                     and w.lower() not in _STOP)


# -- the decision ------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    """A passage's role towards a claim (one of :data:`ROLES`), the origin it cites for the
    claim's content (None: its own voice), and the words that decided."""

    role: str
    origin: str | None = None
    cue: str = ""

    @property
    def origin_key(self) -> str | None:
        return origin_key(self.origin)


def _clauses(sentence: str) -> list[tuple[int, int]]:
    """Spans of a sentence cut before a contrast ("..., but ...", "; however ...")."""
    cuts = [0] + [m.start() for m in _CONTRAST.finditer(sentence) if m.start() > 0] + [len(sentence)]
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def _negated_near(text: str, stems: frozenset[str], window: int = 4) -> str | None:
    """A negation within ``window`` words before a word of ``stems`` ("did not deploy")."""
    words = re.findall(r"[A-Za-z]+(?:['’][a-z]+)?|\d+(?:[.,]\d+)*", text)
    for i, w in enumerate(words):
        if w.lower() in _NEGATION or w.lower().endswith("n't"):
            for j in range(i + 1, min(len(words), i + 1 + window)):
                if (stem(words[j]) in stems or _key(words[j]) in stems) and words[j].lower() not in _STOP:
                    return " ".join(words[i:j + 1])
    return None


_NAME_BEFORE = re.compile(
    r"((?:[A-Z][\w.'’&-]*(?:['’]s)?\s+(?:(?:of|for|and|the|de|al)\s+)*)*[A-Z][\w.'’&-]*)\s*(?:,[^,]{0,40},\s*)?"
    r"(?:(?:has|have|had|also|then|later|earlier|previously|again|[a-z]+ly)\s+)*$")
_NAME_AFTER = re.compile(r"^\s*((?:[A-Z][\w.'’&-]*(?:['’]s)?\s+(?:(?:of|for|and|the)\s+)*)*[A-Z][\w.'’&-]*)")
_VERB = re.compile(r"\b(?:" + _SPEECH_VERBS + r")\b")  # lower case: "United States" is no verb
_SENTENCE_OPENERS = frozenset(["The", "A", "An", "But", "And", "However", "In", "On", "At", "This", "That", "These", "Those", "It", "He", "She", "They", "We"])


def _speaker(clause: str, focus: int | None = None) -> tuple[str | None, str, int]:
    """(who the clause attributes its statement to, the frame's words, where the frame
    starts in the clause), or (None, "", -1). With ``focus`` (an offset in the clause,
    such as the figure's), the speech verb nearest to it is read first."""
    maker = _CLAIM_MAKERS.search(clause)
    if maker and (_SPEECH.search(clause) or _DISTANCING.search(clause)):
        return maker.group(0), maker.group(0), maker.start()
    if not _SPEECH.search(clause) and not _DISTANCING.search(clause):
        return None, "", -1
    verbs = list(_VERB.finditer(clause))
    if focus is not None:
        verbs.sort(key=lambda m: abs(m.start() - focus))
    for verb in verbs:
        before = clause[max(0, verb.start() - 90):verb.start()]
        pronoun = re.search(r"\b(he|she|they|it|we)\s+(?:(?:has|have|had|also|[a-z]+ly)\s+)*$", before, re.IGNORECASE)
        if pronoun:
            at = verb.start() - len(before) + pronoun.start()
            return pronoun.group(1), clause[at:verb.end()], at
        name = _NAME_BEFORE.search(before)
        if name and name.group(1).split()[0] not in _SENTENCE_OPENERS | {"Secretary"} or \
                name and len(name.group(1).split()) > 1:
            who = name.group(1)
            words = who.split()
            while words and words[0] in _SENTENCE_OPENERS:
                words = words[1:]
            if words:
                at = verb.start() - len(before) + name.start()
                return " ".join(words), clause[at:verb.end()], at
        after = _NAME_AFTER.search(clause[verb.end():verb.end() + 80])
        if after and re.match(r"^\s*[,.;]?\s*$", clause[verb.end() + after.end():verb.end() + after.end() + 2]):
            return after.group(1), clause[verb.start():verb.end() + after.end()], verb.start()
    who = find_attribution(clause)
    if who:
        at = clause.find(who)
        return who, who, max(at, 0)
    according = re.search(r"\baccording to\s+([^,.;]+)", clause, re.IGNORECASE)
    if according:
        return according.group(1), according.group(0), according.start()
    return None, "", -1


_NAME_SPAN = re.compile(r"(?:[A-Z][\w.'’&-]*(?:['’]s)?\s+(?:(?:of|for|and|the)\s+)*)+[A-Z][\w.'’&-]*")


def _resolve_pronoun(text_before: str) -> str | None:
    """The last person-like name (two or more capitalised words) before a pronoun subject."""
    for m in reversed(list(_NAME_SPAN.finditer(text_before))):
        name = m.group(0)
        words = name.split()
        while words and words[0] in _SENTENCE_OPENERS:
            words = words[1:]
        if len(words) >= 2 and origin_key(" ".join(words)):
            return " ".join(words)
    return None


def _clause_role(clause: str, context_before: str, claim_stems: frozenset[str], claim_negated: bool,
                 claimant: frozenset[str], verbatim: bool, focus: int | None = None,
                 target: str | None = None, claim_denies: bool = False) -> Role:
    """The role of one clause that carries the claim's content; ``target``: the narrower
    text a denial must be in to dispute it (a figure's own clause), default the clause."""
    target = clause if target is None else target
    debunk = debunk_in(target)
    if debunk and not claim_denies:  # a claim that reports a denial is backed by the denial
        return Role("disputes", cue=debunk.group(0))
    if not claim_negated:
        negated = _negated_near(target, claim_stems)
        if negated:
            return Role("disputes", cue=negated)
    who, frame, at = _speaker(clause, focus)
    if who and _PRONOUN_SUBJECT.match(who):
        who = _resolve_pronoun(context_before + " " + clause[:at]) or who
    affirm = _AFFIRM.search(clause)
    if affirm:
        unverified = _UNVERIFIED.search(clause[max(0, affirm.start() - 40):affirm.end()])
        if unverified:  # "the figures could not be independently verified": neither backs nor denies
            return Role("mentions", origin=who, cue=unverified.group(0))
        reported_frame = who is not None or _CLAIM_MAKERS.search(clause) is not None
        if reported_frame or "statement" in clause.lower() or "claim" in clause.lower():
            return Role("asserts", cue=affirm.group(0))
    unverified = _UNVERIFIED.search(clause)
    if unverified:
        return Role("mentions", origin=who, cue=unverified.group(0))
    maker = _CLAIM_MAKERS.search(clause)
    if maker and (who is not None or _DISTANCING.search(clause)):
        return Role("reports_claim", origin=who, cue=frame or maker.group(0))
    distancing = _DISTANCING.search(clause)
    if distancing:
        return Role("reports_claim", origin=who, cue=distancing.group(0))
    if who is not None:
        names = {w.lower() for w in re.findall(r"[A-Za-z][\w-]*", who)}
        if claimant and names & claimant:
            return Role("reports_claim", origin=who, cue=f"{frame} (the claimant)")
        if verbatim and _QUOTED.search(clause):
            return Role("reports_claim", origin=who, cue=f"{frame} (quotes the claim)")
        return Role("asserts", origin=None if _PRONOUN_SUBJECT.match(who) else who, cue=frame)
    if verbatim and _QUOTED.search(clause):
        return Role("reports_claim", cue="quotes the claim")
    return Role("asserts", cue="own voice")


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans = [(s.start, s.end) for s in split_sentences(text)]
    return spans or [(0, len(text))]


_ORDER = {"disputes": 0, "asserts": 1, "reports_claim": 2, "mentions": 3}


def passage_role(claim_text: str, passage_text: str, *, passage_figure: Quantity | None = None,
                 claimant: str | None = None, min_overlap: float = 0.5, gathered_for_claim: bool = False) -> Role:
    """The role of ``passage_text`` towards the claim.

    With ``passage_figure`` (a figure of the passage that counts what the claim's figure
    counts), the clause around that figure decides: is the figure stated, attributed to an
    origin, reported as the claim, or corrected? Without it, the sentences that share at
    least ``min_overlap`` of the claim's content words decide (the strongest role among
    them: disputes, then asserts, then reports). A claim restated and then contradicted in
    the next sentence ("X said 50. In fact, ...") is disputed. ``claimant``: who made the
    claim, when known (a name; their statements are only reports of the claim).
    """
    claim_stems = _overlap_keys(claim_text)
    claim_negated = any(w.lower() in _NEGATION or w.lower().endswith("n't") for w in _WORD.findall(claim_text))
    # a claim that reports a denial ("X has denied that ..."): the passage's denials back it
    claim_denies = debunk_in(claim_text) is not None
    claimant_keys = _claimant_keys(claimant)
    spans = _sentence_spans(passage_text)
    if passage_figure is not None:
        targets = [(a, b) for a, b in spans if a <= passage_figure.start < b] or [spans[0]]
        following = [(a, b) for a, b in spans if a >= targets[0][1]][:1] if not gathered_for_claim else []
        for a, b in following:  # "... about $250 a dose. The report could not be independently confirmed."
            unverified = _UNVERIFIED.search(passage_text[a:b])
            if unverified and re.search(r"\b(?:figure|number|estimate|price|total|count|claim|report|account|"
                                        r"it|that|this|these|those)s?\b", passage_text[a:b], re.IGNORECASE):
                return Role("mentions", cue=unverified.group(0))
    else:
        targets = [(a, b) for a, b in spans if _overlap(claim_stems, passage_text[a:b]) >= min_overlap]
    if not targets:
        # "The post is fabricated.", "There is no record of Lincoln saying it": a debunking
        # sentence about the claim's object (a post, a photo) or its named subject
        if gathered_for_claim and not claim_denies:  # a justification written for this claim: its verdict words are about it
            debunk = debunk_in(passage_text)
            if debunk and (_CLAIM_MAKERS.search(passage_text) or _names(claim_text) & _names(passage_text)):
                return Role("disputes", cue=debunk.group(0))
        for a, b in spans:  # the debunking sentence itself must be about the claim
            sentence = passage_text[a:b]
            debunk = debunk_in(sentence) if not claim_denies else None
            # about the claim's object ("The photo is ... out of context" of a claim about a
            # picture) or naming the claim's subject and sharing its words
            if debunk and ((_CLAIM_MAKERS.search(sentence) and _CLAIM_MAKERS.search(claim_text)) or
                           (_names(claim_text) & _names(sentence) and _overlap(claim_stems, sentence) >= min_overlap / 2)):
                return Role("disputes", cue=debunk.group(0))
        return Role("mentions")
    best: Role | None = None
    for a, b in targets:
        sentence = passage_text[a:b]
        verbatim = _overlap(claim_stems, sentence) >= 0.8
        clauses = _clauses(sentence)
        if passage_figure is not None:
            rel = passage_figure.start - a
            chosen = [(x, y) for x, y in clauses if x <= rel < y] or clauses[:1]
        else:
            chosen = [(x, y) for x, y in clauses if _overlap(claim_stems, sentence[x:y]) >= min_overlap / 2] or clauses
        target = None
        if passage_figure is not None and not gathered_for_claim:  # a denial disputes a figure only in its clause
            f_start, f_end = clause_bounds(passage_text, passage_figure)
            target = passage_text[f_start:f_end]
        for x, y in chosen:
            focus = passage_figure.start - a - x if passage_figure is not None else None
            retracted = _RETRACTED.search(sentence[x:y])
            if retracted:  # "An earlier version of this article said ...": the outlet's correction notice
                role = Role("disputes", origin=None, cue=retracted.group(0))
            else:
                role = _clause_role(sentence[x:y], passage_text[:a] + " " + sentence[:x], claim_stems, claim_negated,
                                    claimant_keys, verbatim, focus, target, claim_denies)
            if role.role == "reports_claim":
                role = _corrected_after(passage_text, a + y, role, claim_stems, passage_figure) or role
            if best is None or _ORDER[role.role] < _ORDER[best.role]:
                best = role
    return best if best is not None else Role("mentions")


# A correction notice: what "an earlier version of this article said" was wrong.
_RETRACTED = re.compile(r"\b(?:an?|the)\s+(?:earlier|previous|original|first|prior)\s+(?:version|edition)\s+of\s+"
                        r"(?:this|the|our)\s+(?:article|story|report|piece|post|release|statement|page)\b[^.;]{0,30}?"
                        r"\b(?:said|stated|reported|gave|misstated|misreported|wrongly|incorrectly|included|had)\b",
                        re.IGNORECASE)


def _corrected_after(text: str, end: int, reported: Role, claim_stems: frozenset[str],
                     figure: Quantity | None) -> Role | None:
    """A correction right after a reported claim: the rest of the sentence and the next one,
    opening with a contrast or a correction marker and carrying a debunking word, a negation
    or (for a figure) another figure of the same thing."""
    after = text[end:end + 400]
    next_end = min((b for a, b in _sentence_spans(text) if a >= end), default=len(text))
    after = text[end:max(next_end, end)]
    head = after.lstrip(" ,;:-–—\"“”")
    if not (_CONTRAST.search(head[:40]) or _CORRECTION.search(head[:60])):
        return None
    debunk = debunk_in(head)
    if debunk:
        return Role("disputes", origin=None, cue=f"{head[:30].strip()}… {debunk.group(0)}")
    negated = _negated_near(head, claim_stems)
    if negated:
        return Role("disputes", origin=None, cue=negated)
    if figure is not None:
        for q in parse_quantities(head):
            if same_counted_thing(figure, q) and q.value != figure.value:
                return Role("disputes", origin=None, cue=f"corrected to {q.text}")
    return None


# -- as features for the stance model ----------------------------------------------------

ROLE_FEATURES = ("role_asserts", "role_reports", "role_disputes", "role_mentions", "debunk_words",
                 "affirm_words", "claim_maker", "distancing", "speech_frame", "correction_marker")


def role_features(claim_text: str, passage_text: str, claimant: str | None = None) -> list[float]:
    """The role and its cues as numbers, in the order of :data:`ROLE_FEATURES`."""
    role = passage_role(claim_text, passage_text, claimant=claimant)
    one_hot = [float(role.role == r) for r in ROLES]
    return one_hot + [
        float(bool(_DEBUNK.search(passage_text))), float(bool(_AFFIRM.search(passage_text))),
        float(bool(_CLAIM_MAKERS.search(passage_text))), float(bool(_DISTANCING.search(passage_text))),
        float(bool(_SPEECH.search(passage_text))), float(bool(_CORRECTION.search(passage_text))),
    ]


def describe(roles: Sequence[Role]) -> str:
    """"2 assert, 1 reports the claim" for a list of roles (rationale helper)."""
    counts = {r: sum(1 for x in roles if x.role == r) for r in ROLES}
    return ", ".join(f"{n} {r.replace('_', ' ')}" for r, n in counts.items() if n)
