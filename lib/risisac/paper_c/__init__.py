"""Paper C: Jeon and Chae, RIS-aided ISAC with K Rydberg atomic receivers.

* :mod:`.model`       RAR reception model, atomic physics (ARC), channels, U_com (23)-(24), the
                      Gaussian rate of the linearised channel, the exact receiver
* :mod:`.crb`         Fisher blocks F_1..F_6 (59)-(68), tr(CRB) (34), gradients (App. A)
* :mod:`.fp`          fractional-programming blocks (36)-(47)
* :mod:`.sdp`         the (J_aux, f) SDP (64) as a projection (Newton + cvxpy reference)
* :mod:`.bcd`         Algorithm 1: FP + PHR-ALM + projected-gradient W + MM/ADMM phi
* :mod:`.mm_w`        the paper's MM W step (70)-(85), kept as a reference
* :mod:`.objective`   U_com and tr(CRB) in torch (GD benchmark, CRB-minimising precoder)
* :mod:`.baselines`   Comm-only, BF-only, GD (Sec. V-C) and the scheme driver
* :mod:`.restoration` the baselines' feasibility safety net (never applied to Algorithm 1)
* :mod:`.experiment`, :mod:`.analysis`, :mod:`.train`, :mod:`.spec`  the chapter's experiment
"""
