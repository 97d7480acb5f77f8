"""The funnel picture of `report pipeline --plot FILE.png` (needs the `plot` extra).

matplotlib is imported here, lazily, so the rest of sheetcrm works without it; the
figure is drawn on an Agg canvas (no display, no pyplot global state), which is safe
inside a scheduled sync or a web process.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import SheetCRMError

STAGES = (("contacted", "Contacted"), ("responded", "Responded"), ("interested", "Interested"), ("hired", "Hired"))
SPLIT = (("hard_no", "hard-no", "#C0392B"), ("soft_no", "soft-no", "#E69F00"),
         ("unclassified", "unclassified", "#9E9E9E"))
_STAGE_COLOURS = ("#1F4E79", "#2E75B6", "#5B9BD5", "#2E8B57")


def funnel_png(figures: Mapping[str, Any], path: str | Path, title: str = "") -> Path:
    """Draw contacted -> responded -> interested -> hired for one figures row (a
    position or ``ALL``), with the turned-down split into hard-no / soft-no /
    unclassified underneath; write it as a PNG at ``path``."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise SheetCRMError("the funnel chart needs matplotlib: install sheetcrm[plot] "
                            "(pip install 'sheetcrm[plot]')") from None

    counts = [_count(figures.get(key)) for key, _ in STAGES]
    fig = Figure(figsize=(8, 6), dpi=110)
    FigureCanvasAgg(fig)
    funnel_ax, split_ax = fig.subplots(2, 1, gridspec_kw={"height_ratios": [4, 1]})
    _draw_funnel(funnel_ax, counts)
    _draw_split(split_ax, [(_count(figures.get(key)), label, colour) for key, label, colour in SPLIT])
    fig.suptitle(title or "Pipeline funnel", fontsize=14, weight="bold", x=0.02, ha="left")
    fig.text(0.02, 0.91, f"{_count(figures.get('considered')):,} considered, {counts[0]:,} contacted", fontsize=10,
             color="#555555")
    fig.subplots_adjust(left=0.16, right=0.97, top=0.87, bottom=0.1, hspace=0.35)
    out = Path(path)
    try:
        fig.savefig(out, format="png")
    except OSError as exc:
        raise SheetCRMError(f"cannot write the chart to {out}: {exc.strerror or exc}") from None
    return out


def _draw_funnel(ax: Any, counts: list[int]) -> None:
    """Centred bars, one per stage, with each stage's share of contacted."""
    contacted = counts[0]
    widest = max(counts + [1])
    ys = list(range(len(STAGES)))[::-1]
    for y, (key, label), n, colour in zip(ys, STAGES, counts, _STAGE_COLOURS):
        # centred bars make the funnel shape; a zero still gets a sliver so the row reads
        ax.barh(y, max(n, widest * 0.004), left=(widest - n) / 2, height=0.72, color=colour)
        share = f" ({n / contacted:.0%} of contacted)" if contacted and key != "contacted" else ""
        text = f"{n:,}{share}"
        if n >= widest * 0.45:
            ax.text(widest / 2, y, text, ha="center", va="center", color="white", fontsize=11, weight="bold")
        else:
            ax.text((widest + n) / 2 + widest * 0.02, y, text, ha="left", va="center", color="#222222", fontsize=11)
    ax.set_yticks(ys, [label for _, label in STAGES], fontsize=12)
    ax.set_xlim(0, widest * 1.02)
    ax.set_xticks([])
    _no_frame(ax)
    ax.tick_params(axis="y", length=0)


def _draw_split(ax: Any, split: list[tuple[int, str, str]]) -> None:
    """One stacked bar: the turned-down split into hard-no / soft-no / unclassified."""
    turned_down = sum(n for n, _, _ in split)
    left = 0
    for n, label, colour in split:
        if n:
            ax.barh(0, n, left=left, height=0.6, color=colour)
            # the label only where it fits; narrow segments keep the number, the legend names them
            text = f"{label} {n:,}" if n >= turned_down * 0.2 else f"{n:,}" if n >= turned_down * 0.05 else ""
            if text:
                ax.text(left + n / 2, 0, text, ha="center", va="center", color="white", fontsize=10, weight="bold")
        left += n
    summary = ", ".join(f"{label} {n:,}" for n, label, _ in split)
    ax.set_title(f"Turned down: {turned_down:,}  ({summary})" if turned_down else "Turned down: none yet",
                 fontsize=11, loc="left")
    if turned_down:  # small segments carry no label of their own: the legend names every colour
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color=colour, label=label) for _, label, colour in split], ncol=3,
                  loc="upper left", bbox_to_anchor=(0, 0), frameon=False, fontsize=10)
    ax.set_xlim(0, max(turned_down, 1))
    ax.set_yticks([])
    ax.set_xticks([])
    _no_frame(ax)


def _no_frame(ax: Any) -> None:
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)


def _count(v: Any) -> int:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return 0
    return 0 if math.isnan(f) else int(f)
