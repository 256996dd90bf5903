"""A :class:`~workbench.core.report.sequence.SequenceModel` as Mermaid ``sequenceDiagram``
text, which pastes into GitHub issues and docs."""

from __future__ import annotations

from workbench.core.report.sequence import LANE_TITLES, SequenceModel

#: Lane ids in the Mermaid text (short, and no Mermaid keyword).
ALIASES = {
    "user": "U",
    "client": "W",
    "authorization_server": "AS",
    "resource_server": "RS",
    "cognito": "CG",
}

#: Characters Mermaid reads in a message or a title (an entity, a statement's end, markup, a
#: comment): written as Mermaid's ``#NN;`` entity codes.
SPECIAL = frozenset('#;<>%"{}[]:&`\\')


def escape(text: str) -> str:
    """``text`` on one line with every character Mermaid treats specially as an entity code."""
    flat = " ".join(text.split())
    return "".join(f"#{ord(c)};" if c in SPECIAL else c for c in flat)


def to_mermaid(model: SequenceModel) -> str:
    """The Mermaid text of ``model``: its lanes as participants, then one line per arrow (a
    request ``->>``, a reply ``-->>``, a failure ending in a cross: ``-x``, ``--x``)."""
    lines = ["sequenceDiagram"]
    if model.flow is not None:
        lines.append(f"    title {escape(model.title)}")
    for lane in model.lanes:
        lines.append(f"    participant {ALIASES[lane]} as {escape(LANE_TITLES[lane])}")
    for arrow in model.arrows:
        head = "x" if arrow.failed else ">>"
        line = "--" if arrow.reply else "-"
        source, target = ALIASES[arrow.source], ALIASES[arrow.target]
        lines.append(f"    {source}{line}{head}{target}: {escape(arrow.label)}")
    return "\n".join(lines) + "\n"
