# Paper C: the sweeps of every figure point over the channel realisations (one job).
from risisac.paper_c.spec import SPEC as CSPEC, rp as CRP

C_PROFILE = config.get("paperC_profile", "book")
C_TRAIN = code("paper_c/train.py", "paper_c/experiment.py", "paper_c/bcd.py", "paper_c/baselines.py",
               "paper_c/model.py", "paper_c/objective.py", "paper_c/crb.py", "paper_c/fp.py", "paper_c/mm_w.py",
               "paper_c/restoration.py", "paper_c/sdp.py", "book/provenance.py")


rule paperC_sweeps:
    input:
        code=ancient(C_TRAIN),
    output:
        sweeps="models/paperC_rydberg/sweeps.json",
        record="models/paperC_rydberg/record.json",
    params:
        profile=C_PROFILE,
        parameters=CRP.resolve(CSPEC, None, profile=C_PROFILE).as_dict(),
        code=digest(C_TRAIN),
    resources:
        runtime=240,
        mem_mb=4000,
    shell:
        "{PYTHON} -m risisac.paper_c.train {params.profile} $(dirname {output.record})"
