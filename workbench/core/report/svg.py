"""A :class:`~workbench.core.report.sequence.SequenceModel` drawn as SVG, in pure Python: the
report's diagram (inline, so the file needs no network), in a light palette (the report's,
the default) or a dark one (the app's Save SVG under a dark theme); a file of its own paints its
palette's page behind it.

Each lane is a titled box with a dashed lifeline; each arrow a line with its words above it,
dashed for a reply, in the failure colour when it failed. An arrow that stands for exchanges
links to the one it selects (the last of collapsed polls: ``#{anchor}-{id}``), so a click in
the report jumps to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from workbench.core.report.sequence import LANE_TITLES, Arrow, SequenceModel

LANE_WIDTH = 210
MARGIN = 20
HEAD_HEIGHT = 40
ROW_HEIGHT = 38


@dataclass(frozen=True)
class SvgPalette:
    """The colours of a diagram: words and arrows (``ink``), a failure, the lifelines and lane
    boxes' borders, the lane boxes' fill, and the page (painted behind the diagram; a halo of
    it keeps a label readable across a lifeline)."""

    name: str
    ink: str
    failure: str
    lifeline: str
    head_fill: str
    page: str


LIGHT = SvgPalette("light", "#24292f", "#c62828", "#8c959f", "#eef2f7", "#ffffff")
#: Light ink on a dark page; the failure colour a lighter red that reads on it.
DARK = SvgPalette("dark", "#e6edf3", "#ff7b72", "#6e7681", "#21262d", "#0d1117")
PALETTES = {palette.name: palette for palette in (LIGHT, DARK)}


def to_svg(
    model: SequenceModel,
    anchor: str = "exchange",
    palette: SvgPalette = LIGHT,
    *,
    page: bool = False,
) -> str:
    """The SVG document of ``model`` (an ``<svg>`` element, ready to inline in HTML) in
    ``palette``; with ``page`` its page colour is painted behind it (a file of its own: a
    viewer's background is not the palette's), else the page around it shows through."""
    p = palette
    lanes = {lane: MARGIN + LANE_WIDTH // 2 + i * LANE_WIDTH for i, lane in enumerate(model.lanes)}
    width = 2 * MARGIN + LANE_WIDTH * len(model.lanes)
    top = MARGIN + HEAD_HEIGHT
    height = top + ROW_HEIGHT * (len(model.arrows) + 1) + MARGIN
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sequence" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f"aria-label={quoteattr('Sequence diagram: ' + model.title)}>",
        f"<title>{escape(model.title)}</title>",
        "<defs>",
        _marker("head", p.ink),
        _marker("head-failed", p.failure),
        "</defs>",
        f'<g font-family="sans-serif" font-size="12" fill="{p.ink}">',
    ]
    if page:
        parts.insert(-1, f'<rect class="page" width="{width}" height="{height}" fill="{p.page}"/>')
    for lane, x in lanes.items():
        left = x - LANE_WIDTH // 2 + 8
        parts.append(
            f'<g class="lane" data-lane="{lane}">'
            f'<rect x="{left}" y="{MARGIN}" width="{LANE_WIDTH - 16}" height="{HEAD_HEIGHT - 8}" '
            f'rx="4" fill="{p.head_fill}" stroke="{p.lifeline}"/>'
            f'<text x="{x}" y="{MARGIN + 21}" text-anchor="middle" font-weight="bold">'
            f"{escape(LANE_TITLES[lane])}</text>"
            f'<line x1="{x}" y1="{top}" x2="{x}" y2="{height - MARGIN}" stroke="{p.lifeline}" '
            'stroke-dasharray="4 4"/></g>'
        )
    for row, arrow in enumerate(model.arrows, start=1):
        parts.append(
            _arrow(
                arrow, (lanes[arrow.source], lanes[arrow.target]), top + row * ROW_HEIGHT, anchor, p
            )
        )
    parts.append("</g></svg>")
    return "\n".join(parts)


def _marker(name: str, colour: str) -> str:
    return (
        f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        f'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{colour}"/></marker>'
    )


def _arrow(arrow: Arrow, xs: tuple[int, int], y: int, anchor: str, palette: SvgPalette) -> str:
    x1, x2 = xs
    colour = palette.failure if arrow.failed else palette.ink
    dash = ' stroke-dasharray="6 4"' if arrow.reply else ""
    marker = "head-failed" if arrow.failed else "head"
    middle = (x1 + x2) // 2
    if x1 == x2:  # to itself: a small loop on the right of the lifeline
        line = (
            f'<path d="M{x1},{y - 8} h30 v16 h-28" fill="none" stroke="{colour}"{dash} '
            f'marker-end="url(#{marker})"/>'
        )
        middle = x1 + 40
    else:
        line = (
            f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{colour}" stroke-width="1.5"'
            f'{dash} marker-end="url(#{marker})"/>'
        )
    kind = "failed" if arrow.failed else "reply" if arrow.reply else "request"
    text = (
        f'<text x="{middle}" y="{y - 6}" text-anchor="middle" fill="{colour}" '
        f'stroke="{palette.page}" stroke-width="4" paint-order="stroke">'
        f"{escape(arrow.label)}</text>"
    )
    body = f"<title>{escape(arrow.label)}</title>{line}{text}"
    data = ""
    if arrow.exchange_id is not None:
        body = f'<a href="#{anchor}-{arrow.exchange_id}">{body}</a>'
        data = f' data-exchange="{arrow.exchange_id}"'
    return f'<g class="arrow {kind}"{data}>{body}</g>'
