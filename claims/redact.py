"""Secrets out of URLs and connection strings: the one place that decides what is a secret.

Every URL or catalog string that is stored (``runs.input``, ``documents.url``, feed items,
the fetch log, the HTTP cache), logged, printed, exported (the report, ClaimReview) or handed
to Prefect as a flow parameter passes through :func:`scrub_url` or :func:`scrub_text` first.

What is taken off (a deny-list; what is left is what a reader needs to find the page again):

* a URL's userinfo (``user:password@``);
* its fragment, whole: an OAuth implicit grant puts ``#access_token=...`` there, and a
  fragment never reaches a server, so no page is found by it;
* every query parameter whose name says it carries a credential (:func:`is_secret_name`:
  ``password``, ``client_secret``, ``refresh_token``, ``X-Amz-Signature``, ``session``, ...,
  by name and by the words in a name);
* in a libpq-style connection string (``dbname=lake host=h user=u password=...``) the value
  of every such keyword, quoted with ``'`` or ``"`` (doubled or backslash-escaped quotes
  inside) or bare; and the password of any ``scheme://user:password@host`` in a text.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["MASK", "SECRET_NAMES", "is_secret_name", "scrub_text", "scrub_url"]

MASK = "***"

# Names that carry a credential, compared lower-case with '-' read as '_'.
SECRET_NAMES = frozenset({
    "key", "api_key", "apikey", "access_key", "secret_key", "private_key", "client_key", "subscription_key",
    "access_token", "token", "id_token", "refresh_token", "private_token", "auth_token", "bearer", "jwt",
    "auth", "authorization", "signature", "sig", "password", "passwd", "pwd", "pass", "passphrase",
    "secret", "client_secret", "app_secret", "session", "sessionid", "session_id", "sid", "otp",
    "credential", "credentials", "sslpassword", "sslkey",
    "x_amz_signature", "x_amz_security_token", "x_amz_credential", "x_goog_signature", "x_goog_credential",
    "sharedaccesssignature", "sv_sig",
})
# Words that make any name a secret's: "my_api_token", "X-Upload-Secret", "db_password".
_SECRET_WORDS = re.compile(r"token|secret|passw|signature|credential|session|apikey|api_key|private_key|"
                           r"access_key|(?:^|_)auth(?:_|$)")


def is_secret_name(name: str) -> bool:
    """Whether a query parameter or connection keyword named ``name`` carries a credential."""
    normal = name.strip().lower().replace("-", "_")
    return normal in SECRET_NAMES or bool(_SECRET_WORDS.search(normal))


def scrub_url(url: str) -> str:
    """``url`` without userinfo, fragment and credential-carrying query parameters (see the
    module); text that does not parse as a URL is scrubbed as text (:func:`scrub_text`)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return scrub_text(url)
    if not parts.scheme or not parts.netloc:
        return scrub_text(url) if parts.query or parts.fragment or "@" in url else url
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not is_secret_name(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


# name=value in a URL's query or fragment: the value runs to the next '&' or '#' (or a space or a
# double quote, which a URL cannot hold, in a message; a single quote can be part of it)
_QUERY_RE = re.compile(r"""(?P<lead>[?&;#])(?P<name>[A-Za-z_][\w.-]*)=(?P<value>[^&#\s"]*)""")
# keyword = value in a connection string (libpq's form): the value quoted with ' or " (the
# quote doubled or backslash-escaped inside; to the end when never closed), or bare, up to a
# space (libpq reads a bare value so: a quote in it is part of it)
_KEYWORD_RE = re.compile(
    r"""(?P<lead>^|(?<=[\s(,"':]))(?P<name>[A-Za-z_][\w.-]*)\s*=\s*"""
    r"""(?P<value>'(?:[^'\\]|\\.|'')*(?:'|$)|"(?:[^"\\]|\\.|"")*(?:"|$)|(?:[^\s\\]|\\.)+)(?P<trail>[ \t]*)""")
# scheme://user:password@host: the password runs to the last @ before a space
_URI_PASSWORD_RE = re.compile(r"""(?P<head>[a-z][a-z0-9+.-]*://[^\s:/@'"]*):(?P<secret>\S*)@""", re.IGNORECASE)


def scrub_text(text: str, *, drop: bool = False) -> str:
    """``text`` (a catalog string, an error message, a log line) with every secret in it
    masked as ``***`` (``drop``: left out, keyword and all, as a catalog string a user copies
    should be): the password of a URI's ``user:password@``, the value of every credential
    parameter of a URL's query or fragment, and of every credential keyword of a connection
    string, in any quoting."""
    text = _URI_PASSWORD_RE.sub(lambda m: f"{m.group('head')}@" if drop else f"{m.group('head')}:{MASK}@", text)

    def query(match: re.Match[str]) -> str:
        if not is_secret_name(match.group("name")):
            return match.group(0)
        return "" if drop and match.group("lead") != "?" else ("?" if drop else
                                                               f"{match.group('lead')}{match.group('name')}={MASK}")

    def keyword(match: re.Match[str]) -> str:
        if not is_secret_name(match.group("name")):
            return match.group(0)
        return "" if drop else f"{match.group('name')}={MASK}{match.group('trail')}"

    text = _QUERY_RE.sub(query, text)
    text = _KEYWORD_RE.sub(keyword, text)
    if drop:
        text = re.sub(r"\?&+", "?", text).replace("?&", "?")
        text = re.sub(r"\?(?=[\s'\"]|$)", "", text)
        text = re.sub(r"[ \t]{2,}", " ", text).strip()
    return text
