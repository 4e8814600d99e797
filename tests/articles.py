"""Articles made from a few templates on the example corpus' topics (different outlets,
figures and dates): every one gathers the same corpus documents, so writers that verify
them at once upsert the same documents, passages and embeddings. Shared by the lake tests
and ``benchmarks/lake_bench.py``."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

__all__ = ["articles"]

OUTLETS = ["Harbor Times", "Seoul Ledger", "Capitol Dispatch", "Pacific Wire", "Kyiv Morning Post",
           "Brussels Observer", "Beijing Brief", "Example Wire", "Defense Daily Example", "Tokyo Courier"]
TROOPS = ["1,500", "3,000", "8,000", "10,000", "12,000"]
RATES = [("25", "3.25"), ("50", "3"), ("25", "3.5"), ("75", "2.75"), ("25", "3")]
TEMPLATES = [
    ("US Secretary of State Antony Blinken said on {weekday} that {troops} North Korean soldiers were in "
     "Russia's Kursk region near the border with Ukraine. {outlet} could not confirm the figure."),
    ("The Pentagon said about {troops} North Korean soldiers had been sent to eastern Russia for training, "
    "{outlet} reported on {weekday}. Some of them had moved closer to Ukraine."),
    ("South Korea's spy agency said {troops} North Korean special forces troops had gone to Russia by ship, "
     "according to {outlet}. Russia and North Korea have not acknowledged the deployment."),
    ("The Bank of Korea cut its base rate by {bp} basis points to {rate}% on {weekday}, {outlet} reported, "
    "the first cut in more than three years."),
]


def articles(folder: Path, n: int) -> list[Path]:
    """``n`` different articles, from the templates, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        day = date(2024, 10, 20) + timedelta(days=i % 17)
        bp, rate = RATES[(i // 4) % len(RATES)]
        outlet = OUTLETS[i % len(OUTLETS)]
        body = TEMPLATES[i % len(TEMPLATES)].format(weekday=day.strftime("%A"), troops=TROOPS[(i // 4) % len(TROOPS)],
                                                    outlet=outlet, bp=bp, rate=rate)
        path = folder / f"article-{i:03d}.txt"
        path.write_text(f"---\ntitle: Report {i} from {outlet}\noutlet: {outlet}\npublished: {day.isoformat()}\n---\n"
                        f"{body}\n", encoding="utf-8")
        paths.append(path)
    return paths
