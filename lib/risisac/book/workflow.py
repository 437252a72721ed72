"""The book's heavy artefacts as the Snakemake workflow declares them (``workflow/Snakefile``).

:func:`profiles` lists every profile a chapter's job knows (taken from the job modules), and
:func:`targets` the files under ``models/`` that a chapter's profile consists of: the targets of
``make train CHAPTER=<c> PROFILE=<p>`` (``tools/train.py``) and, for the stored profiles
(:data:`STORED`), of the workflow's default rule ``all``.
"""

from __future__ import annotations

#: the chapters with a heavy job
CHAPTERS = ("paperA_detection", "paperA_doa", "paperB_uplink", "paperC_rydberg")
#: the profiles whose artefacts are committed under models/ (the rule ``all``)
STORED = {"paperA_detection": ("book", "paper"), "paperA_doa": ("book", "mid", "midtau", "paper", "papertau"),
          "paperB_uplink": ("book",), "paperC_rydberg": ("book",)}
#: profiles whose network files are not committed (the verdicts rest on their stored evaluations; their training record
#: and evaluation are, and the evaluation records the networks' hashes): the rule ``all`` leaves
#: the networks out and no rule remakes the record or the evaluation unless asked with
#: ``--config rebuild=<profile>`` (which ``make train CHAPTER=<c> PROFILE=<profile>`` passes)
NETS_NOT_STORED = {"paperA_doa": ("mid", "midtau", "papertau")}
#: profiles that write the book's own file names (run them into another folder, or they replace the book's)
SAME_FILES = {"paperA_doa": ("smoke",), "paperC_rydberg": ("smoke", "paper")}


def profiles(chapter: str) -> list[str]:
    """Every profile the chapter's job knows."""
    if chapter == "paperA_detection":
        from ..paper_a.train_detection import PROFILES
        return list(PROFILES)
    if chapter == "paperA_doa":
        from ..paper_a.train_doa import PROFILES
        return list(PROFILES)
    if chapter == "paperB_uplink":
        from ..paper_b.spec import SPEC
        return list(SPEC.profiles)
    if chapter == "paperC_rydberg":
        from ..paper_c.spec import SPEC
        return list(SPEC.profiles)
    raise ValueError(f"chapter {chapter!r} has no heavy job; chapters with one: {', '.join(CHAPTERS)}")


def doa_net_files(profile: str) -> list[str]:
    from ..paper_a import train_doa as td
    prefix = td.files(profile)[0]
    return [f"models/paperA_doa/{prefix}{n}.pt" for n in td.net_names(profile)]


def detection_net_files(profile: str) -> list[str]:
    from ..paper_a.train_detection import PROFILES
    return [f"models/paperA_detection/{profile}_seed{s}.pt" for s in PROFILES[profile]["seeds"]]


def paperB_files(profile: str) -> list[str]:
    from ..paper_b import spec
    n = spec.resolve(None, profile=profile).n_seeds
    return [f"models/paperB_uplink/{profile}_rep{r}.pt" for r in range(n)] + [f"models/paperB_uplink/{profile}_record.json"]


def targets(chapter: str, profile: str) -> list[str]:
    """The artefacts (paths relative to the book's root) of ``chapter``'s ``profile``."""
    if profile not in profiles(chapter):
        raise ValueError(f"profile = {profile!r} is invalid for {chapter}: allowed values are "
                         + ", ".join(map(repr, profiles(chapter))))
    if chapter == "paperA_detection":
        d = "models/paperA_detection"
        evals = {"book": ["eval_baselines", "eval_baselines-liu", "eval_nets"],
                 "paper": ["eval_paper-net", "eval_timing"]}.get(profile, [])
        return detection_net_files(profile) + [f"{d}/{profile}_record.json"] + [f"{d}/{e}.json" for e in evals]
    if chapter == "paperA_doa":
        from ..paper_a import train_doa as td
        d = "models/paperA_doa"
        evals = {"book": ["eval_fig8", "eval_fig9", "eval_conv"], "smoke": [], "mid": ["eval_mid"],
                 "midtau": ["eval_midtau"], "paper": ["eval_paper", "eval_timing"],
                 "papertau": ["eval_papertau"]}[profile]
        return doa_net_files(profile) + [f"{d}/{td.files(profile)[1]}"] + [f"{d}/{e}.json" for e in evals]
    if chapter == "paperB_uplink":
        return paperB_files(profile)
    return ["models/paperC_rydberg/sweeps.json", "models/paperC_rydberg/record.json"]


def net_files(chapter: str, profile: str) -> list[str]:
    """The network files among :func:`targets` (those :data:`NETS_NOT_STORED` leaves out)."""
    return doa_net_files(profile) if chapter == "paperA_doa" else []


def stored() -> list[str]:
    """Every committed artefact of the stored profiles (the rule ``all``): their targets, less the
    network files of the profiles in :data:`NETS_NOT_STORED`."""
    return [f for c, ps in STORED.items() for p in ps for f in targets(c, p)
            if p not in NETS_NOT_STORED.get(c, ()) or f not in net_files(c, p)]
