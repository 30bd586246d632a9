"""Horizontal bar charts, drawn on the server: the rows that a chart and its table show.

The template macro `bar_table` in templates/_macros/charts.html draws them as a table (label,
count, share) with one SVG bar per row; the table is the chart's text alternative, and the bars
are hidden from assistive technology. No script, no library: the page shows them as it is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class Bar(NamedTuple):
    label: str
    count: int
    percent: int  # of the whole, rounded: the share shown, and the bar's length (0 to 100)


def percent(part: int, whole: int) -> int:
    """part as a whole percentage of whole (0 when whole is 0)."""
    return round(100 * part / whole) if whole else 0


def bars(counts: Iterable[tuple[str, int]], whole: int | None = None) -> list[Bar]:
    """One bar per (label, count), as a share of `whole` (the counts' sum when not given, e.g.
    the number who answered when one answer may count in several rows)."""
    counts = list(counts)
    if whole is None:
        whole = sum(count for _label, count in counts)
    return [Bar(label, count, percent(count, whole)) for label, count in counts]
