"""Paper C: Jeon and Chae, RIS-aided ISAC with K Rydberg atomic receivers.

* :mod:`.model`     RAR reception model, atomic physics, channels, U_com (23)-(24), CRB
* :mod:`.bcd`       Algorithm 1: FP + ALM + MM + ADMM block coordinate descent (36)-(66)
* :mod:`.objective` U_com and tr(CRB) in torch (GD benchmark, CRB-minimising precoder)
* :mod:`.baselines` Comm-only, BF-only, GD (Sec. V-C)
"""
