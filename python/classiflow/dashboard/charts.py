"""SVG charts of a pipeline's analytics, made on the server as strings.

Every chart is a complete, standalone SVG document (the page shows it in an ``<img>``, so no
script inside it could ever run) and every piece of user text in it (labels, stage names) goes
through ``html.escape``: a label is whatever the model was trained on, so it is untrusted.
"""

import html
import time
from typing import Any, Dict, List, Mapping, Sequence

__all__ = ["label_timeline", "confidence_histogram", "route_counts", "message"]

# Colour-blind-friendly palette (Okabe-Ito); labels keep their colour by sorted position.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]
WIDTH = 460
HEIGHT = 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 40, 10, 24, 28


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _document(body: List[str], title: str, height: int = HEIGHT) -> str:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="11">')
    return "\n".join([head, f"<title>{_e(title)}</title>",
                      f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
                      f'<text x="{PAD_LEFT}" y="15" font-size="12" font-weight="bold">'
                      f"{_e(title)}</text>", *body, "</svg>"])


def message(title: str, text: str) -> str:
    """A chart-sized SVG that only says ``text`` (no data yet, analytics off)."""
    return _document([f'<text x="{WIDTH // 2}" y="{HEIGHT // 2}" text-anchor="middle" '
                      f'fill="#666666">{_e(text)}</text>'], title)


def _y_axis(top: float) -> List[str]:
    """Axis line and the max tick; the plot area spans PAD_TOP..HEIGHT-PAD_BOTTOM."""
    bottom = HEIGHT - PAD_BOTTOM
    return [f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{bottom}" stroke="#999"/>',
            f'<line x1="{PAD_LEFT}" y1="{bottom}" x2="{WIDTH - PAD_RIGHT}" y2="{bottom}" '
            f'stroke="#999"/>',
            f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + 4}" text-anchor="end">{top:g}</text>',
            f'<text x="{PAD_LEFT - 4}" y="{bottom}" text-anchor="end">0</text>']


def _legend(labels: Sequence[str]) -> List[str]:
    parts, x = [], WIDTH - PAD_RIGHT
    for i in reversed(range(len(labels))):
        text = labels[i] if labels[i] else "(none)"
        x -= 14 + 7 * min(len(text), 16)
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" '
                     f'fill="{PALETTE[i % len(PALETTE)]}"/>'
                     f'<text x="{x + 13}" y="15">{_e(text[:16])}</text>')
    return parts


def label_timeline(stage: str, per_minute: Sequence[Mapping[str, Any]],
                   minutes: int = 20) -> str:
    """Stacked bars of answers per label, one slot per minute for the ``minutes`` minutes up
    to the newest one with data (a quiet minute is an empty slot, so the time axis is true).

    ``per_minute`` is ``analytics()["stages"][stage]["per_minute"]``: ``[{"t", "counts"}]``.
    """
    title = f"{stage}: labels per minute"
    if not per_minute:
        return message(title, "no results yet")
    newest = max(r["t"] for r in per_minute)
    first = newest - 60 * (minutes - 1)
    by_slot = {int((r["t"] - first) // 60): r["counts"] for r in per_minute if r["t"] >= first}
    labels = sorted({label for counts in by_slot.values() for label in counts})
    top = max(sum(counts.values()) for counts in by_slot.values()) or 1
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = (WIDTH - PAD_LEFT - PAD_RIGHT) / minutes
    body = _y_axis(top)
    for i, counts in sorted(by_slot.items()):
        x, y = PAD_LEFT + i * slot + 1, float(HEIGHT - PAD_BOTTOM)
        for j, label in enumerate(labels):
            n = counts.get(label, 0)
            h = plot_h * n / top
            y -= h
            if n:
                body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(slot - 2, 1):.1f}" '
                            f'height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}">'
                            f"<title>{_e(label or '(none)')}: {n}</title></rect>")
    for i, t in ((0, first), (minutes - 1, newest)):
        clock = time.strftime("%H:%M", time.localtime(t))
        body.append(f'<text x="{PAD_LEFT + i * slot + slot / 2:.1f}" y="{HEIGHT - 10}" '
                    f'text-anchor="middle">{clock}</text>')
    return _document(body + _legend(labels), title)


def confidence_histogram(stage: str, histogram: Mapping[str, Sequence[float]]) -> str:
    """Bars of ``analytics()["stages"][stage]["histogram"]`` (``edges`` has one more entry
    than ``counts``)."""
    title = f"{stage}: confidence"
    edges, counts = list(histogram["edges"]), list(histogram["counts"])
    if not counts or sum(counts) == 0:
        return message(title, "no results yet")
    top = max(counts)
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / len(counts)
    body = _y_axis(top)
    for i, n in enumerate(counts):
        h = plot_h * n / top
        x = PAD_LEFT + i * slot + 1
        body.append(f'<rect x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM - h:.1f}" '
                    f'width="{slot - 2:.1f}" height="{h:.1f}" fill="{PALETTE[0]}">'
                    f"<title>{edges[i]:g}-{edges[i + 1]:g}: {n}</title></rect>")
    for i in range(0, len(edges), 2):
        body.append(f'<text x="{PAD_LEFT + i * slot:.1f}" y="{HEIGHT - 10}" '
                    f'text-anchor="middle">{edges[i]:g}</text>')
    return _document(body, title)


def route_counts(routes: Sequence[Mapping[str, Any]]) -> str:
    """Horizontal bars, one per edge ``from -> to`` of ``analytics()["routes"]``."""
    title = "routes (items per edge)"
    if not routes:
        return message(title, "no routes taken yet")
    row_h = 18
    height = PAD_TOP + row_h * len(routes) + 8
    top = max(r["count"] for r in routes) or 1
    label_w = 170
    plot_w = WIDTH - label_w - PAD_RIGHT - 40
    body: List[str] = []
    for i, r in enumerate(routes):
        y = PAD_TOP + i * row_h
        w = plot_w * r["count"] / top
        edge = f'{r["from"]} \u2192 {r["to"]}'
        body.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{_e(edge)}</text>'
                    f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row_h - 5}" '
                    f'fill="{PALETTE[2]}"/>'
                    f'<text x="{label_w + w + 4:.1f}" y="{y + 12}">{int(r["count"])}</text>')
    return _document(body, title, height)


def stage_charts(name: str, stage: Dict[str, Any]) -> Dict[str, str]:
    """The charts of one classify stage, by kind; empty for other stages."""
    if stage.get("kind") != "classify":
        return {}
    return {"labels": label_timeline(name, stage.get("per_minute", [])),
            "confidence": confidence_histogram(name, stage.get("histogram",
                                                               {"edges": [], "counts": []}))}
