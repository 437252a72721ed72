"""Paper B: Qi et al., deep learning-based design of uplink ISAC.

* :mod:`.model`     uplink model, sensing MI, MMSE beams, problem (28), exact solver
* :mod:`.isacnn`    ISACNN and the FC-NN baseline (Sec. IV)
* :mod:`.baselines` Traditional (AO+SCA), Average, ZFBF (Sec. V)
* :mod:`.analysis`  the chapter's sweeps and summaries; :mod:`.spec` its parameters
* :mod:`.data`      the seeded draws shared by the chapter and the training job
* :mod:`.train`     the training job (``make train CHAPTER=paperB_uplink``): every network, 5 retrainings
"""
