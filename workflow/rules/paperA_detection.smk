# Paper A, detection chapter: networks (one job per seed), their record, the evaluation parts.
from risisac.paper_a import train_detection as TDET
from risisac.paper_a.eval_detection import GRID as DET_GRID

DET = "models/paperA_detection"
DET_TRAIN = code("paper_a/train_detection.py", "paper_a/detection_net.py", "paper_a/unfolding.py",
                 "paper_a/model.py", "book/rng.py", "book/provenance.py")
DET_EVAL = code("paper_a/eval_detection.py", "paper_a/detection_net.py", "paper_a/unfolding.py",
                "paper_a/admm_mm.py", "paper_a/admm_mm_liu.py", "paper_a/model.py", "detection.py", "comms.py")


rule detection_net:
    """One trained detection network (Algorithm 1 on problem (21))."""
    input:
        code=ancient(DET_TRAIN),
    output:
        DET + "/{profile}_seed{seed}.pt",
    wildcard_constraints:
        profile="|".join(TDET.PROFILES),
    params:
        sizes=lambda w: TDET.PROFILES[w.profile],
        code=digest(DET_TRAIN),
    resources:
        runtime=lambda w: 150 if w.profile == "paper" else 30,
        mem_mb=2000,
    shell:
        "{PYTHON} -m risisac.paper_a.train_detection net {wildcards.profile} {wildcards.seed} {output} --checkpoint {output}.ckpt"


rule detection_record:
    """The training record of a profile's networks, gathered from the network files."""
    input:
        nets=lambda w: ancient(W.detection_net_files(w.profile)),
    output:
        update(DET + "/{profile}_record.json"),
    wildcard_constraints:
        profile="|".join(TDET.PROFILES),
    resources:
        runtime=5,
    shell:
        "{PYTHON} -m risisac.paper_a.train_detection record {wildcards.profile} {output} {input.nets}"


rule detection_eval_baselines:
    """ADMM-MM (ours or Liu et al.'s) and radar-only at every figure point (no network)."""
    input:
        code=ancient(DET_EVAL),
    output:
        DET + "/eval_{part}.json",
    wildcard_constraints:
        part="baselines|baselines-liu",
    params:
        grid=DET_GRID,
        code=digest(DET_EVAL),
    resources:
        runtime=180,
        mem_mb=2000,
    shell:
        "{PYTHON} -m risisac.paper_a.eval_detection {wildcards.part} --out $(dirname {output})"


rule detection_eval_nets:
    """The book ensemble (eval_nets) or the paper-depth network (eval_paper-net, eval_timing)."""
    input:
        code=ancient(DET_EVAL),
        record=lambda w: ancient(DET + ("/book_record.json" if w.part == "nets" else "/paper_record.json")),
        nets=lambda w: ancient(W.detection_net_files("book" if w.part == "nets" else "paper")),
    output:
        DET + "/eval_{part}.json",
    wildcard_constraints:
        part="nets|paper-net|timing",
    params:
        grid=DET_GRID,
        code=digest(DET_EVAL),
    resources:
        runtime=lambda w: 120 if w.part == "timing" else 90,
        mem_mb=2000,
    shell:
        "{PYTHON} -m risisac.paper_a.eval_detection {wildcards.part} --out $(dirname {output})"
