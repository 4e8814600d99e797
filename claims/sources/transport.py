"""How the fetcher reaches hosts: connections only to the addresses the safety check
approved (DNS is resolved once, by :mod:`claims.sources.safety`, never again by the HTTP
stack), and per-host gates that bound concurrency and space request starts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from claims.sources.safety import PinnedAddresses

__all__ = ["HostGate", "PinnedTransport"]


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the addresses the safety check approved for a host, never resolving
    again. Hosts that were not checked are refused (nothing should reach here unchecked)."""

    def __init__(self, pins: PinnedAddresses) -> None:
        self._pins = pins
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        addresses = self._pins.lookup(host, port)
        if not addresses:
            raise httpcore.ConnectError(f"{host}:{port} was not checked by the safety layer")
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout,
                                                     local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by the fetcher")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport with its connection pool built on :class:`_PinnedBackend`
    (httpx has no public hook for the network backend, so the pool is replaced here)."""

    def __init__(self, pins: PinnedAddresses, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PinnedBackend(pins),
        )


class HostGate:
    """Per-host concurrency and minimum spacing between request starts."""

    def __init__(self, connections: int, delay: float) -> None:
        self.semaphore = asyncio.Semaphore(max(1, connections))
        self.delay = delay
        self._lock = asyncio.Lock()
        self._next_start = 0.0

    async def wait_turn(self) -> None:
        if self.delay <= 0:
            return
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.delay
        if start > now:
            await asyncio.sleep(start - now)
