"""The shared Fetcher against a plain sequential httpx loop, over the same 1,000 pages.

A local server (uvicorn, in its own process) serves ~20 KB article pages on 20 ports of
127.0.0.1, each answering after a simulated network latency (``--latency-ms``, default 50;
a real site takes 100-500 ms). Two runs over the same URLs, each in a fresh process so their
memory is measured apart:

* ``fetcher``: :class:`claims.sources.http.Fetcher` with its per-host limit on
  (``per_host_connections``), robots.txt, the safety checks, and every attempt logged to a
  DuckDB file — everything a real run does;
* ``sequential``: ``httpx.Client().get(url)`` in a for loop.

It prints wall times, their ratio and each run's peak RSS (and its growth during the
fetching) from one invocation:

    .venv/bin/python benchmarks/fetch_bench.py [--pages 1000] [--ports 20] [--latency-ms 50]

Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import resource
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PARAGRAPH = ("<p>South Korea's spy agency said on Tuesday that North Korea had sent about 3,000 "
             "soldiers to Russia, and that more were expected to follow in the coming weeks; officials "
             "in Seoul said the troops were being trained at bases in the Russian far east.</p>\n")


def _page(path: str) -> bytes:
    body = PARAGRAPH * 80  # ~20 KB
    return (f"<html><head><title>{path}</title></head><body><article><h1>{path}</h1>{body}"
            "</article></body></html>").encode()


def _serve(sockets: list[socket.socket], latency: float, ready: Any) -> None:
    import uvicorn

    robots = b"User-agent: *\nAllow: /\n"

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path = scope["path"]
        if path == "/robots.txt":
            body, ctype = robots, b"text/plain"
        else:
            await asyncio.sleep(latency)
            body, ctype = _page(path), b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", backlog=2048)
    server = uvicorn.Server(config)
    ready.set()
    asyncio.run(server.serve(sockets=sockets))


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _run_fetcher(urls: list[str], ports: list[int], per_host: int, out: Any) -> None:
    from claims.settings import HttpSettings
    from claims.sources.http import Fetcher
    from claims.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.duckdb")
        store.migrate()
        settings = HttpSettings(allow_private_hosts=[f"127.0.0.1:{p}" for p in ports],
                                per_host_connections=per_host, max_connections=32, per_host_delays={})
        before = _rss_kb()

        async def go() -> tuple[int, int]:
            async with Fetcher(settings, store, run_id="bench") as fetcher:
                results = await asyncio.gather(*(fetcher.fetch(u) for u in urls), return_exceptions=True)
            ok = [r for r in results if not isinstance(r, BaseException)]
            return len(ok), sum(len(r.text) for r in ok)

        started = time.perf_counter()
        ok, chars = asyncio.run(go())
        wall = time.perf_counter() - started
        with store.connect(read_only=True) as con:
            logged = con.execute("SELECT count(*) FROM fetches WHERE backend = 'url'").fetchone()[0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.put({"mode": "fetcher", "wall": wall, "ok": ok, "chars": chars, "peak_kb": peak,
             "growth_kb": peak - before, "logged": logged})


def _run_sequential(urls: list[str], out: Any) -> None:
    import httpx

    before = _rss_kb()
    started = time.perf_counter()
    ok = chars = 0
    with httpx.Client(timeout=30.0) as client:
        for url in urls:
            response = client.get(url)
            response.raise_for_status()
            chars += len(response.text)
            ok += 1
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.put({"mode": "sequential", "wall": wall, "ok": ok, "chars": chars, "peak_kb": peak,
             "growth_kb": peak - before})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--ports", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--per-host", type=int, default=4, help="http.per_host_connections for the Fetcher")
    args = parser.parse_args(argv)

    ctx = mp.get_context("spawn")
    sockets = []
    for _ in range(args.ports):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(2048)
        sockets.append(sock)
    ports = [s.getsockname()[1] for s in sockets]
    urls = [f"http://127.0.0.1:{ports[i % len(ports)]}/page/{i}" for i in range(args.pages)]

    ready = ctx.Event()
    server = ctx.Process(target=_serve, args=(sockets, args.latency_ms / 1000, ready), daemon=True)
    server.start()
    ready.wait(30)
    time.sleep(1.0)
    results = {}
    try:
        for target, extra in ((_run_fetcher, (ports, args.per_host)), (_run_sequential, ())):
            out = ctx.Queue()
            child = ctx.Process(target=target, args=(urls, *extra, out))
            child.start()
            result = out.get(timeout=900)
            child.join()
            results[result["mode"]] = result
    finally:
        server.terminate()
        server.join(5)

    f, s = results["fetcher"], results["sequential"]
    print(f"{args.pages} pages of ~{len(_page('/page/0')) // 1024} KB over {args.ports} ports of 127.0.0.1, "
          f"{args.latency_ms:g} ms server latency, Fetcher per-host limit {args.per_host}, global 32")
    for r in (f, s):
        print(f"  {r['mode']:<10} wall {r['wall']:7.2f} s  ({r['ok']} ok, {r['ok'] / r['wall']:7.1f} pages/s)  "
              f"peak RSS {r['peak_kb'] / 1024:6.1f} MiB (+{r['growth_kb'] / 1024:.1f} MiB while fetching)")
    print(f"  fetches rows logged by the Fetcher: {f['logged']}")
    print(f"  wall-time ratio sequential / Fetcher: {s['wall'] / f['wall']:.1f}x")
    if f["ok"] != args.pages or s["ok"] != args.pages or f["chars"] != s["chars"]:
        print("  WARNING: the two runs did not fetch the same pages", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
