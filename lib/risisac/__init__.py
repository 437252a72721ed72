"""risisac: the shared library of the RIS-ISAC companion book.

The package mirrors the book. Top level: the *shared models* that two or more
chapters use, one concept per module. Below it, one package per paper and one
for the book's machinery::

    risisac/
      arrays.py      ULA/UPA steering vectors, RIS two-way cascaded channel    (Shared models)
      channels.py    path loss, Rayleigh/Rician fading, geometry
      estimation.py  Slepian-Bangs FIM, Schur complement, two-angle CRB
      detection.py   MVDR filter, radar SINR (Woodbury), Pd/Pfa
      comms.py       PSK, constructive interference, SER, rates, water-filling
      optim.py       projections (unit modulus, constant modulus)
      spec.py        the Shared-models chapter's parameters and profiles (as paper_x/spec)
      paper_a/       Paper A (Jiang et al., IEEE TCOM 2025): model (1)-(21), unfolding (Alg. 1),
                     detection_net (21)-(35), admm_mm + admm_mm_liu (ref. [25]), crb (39)-(42),
                     doa_net (Alg. 2), train_*/eval_* (jobs)
      paper_b/       Paper B (Qi et al.): model (1)-(32) + exact solver of (28), isacnn (Sec. IV),
                     baselines (Sec. V), analysis, data, train (job)
      paper_c/       Paper C (Jeon & Chae): model (RAR reception, (11)-(24)), bcd (Alg. 1,
                     (36)-(66)), objective (torch U_com and CRB), baselines (Sec. V-C)
      book/          machinery: params (profiles), ledger + claims (verdicts), stats,
                     plotting (house style), timing, progress, rng, torchutil

Naming rule inside every paper package: ``model`` (the paper's system model),
one module per algorithm (named after it), ``baselines`` (the comparison schemes),
``spec`` (the chapter's parameters and profiles). A paper package imports the
shared models and :mod:`risisac.book`, never another paper's package.
"""

__version__ = "0.2.0"
