"""Reading the input document: a text file, standard input, or a URL.

Every way in which an input can be unusable raises :class:`InputError` (or a FetchError
for URLs) with one line saying what to do, before anything is written. Every read is
bounded by ``max_input_bytes`` whatever the file system says (see
:func:`claims.sources.text.read_text_file`); only regular files, standard input (``-``)
and http(s) URLs are inputs.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from pathlib import Path
from typing import Any

from claims.errors import InputError
from claims.models import Document
from claims.settings import Settings
from claims.sources.safety import redact_url
from claims.sources.text import (
    check_length,
    decode_text,
    document_from_text,
    over_limit,
    parse_front_matter,
    read_at_most,
    read_text_file,
)

__all__ = ["document_from_text", "is_url", "language_warning", "parse_front_matter", "read_input", "read_source"]

log = logging.getLogger(__name__)


def is_url(source: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source))


def read_input(source: str, settings: Settings, *, stdin_text: str | None = None, **meta: Any) -> Document:
    """Read ``source`` (a path, ``-`` for standard input, or an http(s) URL) into a Document.

    ``meta`` (title, outlet, published, url) overrides what the input says about itself.
    """
    limit = settings.max_input_bytes
    if source == "-":
        if stdin_text is None:
            if sys.stdin is None:
                raise InputError("standard input is closed: send the text to it, or give a file or a URL")
            data = read_at_most(sys.stdin.buffer.read, limit + 1)
            if len(data) > limit:
                raise over_limit("standard input", limit)
            stdin_text = decode_text(data, "standard input")
        return document_from_text(stdin_text, name="standard input", **meta)
    if is_url(source):
        return asyncio.run(_fetch_url(source, settings))
    return document_from_text(read_text_file(Path(source), limit), name=source, **meta)


def read_source(source: str, settings: Settings, text: str | None = None,
                meta: dict[str, Any] | None = None) -> Document:
    """:func:`read_input`, or, when ``text`` is given, a document from that text named
    ``source`` (how a flow receives standard input)."""
    if text is not None:
        return document_from_text(text, name=source, **(meta or {}))
    return read_input(source, settings, **(meta or {}))


async def _fetch_url(url: str, settings: Settings) -> Document:
    # lazy: httpx and trafilatura (0.3 s) are imported for URLs only, not for files
    from claims.sources.html import fetch_document
    from claims.sources.http import Fetcher

    async with Fetcher(settings.http) as fetcher:
        document = await fetch_document(fetcher, url, source_kind="input")
    check_length(document.text, redact_url(url))
    return document


# The languages the pipeline reads: its sentence splitter, figure parser, check-worthiness
# scorer, embedding model and stance models are English ones.
SUPPORTED_LANGUAGES = frozenset({"en"})
# Below this many letters a language guess is noise (a headline, a table of figures).
_MIN_LETTERS = 30
# How sure py3langid must be (its normalised probability) before a text is called non-English.
_MIN_PROBABILITY = 0.75


def language_warning(text: str) -> str | None:
    """A warning naming the language ``text`` is written in when it is not English (which
    the pipeline reads), else None. A text whose words are a quarter English function words
    is English at once; any other is told by py3langid (a fork of langid.py, naive Bayes
    over byte n-grams, 97 languages); a text too short to tell, or one it is unsure about,
    gets no warning."""
    letters = sum(ch.isalpha() for ch in text)
    if letters < _MIN_LETTERS or _reads_as_english(text):
        return None
    language, probability = _identifier().classify(text)
    if language in SUPPORTED_LANGUAGES or probability < _MIN_PROBABILITY:
        return None
    return (f"the article reads as {_language_name(language)} ({language}), not English: claims reads English "
            "only, so its sentences are scored, parsed and matched as English (expect few claims, and "
            "not_enough_evidence against an English corpus); check an English version")


# English function words: a quarter of the words of English news (0.22-0.27 in every example
# article and corpus file), none or a few in German, French or Dutch news (0.00-0.06). A text
# where they are common is English without loading py3langid's model (1-2 s, on every check).
_ENGLISH_WORDS = frozenset(
    "the of and to in a is that for on was with as at by from has have are were be said an its their this "
    "which or not but it he she they will would been had who".split())
_ENGLISH_SHARE = 0.15
_WORD = re.compile(r"[^\W\d_]+")


def _reads_as_english(text: str) -> bool:
    words = _WORD.findall(text.lower())
    return len(words) >= 20 and sum(w in _ENGLISH_WORDS for w in words) >= _ENGLISH_SHARE * len(words)


_IDENTIFIER: Any = None


def _identifier() -> Any:
    """py3langid's identifier with probabilities normalised to 0-1 (loaded once, 0.5 s)."""
    global _IDENTIFIER
    if _IDENTIFIER is None:
        # lazy: the model (0.5 s to load) for claims check only, not for every reader of an input
        from py3langid.langid import (  # type: ignore[import-untyped]  # py3langid ships no type information
            MODEL_FILE,
            LanguageIdentifier,
        )

        _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _IDENTIFIER


def _language_name(code: str) -> str:
    """English name of an ISO 639-1 code ("de" -> "German"), the code itself when unknown."""
    import pycountry  # lazy: its tables (0.1 s) only for a text that is not English

    language = pycountry.languages.get(alpha_2=code)
    return str(language.name) if language is not None else code
