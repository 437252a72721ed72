"""House style survives imports that change rcParams; data tables are stable text + HTML."""
import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402

from risisac.book import plotting  # noqa: E402


def test_style_undoes_foreign_rcparams():
    mpl.rcParams["xtick.direction"] = "in"          # what ARC does on import
    mpl.rcParams["font.size"] = 20
    fig, ax = plotting.subplots()
    assert mpl.rcParams["xtick.direction"] == "out"
    assert mpl.rcParams["font.size"] == plotting.HOUSE["font.size"]
    assert mpl.rcParams["savefig.dpi"] >= 150
    matplotlib.pyplot.close(fig)


def test_multi_panel_figures_grow_with_panels():
    fig, axes = plotting.subplots(1, 3)
    assert fig.get_size_inches()[0] > plotting.HOUSE["figure.figsize"][0]
    assert axes.shape == (3,)
    matplotlib.pyplot.close(fig)


def test_data_table_text_and_html():
    t = plotting.data_table(["N", "SINR [dB]"], [[16, 3.14159], [32, 12.5]], digits=3, title="Fig. 4")
    text = repr(t)
    assert text.splitlines()[0] == "Fig. 4"
    assert "3.14" in text and "3.142" not in text
    html = t._repr_html_()
    assert html.startswith('<table class="datatable">') and "<td>12.5</td>" in html
    wide = plotting.data_table(["a"], [[1.0]], widths=[8])
    assert repr(wide).splitlines()[0] == "       a"


def test_curves_data_keeps_x_values():
    t = plotting.curves_data("P [dBm]", [10, 20], {"ours": [1.23456, 2.0]}, digits=3)
    assert t.rows[0][0] == 10 and "1.23" in repr(t)
