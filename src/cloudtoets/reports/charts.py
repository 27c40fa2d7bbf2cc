"""Horizontal bar charts as inline SVG, made on the server: no JavaScript, no style attributes
(the CSP allows none), the same markup on the web page and in the PDF.

A chart is a picture of figures that a table right after it repeats (WCAG 1.1.1): the SVG has
``role="img"`` with a title and a description that points to that table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 250
VALUE_WIDTH = 90
ROW_HEIGHT = 30
BAR_HEIGHT = 18
FONT = "Fira Sans, DejaVu Sans, Arial, sans-serif"
BAR_COLOUR = "#154273"  # Rijksoverheid dark blue: 10.4:1 against white
TRACK_COLOUR = "#e6ecf2"
TEXT_COLOUR = "#1a1a1a"
MAX_LABEL = 34


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    text: str  # the value as shown beside the bar, e.g. "59 (88%)"


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def bar_chart(
    chart_id: str, title: str, bars: Sequence[Bar], *, maximum: float | None = None
) -> Markup:
    """The chart; ``maximum`` is the value of a full bar (default: the largest value)."""
    top = maximum if maximum is not None else max((b.value for b in bars), default=0)
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = ROW_HEIGHT * len(bars) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ct-chart" role="img" '
        f'width="100%" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-titel {chart_id}-uitleg" '
        f'font-family="{FONT}" font-size="14">',
        f'<title id="{chart_id}-titel">{escape(title)}</title>',
        f'<desc id="{chart_id}-uitleg">Staafdiagram. De cijfers staan ook in de tabel hieronder.'
        "</desc>",
    ]
    for index, bar in enumerate(bars):
        y = 4 + index * ROW_HEIGHT
        middle = y + ROW_HEIGHT / 2
        length = 0.0 if top <= 0 else max(0.0, min(1.0, bar.value / top)) * track
        parts += [
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.1f}" text-anchor="end" '
            f'dominant-baseline="middle" fill="{TEXT_COLOUR}">{escape(_short(bar.label))}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{middle - BAR_HEIGHT / 2:.1f}" width="{track}" '
            f'height="{BAR_HEIGHT}" fill="{TRACK_COLOUR}"/>',
            f'<rect x="{LABEL_WIDTH}" y="{middle - BAR_HEIGHT / 2:.1f}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"/>',
            f'<text x="{LABEL_WIDTH + track + 8}" y="{middle:.1f}" dominant-baseline="middle" '
            f'fill="{TEXT_COLOUR}">{escape(bar.text)}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))
