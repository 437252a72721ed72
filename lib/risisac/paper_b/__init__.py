"""Paper B: Qi et al., deep learning-based design of uplink ISAC.

* :mod:`.model`     uplink model, sensing MI, MMSE beams, problem (28), exact solver
* :mod:`.isacnn`    ISACNN and the FC-NN baseline (Sec. IV)
* :mod:`.baselines` Traditional (AO+SCA), Average, ZFBF (Sec. V)
"""
