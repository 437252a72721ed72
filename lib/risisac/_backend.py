"""Minimal numpy/torch dispatch so the channel algebra runs on either."""


def xp_of(*arrays):
    """The array module (``numpy`` or ``torch``) of the first torch tensor, else numpy."""
    for a in arrays:
        if type(a).__module__.startswith("torch"):
            import torch
            return torch
    import numpy
    return numpy


def mT(a):
    """Matrix transpose of the last two axes (numpy >= 2 and torch both have ``.mT``)."""
    return a.mT
