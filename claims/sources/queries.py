"""From a claim to search queries, and from URLs to one canonical form for de-duplication."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["canonical_url", "TRACKING_PARAMS"]

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl", "ref_src", "ref_url", "cmpid", "ocid", "smid", "smtyp",
    "at_medium", "at_campaign", "spm", "share", "s_cid",
})


def canonical_url(url: str) -> str:
    """One spelling per page: lower-case scheme and host, no default port, no fragment,
    no tracking parameters (``utm_*`` and the like), query parameters sorted."""
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
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    )
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(query), ""))
