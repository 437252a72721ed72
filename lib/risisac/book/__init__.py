"""The book's machinery, used by every chapter and by no algorithm.

* :mod:`~risisac.book.params`    -- parameter profiles (book/smoke/paper) and validation.
* :mod:`~risisac.book.ledger`    -- the claims ledger each chapter writes, verdict rules.
* :mod:`~risisac.book.stats`     -- repetitions, means and 95 % intervals; interval verdicts.
* :mod:`~risisac.book.plotting`  -- house figure style, data tables.
* :mod:`~risisac.book.timing`    -- timing as ratios measured in one run.
* :mod:`~risisac.book.progress`  -- progress bars.
* :mod:`~risisac.book.rng`       -- seeding from parameters (and the round-off perturbation switch).
* :mod:`~risisac.book.torchutil` -- torch thread / device set-up.
"""
