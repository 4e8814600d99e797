"""Which URLs the fetcher may request at all.

URLs from feeds, search results and redirects are untrusted: a page could point the
fetcher at ``http://127.0.0.1:6379/`` or a cloud metadata address. So before every request
(and again after every redirect) the URL's scheme is checked and its host is resolved
*once*; every address it resolves to must be public, and the connection is then made to
exactly those checked addresses (see :class:`PinnedAddresses`), so a second DNS answer
cannot swap in a private address between the check and the connect.

A host is let through despite a non-public address only when ``host:port`` (as written in
the URL: ``[::1]:8080`` for an IPv6 address) is listed in
``settings.http.allow_private_hosts`` (environment
``CLAIMS_ALLOW_PRIVATE_HOSTS``, comma-separated); the tests allow their own 127.0.0.1 ports
this way.

Credentials in a URL are no library's business: :func:`split_credentials` takes
``user:password@`` off (the fetcher's first step, so every entry point passes through it)
and :func:`redact_url` takes off query parameters that carry secrets too, for messages and
records.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

from claims.errors import FetchError, RefusedURLError
from claims.redact import SECRET_NAMES, scrub_url

__all__ = [
    "ALLOWED_SCHEMES",
    "CheckedURL",
    "PinnedAddresses",
    "check_scheme",
    "host_port_forms",
    "is_public_address",
    "redact_url",
    "resolve_and_check",
    "split_credentials",
    "without_credentials",
]

log = logging.getLogger(__name__)

ALLOWED_SCHEMES = frozenset({"http", "https"})

# Query parameters that carry credentials: never logged, stored or put into messages (the
# exact names; :func:`claims.redact.is_secret_name` also reads the words in a name).
SECRET_PARAMS = SECRET_NAMES

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """``url`` without its userinfo (``user:password@``), and the (user, password) it held,
    percent-decoded; None when it held none. A URL that does not parse comes back as it is.

    The one place a URL's userinfo is taken off: every entry point (``claims check``'s
    URL, feed URLs, feed entries, search results, redirects) reaches the fetcher, which
    calls this first and sends the credentials as an ``Authorization`` header to the
    URL's own origin only; no library, table, log, report or flow parameter sees them."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, None
    if "@" not in parts.netloc:
        return url, None
    userinfo, host = parts.netloc.rsplit("@", 1)
    user, _, password = userinfo.partition(":")
    bare = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return bare, (unquote(user), unquote(password))


def without_credentials(url: str) -> str:
    """``url`` without its userinfo (see :func:`split_credentials`); the query is kept."""
    return split_credentials(url)[0]


def redact_url(url: str) -> str:
    """The URL without userinfo, fragment and credential-carrying query parameters
    (:func:`claims.redact.scrub_url`, the one deny-list)."""
    return scrub_url(url)


def _describe(ip: IPAddress) -> str | None:
    """Why this address is not public, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _describe(ip.ipv4_mapped)
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "not globally routable"
    return None


def is_public_address(address: str) -> bool:
    """True when the address is a public unicast address."""
    return _describe(ipaddress.ip_address(address.split("%", 1)[0])) is None


@dataclass(frozen=True)
class CheckedURL:
    """A URL that passed the checks, with the addresses the connection must use."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]

    @property
    def host_port(self) -> str:
        return f"{self.host}:{self.port}"


def check_scheme(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, else :class:`RefusedURLError`."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedURLError(f"refused {redact_url(url)}: not a valid URL; check it") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise RefusedURLError(
            f"refused {redact_url(url)}: scheme {scheme or '(none)'!r} is not allowed; "
            "only http and https URLs are fetched"
        )
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise RefusedURLError(f"refused {redact_url(url)}: the URL has no host; check it")
    if port is None:
        port = 443 if scheme == "https" else 80
    return scheme, host, port


def host_port_forms(host: str, port: int) -> tuple[str, ...]:
    """How ``host:port`` may be written in ``allow_private_hosts``, the usable form first: an
    IPv6 address in brackets as in a URL (``[::1]:35327``), or bare (``::1:35327``)."""
    if ":" in host:
        return f"[{host}]:{port}", f"{host}:{port}"
    return (f"{host}:{port}",)


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def _resolve(host: str, port: int, timeout: float) -> tuple[str, ...]:
    literal = _literal(host)
    if literal is not None:
        return (str(literal),)
    try:
        async with asyncio.timeout(timeout):
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError:
        raise FetchError(
            f"cannot resolve {host}: DNS did not answer within {timeout:g}s; check the network"
        ) from None
    except OSError as exc:
        raise FetchError(
            f"cannot resolve {host} ({exc.strerror or exc}): check the host name and the network"
        ) from None
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        addr = str(sockaddr[0]).split("%", 1)[0]
        if addr not in addresses:
            addresses.append(addr)
    if not addresses:
        raise FetchError(f"cannot resolve {host}: no addresses; check the host name")
    return tuple(addresses)


async def resolve_and_check(
    url: str, allow_private_hosts: Iterable[str], *, timeout: float = 5.0
) -> CheckedURL:
    """Check the scheme, resolve the host once and refuse it unless every address is public
    (or ``host:port`` is allowed). Raises :class:`RefusedURLError` or :class:`FetchError`."""
    scheme, host, port = check_scheme(url)
    allowed = {entry.strip().lower() for entry in allow_private_hosts}
    addresses = await _resolve(host, port, timeout)
    if not allowed & set(host_port_forms(host, port)):
        for address in addresses:
            why = _describe(ipaddress.ip_address(address))
            if why is not None:
                where = f"{host} is" if _literal(host) is not None else f"{host} resolves to {address},"
                raise RefusedURLError(
                    f"refused {redact_url(url)}: {where} a non-public address ({why}); "
                    f"if you trust it, add {host_port_forms(host, port)[0]} to http.allow_private_hosts "
                    "(CLAIMS_ALLOW_PRIVATE_HOSTS)"
                )
    return CheckedURL(url=url, scheme=scheme, host=host, port=port, addresses=addresses)


class PinnedAddresses:
    """host:port -> the addresses that passed the check; the network backend connects only
    to these (never re-resolving), so the check and the connection see the same address."""

    def __init__(self) -> None:
        self._pins: dict[tuple[str, int], tuple[str, ...]] = {}

    def pin(self, checked: CheckedURL) -> None:
        self._pins[(checked.host, checked.port)] = checked.addresses

    def lookup(self, host: str, port: int) -> tuple[str, ...] | None:
        return self._pins.get((host.lower().strip("[]").rstrip("."), port))
