# Paper A, DoA chapter: one job per network (book's and scale profiles'), the records gathered
# from the network files, the book's evaluation parts, one job per network evaluation of a scale
# profile (merged by a rule), and one job per timing cell (merged by a rule).
from risisac.paper_a import train_doa as TDOA
from risisac.paper_a import eval_doa as EDOA
from risisac.paper_a import time_doa as TIMEDOA

DOA = "models/paperA_doa"
DOA_PROFILE = config.get("doa_profile", "book")      # the profile written to the book's file names
SCALE = [p for p in TDOA.PROFILES if TDOA.files(p)[0]]
# the scale profiles whose record and evaluation a rule makes: not those whose networks are not
# stored (mid: its record and eval_mid.json are committed leaves), unless asked to rebuild them
# (`--config rebuild=mid`, which `make train CHAPTER=paperA_doa PROFILE=mid` passes)
REBUILD = str(config.get("rebuild", "")).split(",")
SCALE_MADE = [p for p in SCALE if p not in W.NETS_NOT_STORED["paperA_doa"] or p in REBUILD]
DOA_TRAIN = code("paper_a/train_doa.py", "paper_a/doa_net.py", "paper_a/unfolding.py", "paper_a/unsupervised.py",
                 "paper_a/crb.py", "paper_a/model.py", "paper_a/detection_net.py", "book/rng.py", "book/provenance.py")
DOA_EVAL = code("paper_a/eval_doa.py", "paper_a/doa_net.py", "paper_a/unfolding.py", "paper_a/unsupervised.py",
                "paper_a/crb.py", "paper_a/model.py", "comms.py")
DOA_TIME = code("paper_a/time_doa.py", "paper_a/doa_net.py", "paper_a/unfolding.py", "paper_a/unsupervised.py",
                "paper_a/crb.py", "paper_a/model.py", "book/timing.py")


def doa_job(profile, name):
    return {j["name"]: j for j in TDOA.plan(TDOA.PROFILES[profile])}[name]


def doa_minutes(profile):
    return {"smoke": 5, "book": 30, "mid": 30, "midtau": 30, "paper": 120, "papertau": 120}[profile]


rule doa_net_book:
    """One network of the book's profile (file <name>.pt)."""
    input:
        code=ancient(DOA_TRAIN),
    output:
        DOA + "/{net}.pt",
    wildcard_constraints:
        net="|".join(TDOA.net_names(DOA_PROFILE)),
    params:
        profile=DOA_PROFILE,
        sizes=TDOA.PROFILES[DOA_PROFILE],
        job=lambda w: doa_job(DOA_PROFILE, w.net),
        code=digest(DOA_TRAIN),
    resources:
        runtime=doa_minutes(DOA_PROFILE),
        mem_mb=2000,
    shell:
        "{PYTHON} -m risisac.paper_a.train_doa net {params.profile} {wildcards.net} {output} --checkpoint {output}.ckpt"


rule doa_net_scale:
    """One network of a scale profile (file <profile>-<name>.pt)."""
    input:
        code=ancient(DOA_TRAIN),
    output:
        DOA + "/{profile}-{net}.pt",
    wildcard_constraints:
        profile="|".join(SCALE),
        net="|".join(sorted({n for p in SCALE for n in TDOA.net_names(p)})),
    params:
        sizes=lambda w: TDOA.PROFILES[w.profile],
        job=lambda w: doa_job(w.profile, w.net),
        code=digest(DOA_TRAIN),
    resources:
        runtime=lambda w: 4 * doa_minutes(w.profile),
        mem_mb=3000,
    shell:
        "{PYTHON} -m risisac.paper_a.train_doa net {wildcards.profile} {wildcards.net} {output} --checkpoint {output}.ckpt"


rule doa_record_book:
    """record.json, gathered from the book's network files."""
    input:
        nets=ancient(W.doa_net_files(DOA_PROFILE)),
    output:
        update(DOA + "/record.json"),
    params:
        profile=DOA_PROFILE,
    resources:
        runtime=5,
    shell:
        "{PYTHON} -m risisac.paper_a.train_doa record {params.profile} {output} {input.nets}"


rule doa_record_scale:
    """<profile>_record.json, gathered from the profile's network files."""
    input:
        nets=lambda w: ancient(W.doa_net_files(w.profile)),
    output:
        update(DOA + "/{profile}_record.json"),
    wildcard_constraints:
        profile="|".join(SCALE_MADE),
    resources:
        runtime=5,
    shell:
        "{PYTHON} -m risisac.paper_a.train_doa record {wildcards.profile} {output} {input.nets}"


