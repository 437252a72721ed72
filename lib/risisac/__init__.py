"""risisac: the shared library of the RIS-ISAC companion book.

One module per concept:

* :mod:`risisac.arrays`      -- ULA/UPA steering vectors, the RIS two-way cascaded channel.
* :mod:`risisac.channels`    -- path loss, Rayleigh/Rician fading, geometry.
* :mod:`risisac.estimation`  -- Slepian-Bangs FIM, Schur complement, two-angle CRB.
* :mod:`risisac.detection`   -- MVDR space-time filter, radar SINR (Woodbury), Pd/Pfa.
* :mod:`risisac.comms`       -- PSK, constructive-interference QoS, SER, rates, water-filling.
* :mod:`risisac.optim`       -- projections (unit modulus, constant modulus).
* :mod:`risisac.params`      -- chapter parameter profiles and validation.
* :mod:`risisac.ledger`      -- the claims ledger written by every chapter.
* :mod:`risisac.plotting`    -- house plotting style and data tables.
* :mod:`risisac.timing`      -- timing as ratios measured in one run.
* :mod:`risisac.progress`    -- progress bars.
* :mod:`risisac.rng`         -- seeding from parameters.
* :mod:`risisac.torchutil`   -- torch device / thread set-up.
"""

__version__ = "0.1.0"
