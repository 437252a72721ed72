"""Parameters in a live IPython kernel: re-running the parameters cell works, and a bad value
shows a short message, not a traceback (what a reader meets in Jupyter or on Binder)."""
import nbformat
import pytest
from nbclient import NotebookClient

SPEC_CELL = '''from risisac.book.params import Spec, Int, IntList, Derived, require
SPEC = Spec("demo", {"seed": Int(lo=0), "N": Int(lo=2), "N_sweep": IntList(lo=2)},
            profiles={p: dict(seed=1, N=8, N_sweep=Derived(lambda q: sorted({4, q.N}), "4 and N"))
                      for p in ("book", "smoke", "paper")},
            check=lambda p: require(p.N in p.N_sweep, "N_sweep", f"must contain N = {p.N}",
                                    value=p.N_sweep, fix="leave N_sweep unset"))'''


def notebook(params_src):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(params_src, metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("P = SPEC.resolve(globals())\nprint(P.N, P.N_sweep)"),
                nbformat.v4.new_code_cell("x = 3.5\nth_r = [1, 2]\nBm = 0.1\nprint('done')")]
    return nb


@pytest.fixture(scope="module")
def client():
    nb = notebook('profile = "book"\nseed = None\nN = None\nN_sweep = None')
    c = NotebookClient(nb, timeout=60, kernel_name="python3")
    with c.setup_kernel():
        c.execute_cell(nbformat.v4.new_code_cell(SPEC_CELL), 0)
        yield c, nb


def run(c, nb, i, src=None):
    cell = nb.cells[i] if src is None else nbformat.v4.new_code_cell(src)
    if src is not None:
        cell.metadata = nb.cells[i].metadata
    try:
        c.execute_cell(cell, i)
    except Exception:  # CellExecutionError: inspect the outputs below
        pass
    return cell.outputs


def text(outputs):
    return "".join(o.get("text", "") for o in outputs)


def test_rerunning_the_parameters_cell_after_run_all(client):
    c, nb = client
    for i in range(3):                          # "Run all"
        run(c, nb, i)
    assert text(nb.cells[1].outputs).strip() == "8 [4, 8]"
    run(c, nb, 0, 'profile = "book"\nseed = None\nN = 16\nN_sweep = None')   # edit, re-run
    out = run(c, nb, 1)
    assert not [o for o in out if o.output_type == "error"], out
    assert text(out).strip() == "16 [4, 16]"    # the dependent default followed N


def test_bad_value_shows_a_short_message_without_traceback(client):
    c, nb = client
    run(c, nb, 0, 'profile = "book"\nseed = None\nN = "banana"\nN_sweep = None')
    out = run(c, nb, 1)
    err = [o for o in out if o.output_type == "error"]
    assert err and err[0].ename == "ParameterError"
    assert 1 <= len(err[0].traceback) <= 5
    assert "'N' = 'banana'" in err[0].traceback[0] and "allowed" in err[0].traceback[0]
    run(c, nb, 0, 'profile = "book"\nseed = None\nN = 8\nN_sweep = [4, 16]')
    err = [o for o in run(c, nb, 1) if o.output_type == "error"]
    assert err and "N_sweep' = [4, 16]" in err[0].traceback[0] and len(err[0].traceback) <= 5
    assert any("fix: leave N_sweep unset" in ln for ln in err[0].traceback)
