import os

os.environ.setdefault("RISISAC_PROGRESS", "0")