rule doa_eval_book:
    """One evaluation part (fig8, fig9, conv) of the book's networks (tied to record.json)."""
    input:
        code=ancient(DOA_EVAL),
        record=ancient(DOA + "/record.json"),
        nets=ancient(W.doa_net_files("book")),
    output:
        DOA + "/eval_{part}.json",
    wildcard_constraints:
        part="|".join(EDOA.PARTS),
    params:
        grid=EDOA.GRID,
        code=digest(DOA_EVAL),
    resources:
        runtime=60,
        mem_mb=2000,
    shell:
        "{PYTHON} -m risisac.paper_a.eval_doa part {wildcards.part} --out $(dirname {output})"


rule doa_eval_net:
    """One network of a scale profile on the test channels (a part of eval_<profile>.json)."""
    input:
        code=ancient(DOA_EVAL),
        record=ancient(DOA + "/{profile}_record.json"),
        net=ancient(DOA + "/{profile}-{net}.pt"),
    output:
        temp(DOA + "/parts/eval_{profile}/{net}.json"),
    wildcard_constraints:
        profile="|".join(SCALE_MADE),
    params:
        grid=EDOA.GRID,
        code=digest(DOA_EVAL),
    resources:
        runtime=60,
        mem_mb=2000,
    shell:
        "{PYTHON} -m risisac.paper_a.eval_doa net {wildcards.profile} {wildcards.net} {output} --folder $(dirname {input.net})"


def doa_missing_parts(w):
    """One-network evaluations for the networks of the profile that are missing now (to be
    trained): evaluated in parallel jobs. The merge keeps the stored evaluation of every network
    file it was computed for (its net_sha) and evaluates any other changed network itself."""
    return [f"{DOA}/parts/eval_{w.profile}/{n}.json" for n in TDOA.net_names(w.profile)
            if not Path(f"{DOA}/{w.profile}-{n}.pt").exists()]


rule doa_eval_scale:
    """eval_<profile>.json: the stored evaluation, updated with the one-network evaluations."""
    input:
        record=ancient(DOA + "/{profile}_record.json"),
        nets=lambda w: ancient(W.doa_net_files(w.profile)),
        parts=doa_missing_parts,
    output:
        update(DOA + "/eval_{profile}.json"),
    wildcard_constraints:
        profile="|".join(SCALE_MADE),
    resources:
        runtime=10,
    shell:
        "{PYTHON} -m risisac.paper_a.eval_doa merge {wildcards.profile} {output} {input.parts} --folder $(dirname {input.record})"


TIME_IN = dict(record=ancient(DOA + "/paper_record.json"), net=ancient(DOA + "/paper-phr-s0.pt"),
               unsup=ancient(DOA + "/unsup-s0.pt"))


rule doa_timing_cell:
    """One repetition of one Table II cell (CPU time; one thread)."""
    input:
        code=ancient(DOA_TIME),
        **TIME_IN,
    output:
        temp(DOA + "/parts/timing/N{N}-r{rep}.json"),
    params:
        grid=TIMEDOA.GRID_T,
        code=digest(DOA_TIME),
    resources:
        runtime=30,
    shell:
        "{PYTHON} -m risisac.paper_a.time_doa cell {output} --folder $(dirname {input.record}) --N {wildcards.N} --rep {wildcards.rep}"


rule doa_timing_equal:
    """One group of the time-to-equal-CRB measurement."""
    input:
        code=ancient(DOA_TIME),
        **TIME_IN,
    output:
        temp(DOA + "/parts/timing/equal-g{group}.json"),
    params:
        grid=TIMEDOA.GRID_T,
        code=digest(DOA_TIME),
    resources:
        runtime=30,
    shell:
        "{PYTHON} -m risisac.paper_a.time_doa equal {output} --folder $(dirname {input.record}) --group {wildcards.group}"


rule doa_timing:
    """eval_timing.json: the timing cells and equal-CRB groups, merged."""
    input:
        cells=expand(DOA + "/parts/timing/N{N}-r{rep}.json", N=TIMEDOA.GRID_T["N"], rep=range(TIMEDOA.GRID_T["reps"])),
        equal=DOA + "/parts/timing/equal-g0.json",
    output:
        DOA + "/eval_timing.json",
    resources:
        runtime=5,
    shell:
        "{PYTHON} -m risisac.paper_a.time_doa merge {output} {input.cells} {input.equal}"
