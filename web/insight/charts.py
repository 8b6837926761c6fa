"""Chart geometry for the insight overview (pure): numbers in, rectangles and labels out.

The template draws the shapes as inline SVG (no script, no chart library, no inline style:
colours come from CSS classes), and prints the same numbers as tables, so the charts are
decoration for sighted readers and never the only carrier of a number.

- :func:`weekly_bars`: started and finished cases per week (summed over the rows given) as
  grouped vertical bars;
- :func:`duration_bars`: median and 90th percentile per service as horizontal bars;
- :func:`age_bars`: open cases per service stacked by age bucket as horizontal bars.

:func:`dauer` writes a duration the German way (``3 Tage 4 Std.``, ``45 Min.``, ``12 s``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from engine.insight.overview import AGE_BUCKETS, AgeBucket, ServiceDuration, WeekCount

WIDTH = 720
LEFT = 56
RIGHT = 16
TOP = 16
BAR_AREA = 220
ROW = 28
LABEL_WIDTH = 220


@dataclass(frozen=True, slots=True, kw_only=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass(frozen=True, slots=True, kw_only=True)
class Chart:
    width: int
    height: int
    rects: tuple[Rect, ...]
    labels: tuple[Label, ...]
    gridlines: tuple[tuple[float, float, float, float], ...]
    """(x1, y1, x2, y2) of light helper lines (value steps)."""
    axes: tuple[tuple[float, float, float, float], ...]


def dauer(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    minutes = s // 60
    if minutes < 60:
        return f"{minutes} Min."
    hours = minutes // 60
    if hours < 24:
        rest = minutes % 60
        return f"{hours} Std." + (f" {rest} Min." if rest else "")
    days, rest_h = divmod(hours, 24)
    return f"{days} {'Tag' if days == 1 else 'Tage'}" + (f" {rest_h} Std." if rest_h else "")


def _nice_max(value: float) -> float:
    """The next "round" number ≥ value (1, 2, 5 × 10^n), at least 1."""
    if value <= 1:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * exp >= value:
            return float(step * exp)
    return float(10 * exp)


def weekly_totals(rows: Iterable[WeekCount], weeks: Sequence[str]) -> list[tuple[str, int, int]]:
    """(week, started, finished) summed over every service and authority, in ``weeks`` order."""
    sums = {w: [0, 0] for w in weeks}
    for r in rows:
        if r.week in sums:
            sums[r.week][0] += r.started
            sums[r.week][1] += r.finished
    return [(w, sums[w][0], sums[w][1]) for w in weeks]


def weekly_bars(totals: Sequence[tuple[str, int, int]]) -> Chart:
    n = max(len(totals), 1)
    # At least 4: the four helper lines then fall on whole numbers of cases.
    top = max(_nice_max(max((max(s, f) for _, s, f in totals), default=0)), 4.0)
    slot = (WIDTH - LEFT - RIGHT) / n
    bar = max(min(slot / 2 - 4, 28), 2)
    base = TOP + BAR_AREA
    rects, labels = [], []
    for i, (week, started, finished) in enumerate(totals):
        x0 = LEFT + i * slot + (slot - 2 * bar) / 2
        for j, (value, css, what) in enumerate(((started, "balken--begonnen", "begonnen"),
                                                (finished, "balken--abgeschlossen", "abgeschlossen"))):
            h = BAR_AREA * value / top
            rects.append(Rect(x=x0 + j * bar, y=base - h, width=bar, height=h, css=css,
                              title=f"{week}: {value} {what}"))
        labels.append(Label(x=LEFT + i * slot + slot / 2, y=base + 16, text=week.split("-W")[-1]))
    grid = []
    for k in range(1, 5):
        y = base - BAR_AREA * k / 4
        grid.append((LEFT, y, WIDTH - RIGHT, y))
        labels.append(Label(x=LEFT - 6, y=y + 4, text=_number(top * k / 4), anchor="end"))
    labels.append(Label(x=LEFT - 6, y=base + 4, text="0", anchor="end"))
    labels.append(Label(x=(WIDTH + LEFT) / 2, y=base + 34, text="Kalenderwoche"))
    return Chart(width=WIDTH, height=int(base + 44), rects=tuple(rects), labels=tuple(labels),
                 gridlines=tuple(grid), axes=((LEFT, TOP, LEFT, base), (LEFT, base, WIDTH - RIGHT, base)))


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def duration_bars(durations: Sequence[ServiceDuration], titles: Mapping[str, str]) -> Chart:
    top = max((d.p90_s for d in durations), default=0.0) or 1.0
    span = WIDTH - LABEL_WIDTH - RIGHT - 90
    rects, labels = [], []
    for i, d in enumerate(durations):
        y = TOP + i * (ROW + 14)
        name = titles.get(d.service_id, d.service_id)
        labels.append(Label(x=LABEL_WIDTH - 8, y=y + ROW / 2 + 4, text=_short(name), anchor="end"))
        rects.append(Rect(x=LABEL_WIDTH, y=y, width=span * d.p90_s / top, height=ROW, css="balken--p90",
                          title=f"{name}: 90 % bis {dauer(d.p90_s)}"))
        rects.append(Rect(x=LABEL_WIDTH, y=y + ROW / 4, width=span * d.median_s / top, height=ROW / 2,
                          css="balken--median", title=f"{name}: Median {dauer(d.median_s)}"))
        labels.append(Label(x=LABEL_WIDTH + span * d.p90_s / top + 6, y=y + ROW / 2 + 4,
                            text=dauer(d.median_s), anchor="start"))
    height = TOP + max(len(durations), 1) * (ROW + 14) + 8
    return Chart(width=WIDTH, height=int(height), rects=tuple(rects), labels=tuple(labels), gridlines=(),
                 axes=((LABEL_WIDTH, TOP - 4, LABEL_WIDTH, height - 8),))


def age_table(buckets: Iterable[AgeBucket]) -> dict[str, list[int]]:
    """{service: [count per bucket of AGE_BUCKETS]}."""
    order = [label for label, _ in AGE_BUCKETS]
    out: dict[str, list[int]] = {}
    for b in buckets:
        out.setdefault(b.service_id, [0] * len(order))[order.index(b.bucket)] += b.count
    return out


def age_bars(table: Mapping[str, Sequence[int]], titles: Mapping[str, str]) -> Chart:
    top = max(_nice_max(max((sum(v) for v in table.values()), default=0)), 4.0)
    span = WIDTH - LABEL_WIDTH - RIGHT - 40
    rects, labels = [], []
    for i, (service_id, counts) in enumerate(sorted(table.items())):
        y = TOP + i * (ROW + 14)
        name = titles.get(service_id, service_id)
        labels.append(Label(x=LABEL_WIDTH - 8, y=y + ROW / 2 + 4, text=_short(name), anchor="end"))
        x = float(LABEL_WIDTH)
        for k, count in enumerate(counts):
            w = span * count / top
            if count:
                rects.append(Rect(x=x, y=y, width=w, height=ROW, css=f"balken--alter-{k}",
                                  title=f"{name}: {count} offen, {AGE_BUCKETS[k][0]}"))
            x += w
        labels.append(Label(x=x + 6, y=y + ROW / 2 + 4, text=str(sum(counts)), anchor="start"))
    height = TOP + max(len(table), 1) * (ROW + 14) + 8
    return Chart(width=WIDTH, height=int(height), rects=tuple(rects), labels=tuple(labels), gridlines=(),
                 axes=((LABEL_WIDTH, TOP - 4, LABEL_WIDTH, height - 8),))


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
