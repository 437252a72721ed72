"""House plotting style, curve plots and the data table printed under each figure."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

MARKERS = ["o", "s", "^", "v", "D", "x", "*", "P", "<", ">"]


def style() -> None:
    """Apply the book's matplotlib style (PNG output, readable sizes)."""
    import matplotlib as mpl
    mpl.rcParams.update({
        "figure.figsize": (5.6, 3.8), "figure.dpi": 100, "savefig.dpi": 100,
        "axes.grid": True, "grid.alpha": 0.35, "axes.spines.top": False,
        "axes.spines.right": False, "legend.fontsize": 8, "legend.framealpha": 0.85,
        "font.size": 9.5, "lines.linewidth": 1.5, "lines.markersize": 5,
        "svg.hashsalt": "risisac",
    })
    try:  # inline backend: PNG only (SVG differs run to run)
        from matplotlib_inline.backend_inline import set_matplotlib_formats
        set_matplotlib_formats("png")
    except Exception:  # pragma: no cover
        pass


def fmt(v, digits: int = 4) -> str:
    """A number with ``digits`` significant digits (deterministic text)."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if not np.isfinite(v):
            return str(v)
        if v == 0:
            return "0"
        s = f"{v:.{digits}g}"
        return "0" if s in ("-0", "-0.0") else s
    if isinstance(v, (list, tuple, np.ndarray)):
        return "[" + ", ".join(fmt(x, digits) for x in v) + "]"
    return str(v)


def text_table(headers: Sequence[str], rows: Sequence[Sequence], digits: int = 4) -> str:
    """Aligned plain-text table; numbers rounded to ``digits`` significant digits."""
    cells = [[str(h) for h in headers]] + [[fmt(v, digits) for v in r] for r in rows]
    width = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, width)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in width))
    return "\n".join(lines)


def print_table(headers, rows, digits: int = 4, title: str | None = None) -> None:
    if title:
        print(title)
    print(text_table(headers, rows, digits))


def curves_table(xname: str, x: Sequence, ys: Mapping[str, Sequence], digits: int = 4,
                 title: str | None = None) -> None:
    """Print a figure's data: one row per x, one column per curve."""
    headers = [xname, *ys.keys()]
    rows = [[xi, *[np.asarray(y)[i] for y in ys.values()]] for i, xi in enumerate(x)]
    print_table(headers, rows, digits, title)


def plot_curves(x: Sequence, ys: Mapping[str, Sequence], xlabel: str, ylabel: str,
                title: str = "", logy: bool = False, logx: bool = False, ax=None,
                table: bool = True, xname: str | None = None, digits: int = 4,
                linestyles: Mapping[str, str] | None = None):
    """Plot several curves against one x axis in the house style; print their data.

    Returns the figure. The printed table (rounded) is what nbval checks.
    """
    import matplotlib.pyplot as plt
    style()
    fig = None
    if ax is None:
        fig, ax = plt.subplots()
    for i, (name, y) in enumerate(ys.items()):
        ls = (linestyles or {}).get(name, "-")
        ax.plot(x, y, linestyle=ls, marker=MARKERS[i % len(MARKERS)], label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if logx:
        ax.set_xscale("log")
    if title:
        ax.set_title(title)
    ax.legend()
    if fig is not None:
        fig.tight_layout()
    if table:
        curves_table(xname or xlabel, x, ys, digits, title=(title + " - data") if title else None)
    return fig if fig is not None else ax.figure
