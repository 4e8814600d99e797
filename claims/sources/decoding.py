"""Which bodies the fetcher accepts, and how it turns their bytes into text.

Only text types are fetched (HTML, XHTML, XML, RSS/Atom, JSON, plain text). A body is
decoded by, in order: its byte-order mark, the Content-Type charset, a ``<meta>`` or XML
declaration, UTF-8, then detection (charset-normalizer, preferring windows-1252 as
browsers do for unlabelled Western pages). Undecodable bytes become U+FFFD.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

__all__ = ["ALLOWED_CONTENT_TYPES", "JSON_CONTENT_TYPES", "decode_body", "media_type"]

ALLOWED_CONTENT_TYPES = frozenset({
    "text/html",
    "application/xhtml+xml",
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/json",
    "application/feed+json",
    "application/ld+json",
    "text/plain",
})
JSON_CONTENT_TYPES = frozenset({"application/json", "application/feed+json", "application/ld+json"})
_MARKUP_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_XML_TYPES = frozenset({"application/xml", "text/xml", "application/rss+xml", "application/atom+xml",
                        "application/rdf+xml"})

# Encodings that the web uses as labels for windows-1252 (WHATWG Encoding Standard).
_CP1252_ALIASES = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii",
                             "cp819", "ibm819", "iso_8859-1", "windows-1252", "cp1252", "x-cp1252"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.IGNORECASE)


def media_type(content_type: str | None) -> str | None:
    """The media type of a Content-Type header, lower-cased, without parameters."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _charset_param(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _codec(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when unknown."""
    if not label:
        return None
    label = label.strip().lower()
    if label in _CP1252_ALIASES:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _detect(body: bytes) -> str:
    """Guess a legacy encoding. Among near-equal guesses prefer windows-1252, the encoding
    browsers assume for unlabelled Western pages (short texts fool the detector otherwise)."""
    matches = list(charset_normalizer.from_bytes(body[:200_000]))
    if not matches:
        return "cp1252"
    best = matches[0]
    for match in matches:
        if match.chaos <= best.chaos + 0.1 and "cp1252" in match.could_be_from_charset:
            return "cp1252"
    return _codec(best.encoding) or "cp1252"


def decode_body(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode a body: BOM, header charset, meta/XML declaration, UTF-8, then detection.

    Returns (text, codec name). Undecodable bytes become U+FFFD rather than failing.
    """
    for bom, bom_codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                           (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(bom_codec, errors="replace"), bom_codec
    media = media_type(content_type)
    codec = _codec(_charset_param(content_type))
    if codec is None and media in JSON_CONTENT_TYPES:
        codec = "utf-8"  # RFC 8259: JSON on the wire is UTF-8
    if codec is None and (media is None or media in _MARKUP_TYPES or media in _XML_TYPES):
        head = body[:4096]
        found = _XML_DECL.search(head) or _META_CHARSET.search(head)
        if found:
            codec = _codec(found.group(1).decode("ascii", errors="ignore"))
            if codec in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
                codec = None  # a byte-oriented body cannot really be UTF-16 (no BOM seen)
    if codec is None:
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            codec = _detect(body)
    return body.decode(codec, errors="replace"), codec
