"""Sequence diagrams as SVG, drawn on the server: participants side by side with their lifelines, one
arrow per message in time order, each arrow optionally a link. Used for the traffic of a transaction,
token or lesson (who talks to whom) and for a transaction's money flow (from which book to which).

No maintained library draws sequence diagrams offline from Python, so this is a small module of our own.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

COLUMN = 170  # px between lifelines
TOP = 78  # the first arrow's y
STEP = 46  # px between arrows
MAX_LABEL = 46  # characters of an arrow's label kept


@dataclass(frozen=True)
class Arrow:
    """One message from participant `source` to `target` (indexes), with its label and an optional link."""

    source: int
    target: int
    label: str
    href: str | None = None
    reply: bool = False  # drawn dashed: an answer or a redirect back
    note: str = ""  # a second, smaller line under the label (a status, an amount)


def _lines(name: str, width: int = 18) -> list[str]:
    words, lines = name.split(), [""]
    for word in words:
        if lines[-1] and len(lines[-1]) + 1 + len(word) > width:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}".strip()
    return lines[:2]


def _cut(text: str, most: int = MAX_LABEL) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def render(title: str, participants: list[str], arrows: list[Arrow], key: str = "seq") -> str:
    """The diagram as a standalone SVG document (inline in a page, or saved as a .svg file); `key` keeps
    its ids apart from another diagram's on the same page."""
    width = max(560, COLUMN * len(participants) + 20)
    height = TOP + STEP * max(1, len(arrows)) + 24
    x = [20 + COLUMN // 2 + COLUMN * i for i in range(len(participants))]
    role = "group" if any(a.href for a in arrows) else "img"  # an image cannot hold links (they stay reachable)
    words = "; ".join(f"{n}. {participants[a.source]} to {participants[a.target]}: {a.label}"
                      + (f" ({a.note})" if a.note else "") for n, a in enumerate(arrows, 1))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="{role}" aria-labelledby="{key}-title {key}-desc" class="sequence" '
           'font-family="system-ui, sans-serif" font-size="13">',
           f'<title id="{key}-title">{escape(title)}</title><desc id="{key}-desc">{escape(words or "No messages.")}</desc>',
           f'<defs><marker id="{key}-head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1d2530"/></marker></defs>',
           f'<rect width="{width}" height="{height}" fill="#fff"/>']
    for i, name in enumerate(participants):
        out.append(f'<line x1="{x[i]}" y1="50" x2="{x[i]}" y2="{height - 10}" stroke="#9aa4ae" stroke-dasharray="4 4"/>')
        out.append(f'<rect x="{x[i] - COLUMN // 2 + 8}" y="8" width="{COLUMN - 16}" height="40" rx="6" '
                   'fill="#eef1f4" stroke="#5b6673"/>')
        rows = _lines(name)
        for r, line in enumerate(rows):
            y = 32 + (r - (len(rows) - 1) / 2) * 15
            out.append(f'<text x="{x[i]}" y="{y:g}" text-anchor="middle" font-weight="600">{escape(line)}</text>')
    for n, a in enumerate(arrows):
        y = TOP + STEP * n
        out.append(_arrow(a, x, y, n + 1, key))
    out.append("</svg>")
    return "".join(out)


def _arrow(a: Arrow, x: list[int], y: int, number: int, key: str) -> str:
    dash = ' stroke-dasharray="6 4"' if a.reply else ""
    label = escape(f"{number}. {_cut(a.label)}")
    if a.source == a.target:  # a note to itself: a small loop on the right of its lifeline
        x0 = x[a.source]
        shape = (f'<path d="M{x0},{y} h36 v16 h-36" fill="none" stroke="#1d2530" stroke-width="1.6"{dash} '
                 f'marker-end="url(#{key}-head)"/>'
                 f'<text x="{x0 + 42}" y="{y + 4}">{label}</text>')
        middle, text_y = x0 + 42, y + 20
    else:
        x1, x2 = x[a.source], x[a.target]
        middle = (x1 + x2) / 2
        shape = (f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="#1d2530" stroke-width="1.6"{dash} '
                 f'marker-end="url(#{key}-head)"/>'
                 f'<text x="{middle:g}" y="{y - 6}" text-anchor="middle">{label}</text>')
        text_y = y + 15
    if a.note:
        anchor = "start" if a.source == a.target else "middle"
        shape += (f'<text x="{middle:g}" y="{text_y}" text-anchor="{anchor}" font-size="11" '
                  f'fill="#5b6673">{escape(_cut(a.note, 60))}</text>')
    if a.href:
        return f"<a href={quoteattr(a.href)}>{shape}</a>"
    return shape
