# Paper B: every network of a profile (one job: the repetitions share nothing but the code, yet
# the record carries the hashes of all repetition files).
from risisac.paper_b import spec as BSPEC
from risisac.paper_b import train as BTRAIN

B_TRAIN = code("paper_b/train.py", "paper_b/isacnn.py", "paper_b/model.py", "paper_b/data.py", "book/rng.py",
               "book/provenance.py")

for _prof in BSPEC.SPEC.profiles:

    rule:
        name:
            f"paperB_networks_{_prof}"
        input:
            code=ancient(B_TRAIN),
        output:
            W.paperB_files(_prof),
        params:
            profile=_prof,
            config=BTRAIN.train_config(BSPEC.resolve(None, profile=_prof)),
            code=digest(B_TRAIN),
        resources:
            runtime=600 if _prof == "paper" else 90,
            mem_mb=4000,
        shell:
            "{PYTHON} -m risisac.paper_b.train {params.profile} $(dirname {output[0]})"
