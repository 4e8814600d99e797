"""How the command prints a number, the same in every table (``check``, ``query``,
``search``): figures of 1,000 and more whole with thousands separators ("10,000"),
others with two decimals ("0.20", as a confidence reads), values too small for two
decimals with three significant digits ("0.00123"); and a count with its noun in
agreement ("1 row", "2 rows")."""

from __future__ import annotations

import math

__all__ = ["counted", "number"]


def number(value: float) -> str:
    """``value`` as table text: "12,000", "0.74", "0.20", "0.00123"."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if value == 0 or abs(value) >= 0.005:
        return f"{value:.2f}"
    return f"{value:.3g}"


def counted(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless ``n`` is 1: "1 row", "0 rows", "12,000 rows"."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
