"""House plotting style, curve plots, numbered figures and the data table under each figure.

One style that no import can change
-----------------------------------
:data:`HOUSE` is a complete set of matplotlib rcParams: matplotlib's defaults plus
the book's choices. Every helper here (:func:`style`, :func:`subplots`,
:func:`plot_curves`, :func:`glue_figure`) re-applies it in full, so a package that
alters ``rcParams`` when imported (ARC does) cannot change the book's figures.
Figures are PNG at 200 dpi shown at 100-dpi size ("retina"): sharp, and the
``<Figure size ...>`` text that nbval compares does not depend on the resolution
(nbval does not compare PNG; SVG would differ run to run).

Numbered figures with captions
------------------------------
Draw the figure, then glue it (the cell shows nothing)::

    fig, ax = subplots()
    ...
    glue_figure("fig-a4", fig)

and place it in the prose with a caption (MyST-NB), numbered by the book::

    ```{glue:figure} fig-a4
    :name: fig-a4

    **Paper Fig. 4.** What the paper's figure shows ... What ours shows ...
    ```

Refer to it as ``{numref}`fig-a4```.

Data tables
-----------
:func:`data_table` / :func:`curves_data` return a :class:`DataTable`: shown as a
narrow HTML table in the book and as a fixed-layout text table (what nbval checks)
in its ``text/plain`` form. Make it the cell's last expression.
"""

from __future__ import annotations

import html as _html
from typing import Mapping, Sequence

import numpy as np

MARKERS = ["o", "s", "^", "v", "D", "x", "*", "P", "<", ">"]

#: the book's choices on top of matplotlib's defaults (see :func:`house_rc`)
HOUSE = {
    "figure.figsize": (5.6, 3.8), "figure.dpi": 100, "savefig.dpi": 200,
    "figure.constrained_layout.use": False,
    "axes.grid": True, "grid.alpha": 0.35, "axes.spines.top": False,
    "axes.spines.right": False, "axes.titlesize": 10, "axes.labelsize": 9.5,
    "legend.fontsize": 8, "legend.framealpha": 0.85,
    "font.size": 9.5, "xtick.labelsize": 8.5, "ytick.labelsize": 8.5,
    "lines.linewidth": 1.5, "lines.markersize": 5,
    "svg.hashsalt": "risisac",
}
_NOT_STYLE = ("backend", "backend_fallback", "interactive", "webagg.", "figure.max_open_warning",
              "savefig.directory", "tk.", "macosx.", "toolbar", "timezone", "date.")


def house_rc() -> dict:
    """The complete house rcParams: matplotlib defaults overridden by :data:`HOUSE`."""
    import matplotlib as mpl
    rc = {k: v for k, v in mpl.rcParamsDefault.items() if not k.startswith(_NOT_STYLE)}
    rc.update(HOUSE)
    return rc


def style() -> None:
    """Apply the book's complete matplotlib style (undoing any change an import made)."""
    import warnings

    import matplotlib as mpl
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mpl.rcParams.update(house_rc())
    try:  # inline backend: PNG only (SVG differs run to run), at twice the resolution
        from matplotlib_inline.backend_inline import set_matplotlib_formats
        set_matplotlib_formats("retina")
    except Exception:  # pragma: no cover - outside IPython
        pass


def subplots(nrows: int = 1, ncols: int = 1, panel: tuple[float, float] = (3.9, 3.0), **kw):
    """``plt.subplots`` in the house style, sized per panel so labels stay legible.

    A single panel gets the house figure size; a grid gets ``panel`` inches per panel
    (at most 10 inches wide). Returns ``(fig, axes)`` like ``plt.subplots``.
    """
    import matplotlib.pyplot as plt
    style()
    if "figsize" not in kw and (nrows, ncols) != (1, 1):
        kw["figsize"] = (min(10.0, panel[0] * ncols), panel[1] * nrows)
    kw.setdefault("layout", "constrained")
    return plt.subplots(nrows, ncols, **kw)


def glue_figure(name: str, fig, close: bool = True) -> None:
    """Glue ``fig`` under ``name`` for a numbered, captioned ``{glue:figure}`` in the prose.

    The cell itself shows nothing (``display=False``); the figure is closed so the
    inline backend does not show it a second time.
    """
    import matplotlib.pyplot as plt
    from myst_nb import glue
    glue(name, fig, display=False)
    if close:
        plt.close(fig)


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


