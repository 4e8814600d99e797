"""robots.txt, fetched once per origin and run and read as RFC 9309 says: a 4xx answer
means everything is allowed, a 5xx answer that nothing is, an unreachable host that the
host's URLs are not fetched this run. ``Crawl-delay`` is reported so that the fetcher
can raise the host's minimum delay."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.robotparser import RobotFileParser

from claims.errors import FetchError, HTTPStatusError
from claims.sources.safety import CheckedURL

__all__ = ["USER_AGENT_TOKEN", "RobotsRules", "RobotsVerdict", "robots_url"]

USER_AGENT_TOKEN = "claims"  # the product token robots.txt rules are matched against
MAX_ROBOTS_CHARS = 500_000  # of a robots.txt cut at the body size limit, the part parsed


class FetchedText(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def truncated(self) -> bool: ...


@dataclass
class RobotsVerdict:
    """An origin's rules, or why they could not be read (then nothing there is fetched)."""

    parser: RobotFileParser | None = None
    error: FetchError | None = None

    def allows(self, url: str) -> bool:
        return self.parser is not None and self.parser.can_fetch(USER_AGENT_TOKEN, url)

    @property
    def crawl_delay(self) -> float | None:
        delay = self.parser.crawl_delay(USER_AGENT_TOKEN) if self.parser is not None else None
        return float(delay) if delay else None


def robots_url(checked: CheckedURL) -> str:
    """The robots.txt address of the URL's origin."""
    host = f"[{checked.host}]" if ":" in checked.host else checked.host
    default_port = 443 if checked.scheme == "https" else 80
    netloc = host if checked.port == default_port else f"{host}:{checked.port}"
    return f"{checked.scheme}://{netloc}/robots.txt"


class RobotsRules:
    """The robots.txt verdicts of one run, one per origin, each fetched once with ``fetch``
    (however many requests for that origin wait on it)."""

    def __init__(self, fetch: Callable[[str], Awaitable[FetchedText]]) -> None:
        self._fetch = fetch
        self._verdicts: dict[str, RobotsVerdict] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def verdict(self, checked: CheckedURL) -> RobotsVerdict:
        key = f"{checked.scheme}://{checked.host}:{checked.port}"
        verdict = self._verdicts.get(key)
        if verdict is None:
            async with self._locks.setdefault(key, asyncio.Lock()):
                verdict = self._verdicts.get(key)
                if verdict is None:
                    verdict = self._verdicts[key] = await self._load(checked)
        return verdict

    async def _load(self, checked: CheckedURL) -> RobotsVerdict:
        url = robots_url(checked)
        parser = RobotFileParser(url)
        try:
            result = await self._fetch(url)
        except HTTPStatusError as exc:
            if 400 <= exc.status < 500:
                parser.parse([])  # RFC 9309: robots.txt unavailable -> everything allowed
                return RobotsVerdict(parser=parser)
            parser.parse(["User-agent: *", "Disallow: /"])  # unreachable (5xx) -> disallow all
            return RobotsVerdict(parser=parser)
        except FetchError as exc:
            return RobotsVerdict(error=FetchError(
                f"{checked.host_port} is unreachable (robots.txt: {exc}); check the network or the URL"))
        text = result.text[:MAX_ROBOTS_CHARS] if result.truncated else result.text
        parser.parse(text.splitlines())
        return RobotsVerdict(parser=parser)
