"""Small charts as inline SVG, so a report needs no script library and no network."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

__all__ = ["StackedBars", "HorizontalBars"]


@dataclass
class StackedBars:
    """Columns of stacked counts: ``values[series][i]`` is the height of ``series`` at column ``i``."""

    labels: list[str]                 # one per column
    series: list[str]                 # bottom to top
    values: dict[str, list[int]]
    colors: dict[str, str]
    height: int = 220
    max_bar: int = 26
    tick_every: int = 1

    def render(self, title: str) -> str:
        n = len(self.labels)
        totals = [sum(self.values[s][i] for s in self.series) for i in range(n)]
        top = max(totals + [1])
        bar = max(3, min(self.max_bar, 880 // max(n, 1)))
        left, bottom, gap = 36, 46, max(1, bar // 5)
        width = left + n * (bar + gap) + 50  # room for the last slanted label
        plot = self.height - bottom - 10
        out = [f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" height="{self.height}" '
               f'viewBox="0 0 {width} {self.height}">', f"<title>{escape(title)}</title>"]
        for frac in (0, 0.5, 1):  # a light grid with counts
            y = 10 + plot - frac * plot
            out.append(f'<line x1="{left}" x2="{width - 6}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                       f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">{round(top * frac)}</text>')
        for i, label in enumerate(self.labels):
            x = left + i * (bar + gap)
            y = 10 + plot
            for s in self.series:
                v = self.values[s][i]
                if not v:
                    continue
                h = v / top * plot
                y -= h
                out.append(f'<rect class="bar" x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}" '
                           f'fill="{self.colors[s]}"><title>{escape(label)}: {v} {escape(s)}</title></rect>')
            if i % self.tick_every == 0:
                out.append(f'<text class="axis" transform="translate({x + bar / 2:.1f},{10 + plot + 8}) rotate(50)">'
                           f"{escape(label)}</text>")
        out.append("</svg>")
        return "".join(out)


@dataclass
class HorizontalBars:
    """Rows of stacked counts with their names on the left."""

    names: list[str]
    series: list[str]
    values: dict[str, list[int]]
    colors: dict[str, str]
    width: int = 760
    name_width: int = 330

    def render(self, title: str) -> str:
        row, pad = 22, 4
        height = len(self.names) * row + 8
        top = max([sum(self.values[s][i] for s in self.series) for i in range(len(self.names))] + [1])
        room = self.width - self.name_width - 50
        out = [f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{self.width}" height="{height}" '
               f'viewBox="0 0 {self.width} {height}">', f"<title>{escape(title)}</title>"]
        for i, name in enumerate(self.names):
            y = 4 + i * row
            shown = name if len(name) <= 48 else name[:47] + "…"
            out.append(f'<text class="name" x="{self.name_width - 8}" y="{y + row / 2 + 4:.1f}" text-anchor="end">'
                       f"<title>{escape(name)}</title>{escape(shown)}</text>")
            x = self.name_width
            total = 0
            for s in self.series:
                v = self.values[s][i]
                if not v:
                    continue
                w = v / top * room
                out.append(f'<rect class="bar" x="{x:.1f}" y="{y + pad}" width="{w:.1f}" height="{row - 2 * pad}" '
                           f'fill="{self.colors[s]}"><title>{escape(name)}: {v} {escape(s)}</title></rect>')
                x += w
                total += v
            out.append(f'<text class="axis" x="{x + 5:.1f}" y="{y + row / 2 + 4:.1f}">{total}</text>')
        out.append("</svg>")
        return "".join(out)
