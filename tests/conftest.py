import os

os.environ.setdefault("RISISAC_PROGRESS", "0")
# the jobs refuse a working tree with uncommitted changes (risisac.book.provenance); tests run
# them on whatever tree they are in, into temporary folders
os.environ.setdefault("RISISAC_ALLOW_DIRTY", "1")
