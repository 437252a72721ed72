"""Exit 0 when the running Python already has every pin of requirements.txt (and risisac).

Used by the Makefile: on Binder (or any environment set up from environment.yml)
``make run`` / ``make html`` use that environment instead of building ``.venv``.
Usage: python tools/envcheck.py [-v]
"""
import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pins() -> dict[str, str]:
    out = {}
    for ln in (ROOT / "requirements.txt").read_text().splitlines():
        m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s#]+)", ln)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def missing() -> list[str]:
    bad = []
    for name, want in pins().items():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            bad.append(f"{name} (not installed, want {want})")
            continue
        if have.split("+")[0] != want:        # 2.13.0+cpu is the CPU wheel of 2.13.0
            bad.append(f"{name} {have} (want {want})")
    try:
        import risisac  # noqa: F401
    except ImportError:
        bad.append("risisac (not installed: pip install --no-deps -e .)")
    return bad


if __name__ == "__main__":
    bad = missing()
    if "-v" in sys.argv:
        print("\n".join(bad) if bad else "current environment has every pin")
    sys.exit(1 if bad else 0)