def text_table(headers: Sequence[str], rows: Sequence[Sequence], digits: int = 4,
               widths: Sequence[int] | None = None) -> str:
    """Aligned plain-text table; numbers rounded to ``digits`` significant digits.

    ``widths`` fixes the column widths (a column never shrinks below its header), so
    the layout does not change when a number's width does.
    """
    cells = [[str(h) for h in headers]] + [[fmt(v, digits) for v in r] for r in rows]
    width = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    if widths is not None:
        width = [max(w, int(f), len(str(h))) for w, f, h in zip(width, widths, headers)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, width)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in width))
    return "\n".join(lines)


class DataTable:
    """A figure's data: narrow HTML in the book, fixed-layout text for nbval.

    ``digits`` significant digits per number (or a per-column list); ``widths``
    (optional) fixes the text columns' widths so that the text layout is stable.
    """

    def __init__(self, headers: Sequence[str], rows: Sequence[Sequence], digits: int | Sequence[int] = 4,
                 title: str | None = None, widths: Sequence[int] | None = None):
        self.headers = [str(h) for h in headers]
        self.rows = [list(r) for r in rows]
        self.title = title
        self.widths = widths
        n = len(self.headers)
        self.digits = [digits] * n if isinstance(digits, int) else list(digits)
        if len(self.digits) != n or any(len(r) != n for r in self.rows):
            raise ValueError(f"DataTable: {n} headers, digits {self.digits}, row lengths "
                             f"{sorted({len(r) for r in self.rows})}")

    def cells(self) -> list[list[str]]:
        return [[fmt(v, d) for v, d in zip(r, self.digits)] for r in self.rows]

    def text(self) -> str:
        cells = self.cells()
        width = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(self.headers)]
        if self.widths is not None:
            width = [max(w, int(f)) for w, f in zip(width, self.widths)]
        text_col = [all(isinstance(r[i], str) for r in self.rows) for i in range(len(self.headers))]
        lines = ["  ".join(c.ljust(w) if t else c.rjust(w) for c, w, t in zip(r, width, text_col)).rstrip()
                 for r in [self.headers] + cells]
        lines.insert(1, "  ".join("-" * w for w in width))
        return ((self.title + "\n") if self.title else "") + "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    __str__ = __repr__

    def _repr_html_(self) -> str:
        e = _html.escape
        out = ['<table class="datatable">']
        if self.title:
            out.append(f"<caption>{e(self.title)}</caption>")
        out.append("<thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in self.headers) + "</tr></thead><tbody>")
        for r in self.cells():
            out.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>")
        out.append("</tbody></table>")
        return "".join(out)


def data_table(headers: Sequence[str], rows: Sequence[Sequence], digits: int | Sequence[int] = 4,
               title: str | None = None, widths: Sequence[int] | None = None) -> DataTable:
    """A :class:`DataTable` (make it the cell's last expression)."""
    return DataTable(headers, rows, digits, title, widths)


def curves_data(xname: str, x: Sequence, ys: Mapping[str, Sequence], digits: int | Sequence[int] = 4,
                title: str | None = None) -> DataTable:
    """A figure's curves as a :class:`DataTable`: one row per x, one column per curve."""
    headers = [xname, *ys.keys()]
    rows = [[xi, *[np.asarray(y)[i] for y in ys.values()]] for i, xi in enumerate(x)]
    if isinstance(digits, int):
        digits = [max(digits, 6)] + [digits] * len(ys)   # x values print as given
    return DataTable(headers, rows, digits, title)


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
                linestyles: Mapping[str, str] | None = None, ylim=None, legend_loc: str = "best"):
    """Plot several curves against one x axis in the house style; print their data.

    Returns the figure. The printed table (rounded) is what nbval checks; pass
    ``table=False`` and show :func:`curves_data` instead for an HTML table.
    ``ylim=(lo, hi)`` fixes the y range (e.g. so a log axis shows the curves, not
    round-off floors).
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
    if ylim is not None:
        ax.set_ylim(*ylim)
    if title:
        ax.set_title(title)
    ax.legend(loc=legend_loc)
    if fig is not None:
        fig.tight_layout()
    if table:
        curves_table(xname or xlabel, x, ys, digits, title=(title + " - data") if title else None)
    return fig if fig is not None else ax.figure
