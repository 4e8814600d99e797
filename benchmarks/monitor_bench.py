"""Feed monitoring throughput, and Prefect's share of it.

Serves N generated articles and an RSS feed listing them on 127.0.0.1, then, with the
model already loaded and Prefect's server already started (both reported apart):

1. ``claims.monitor.monitor`` (the library alone, threads) on a new database;
2. the ``monitor-feeds`` flow (tasks on the thread runner) on another new database;

with the same ``monitor_concurrency``. It prints articles per minute for both and
Prefect's share of the flow's wall time, estimated two ways from this one run:

* against the library: (flow wall - library wall) / flow wall (the same work without
  Prefect; noisy on a shared machine, since the two runs are not simultaneous);
* inside the flow: flow wall minus the time covered by the library's per-article work
  (the union of the articles' [start, end] intervals), over flow wall. This also counts
  the feed read, the claim transaction and the summary as "orchestration", so it is an
  upper bound.

    .venv/bin/python benchmarks/monitor_bench.py [--n 100] [--concurrency 2] [--no-library]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

ROOT = Path(__file__).resolve().parent.parent

OFFICIALS = ["US Secretary of State Antony Blinken", "Pentagon spokesman Pat Ryder", "NATO Secretary General Mark Rutte",
             "South Korea's spy agency", "White House spokesman John Kirby", "Ukrainian President Volodymyr Zelensky"]
PLACES = ["Russia's Kursk region", "eastern Russia", "the border with Ukraine", "training grounds near Vladivostok"]
OUTLETS = ["Loopback Wire", "Harbor Courier", "Example Daily", "Seoul Ledger Example", "Capitol Example"]
CITIES = ["Seoul", "Washington", "Brussels", "Kyiv", "Tokyo"]


def make_article(i: int, rng: random.Random) -> dict[str, str]:
    """A short news article with figures, different for every i."""
    n = rng.choice([1500, 3000, 8000, 10000, 11000, 12000]) + rng.choice([0, 0, 0, 500])
    day = date(2024, 10, 10) + timedelta(days=rng.randrange(30))
    who, where, city = rng.choice(OFFICIALS), rng.choice(PLACES), rng.choice(CITIES)
    sentences = [
        f"{who} said on {day:%A} that {n:,} North Korean soldiers were in {where}.",
        f"Officials in {city} said about {rng.randrange(2, 40) * 100:,} more troops could follow within weeks.",
        f"The deployment is the largest since 1950, analysts told {rng.choice(OUTLETS)} in report number {i}.",
        f"China's foreign ministry said on {(day + timedelta(days=1)):%A} it had no information about the troops.",
    ]
    rng.shuffle(sentences[1:])
    title = f"Report {i}: {n:,} North Korean soldiers in {where}"
    return {"title": title, "date": day.isoformat(), "outlet": rng.choice(OUTLETS), "body": " ".join(sentences)}


class Site:
    """A threaded HTTP server on 127.0.0.1 with /feed.xml and /a/<i>.html."""

    def __init__(self, articles: list[dict[str, str]]) -> None:
        self.articles = articles
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                body, ctype = site.page(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def page(self, path: str) -> tuple[str | None, str]:
        if path == "/robots.txt":
            return "User-agent: *\nAllow: /\n", "text/plain"
        if path == "/feed.xml":
            items = "".join(f"<item><title>{a['title']}</title><link>{self.url(f'/a/{i}.html')}</link>"
                            f"<guid>{i}</guid></item>" for i, a in enumerate(self.articles))
            return ((f'<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>'
                     f"<link>{self.url('/')}</link><description>bench</description>{items}</channel></rss>"),
                    "application/rss+xml")
        if path.startswith("/a/") and path.endswith(".html"):
            a = self.articles[int(path[3:-5])]
            return ((f"<html><head><title>{a['title']}</title><meta property='og:site_name' content='{a['outlet']}'>"
                     f"<meta name='date' content='{a['date']}'></head><body><article><h1>{a['title']}</h1>"
                     f"<p>{a['body']}</p></article></body></html>"), "text/html; charset=utf-8")
        return None, ""

    def close(self) -> None:
        self.server.shutdown()


def covered_seconds(intervals: list[tuple[float, float]]) -> float:
    """Length of the union of [start, end] intervals."""
    total, end = 0.0, float("-inf")
    for s, e in sorted(intervals):
        if s > end:
            total += e - s
            end = e
        elif e > end:
            total += e - end
            end = e
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="articles in the feed")
    parser.add_argument("--concurrency", type=int, default=2, help="monitor_concurrency")
    parser.add_argument("--no-library", action="store_true",
                        help="skip the library-only run (half the time; only the inside-the-flow estimate)")
    parser.add_argument("--compare-stance", metavar="MODEL", default=None,
                        help="also run the library with this stance model (e.g. mlp, the earlier one) "
                             "and print the articles-per-minute ratio of this run")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="claims-monitor-bench-"))
    os.environ.setdefault("PREFECT_HOME", str(tmp / "prefect"))
    rng = random.Random(6)
    site = Site([make_article(i, rng) for i in range(args.n)])
    feed = site.url("/feed.xml")

    from claims import pipeline
    from claims.embed import embedder_for
    from claims.monitor import monitor
    from claims.settings import load_settings

    def settings_for(name: str) -> dict[str, Any]:
        return {"db": str(tmp / f"{name}.duckdb"), "monitor_concurrency": args.concurrency,
                "sources": {"corpus": {"path": str(ROOT / "examples/corpus")},
                            "feeds": {"feeds": [feed], "max_entries": args.n}},
                "http": {"allow_private_hosts": [f"127.0.0.1:{site.port}"]}}

    t0 = time.perf_counter()
    warm = load_settings(None, **settings_for("warm"))
    embedder_for(warm).loaded()
    pipeline.stance_model_for(warm)
    load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    from prefect import flow

    from flows.monitor import monitor_feeds

    @flow(name="bench-warm-up")
    def warm_up() -> int:
        return 1

    warm_up()  # starts Prefect's temporary server (not counted below)
    prefect_start_s = time.perf_counter() - t0

    base_wall = None
    if args.compare_stance:
        base = load_settings(None, **settings_for("baseline"), stance_model=args.compare_stance)
        pipeline.stance_model_for(base)
        t0 = time.perf_counter()
        done = monitor(base)
        base_wall = time.perf_counter() - t0
        assert done.count("completed") == args.n, done.stats()

    lib_wall = None
    if not args.no_library or args.compare_stance:
        t0 = time.perf_counter()
        lib = monitor(load_settings(None, **settings_for("library")))
        lib_wall = time.perf_counter() - t0
        assert lib.count("completed") == args.n, lib.stats()

    t0 = time.perf_counter()
    result = monitor_feeds(overrides=settings_for("flow"))
    flow_wall = time.perf_counter() - t0
    assert result["verified"] == args.n, result
    site.close()

    covered = covered_seconds([(a["started_at"], a["started_at"] + a["seconds"]) for a in result["articles"]])
    claims = sum(a["claims"] for a in result["articles"])
    print(f"articles: {args.n} ({claims} claims, {sum(result['labels'].values())} verdicts), "
          f"monitor_concurrency {args.concurrency}")
    print(f"model load (once, not counted): {load_s:.1f} s; Prefect temporary server start (not counted): "
          f"{prefect_start_s:.1f} s")
    if lib_wall is not None:
        print(f"library alone: {lib_wall:.1f} s = {args.n / lib_wall * 60:.1f} articles/min")
    if base_wall is not None and lib_wall is not None:
        print(f"library with stance model {args.compare_stance!r}: {base_wall:.1f} s = "
              f"{args.n / base_wall * 60:.1f} articles/min; this stance model / that one: "
              f"{base_wall / lib_wall:.2f}x articles per minute")
    print(f"monitor-feeds flow: {flow_wall:.1f} s = {args.n / flow_wall * 60:.1f} articles/min")
    if lib_wall is not None:
        print(f"Prefect share vs the library run: {(flow_wall - lib_wall) / flow_wall:.1%} of flow wall time")
    print(f"Prefect share inside the flow (upper bound): {(flow_wall - covered) / flow_wall:.1%} "
          f"({flow_wall - covered:.1f} s outside the articles' library work)")


if __name__ == "__main__":
    main()
