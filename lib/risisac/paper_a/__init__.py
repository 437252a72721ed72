"""Paper A: Jiang et al., joint waveform and beamforming design in RIS-ISAC systems: a
model-driven learning approach (IEEE Trans. Commun. 73(8), 2025, DOI 10.1109/TCOMM.2025.3535869).

* :mod:`.model`         system model, SLP waveform, radar SINR, CI constraints, eqs. (1)-(21)
* :mod:`.unfolding`     the unfolded ADMM-ALM/PHR-ALM-DFP network (Sec. III, Algorithm 1)
* :mod:`.detection_net` the detection problem (21) as an unfolded network, scheme runner
* :mod:`.admm_mm`       our first-order ADMM-MM variant (after ref. [25])
* :mod:`.admm_mm_liu`   Liu et al.'s ADMM-MM (ref. [25]): MM surrogates, convex steps (cvxpy or exact, batched)
* :mod:`.train_detection`, :mod:`.eval_detection`  the detection chapter's training and evaluation jobs;
  :mod:`.spec_detection` its parameters; :mod:`.bench` the engine benchmark
* :mod:`.crb`           DoA CRB (39)-(42), App. A (56)-(58), and its gradients
* :mod:`.doa_net`       the DoA network (Sec. IV, Algorithm 2), its runner and the feasibility policy
* :mod:`.unsupervised`  the DoA chapter's unsupervised baseline (Sec. V-B, after ref. [34])
* :mod:`.train_doa`, :mod:`.eval_doa`, :mod:`.time_doa`  the DoA training, evaluation and timing
  (Table II) jobs (``make train CHAPTER=paperA_doa``); :mod:`.spec_doa` its chapter's parameters
"""
