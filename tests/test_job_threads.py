"""Every job of the workflow runs one thread unless it declares more: Snakemake exports
OMP/OPENBLAS/MKL_NUM_THREADS = the job's threads (1 by both profiles' ``set-threads``; the
Snakefile's shell prefix must not pin another count), and every job's entry point sets torch's
intra-op threads itself (``torch.set_num_threads``/``setup_torch``, 1 unless ``RISISAC_THREADS``
declares more) or numpy's BLAS threads (``limit_blas_threads``)."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "lib"
SETS_THREADS = re.compile(r"set_num_threads\(|setup_torch\(|limit_blas_threads\(")


def job_modules():
    text = "".join(p.read_text() for p in (ROOT / "workflow" / "rules").glob("*.smk"))
    return sorted(set(re.findall(r"-m (risisac\.[\w.]+)", text)))


def test_every_job_module_sets_its_thread_count():
    mods = job_modules()
    assert len(mods) >= 7, mods
    for m in mods:
        src = (LIB / Path(*m.split("."))).with_suffix(".py").read_text()
        assert SETS_THREADS.search(src), f"{m}: a workflow job that does not set its thread count"
        # a literal count other than one is a declaration, which the rule must match
        for n in re.findall(r"set_num_threads\((\d+)\)|setup_torch\((\d+)\)", src):
            assert "1" in n, f"{m}: sets {n} threads"


def test_the_workflow_gives_each_job_its_declared_threads():
    snakefile = (ROOT / "workflow" / "Snakefile").read_text()
    prefix = re.search(r"shell\.prefix\((.*)\)", snakefile).group(1)
    assert "NUM_THREADS" not in prefix, "the shell prefix pins a thread count over the rules' declarations"
    for prof in ("default", "slurm"):
        cfg = yaml.safe_load((ROOT / "workflow" / "profiles" / prof / "config.yaml").read_text())
        assert cfg["set-threads"]["__default__"] == 1, prof
