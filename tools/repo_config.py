"""Write a copy of _config.yml whose launch buttons point to another repository.

Usage: python tools/repo_config.py URL OUT   (``make html REPO_URL=URL`` calls it)
URL must be ``https://github.com/<owner>/<repo>`` (Binder builds from a public repository).
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(url: str, out: str) -> None:
    if not re.fullmatch(r"https://(github\.com|gitlab\.com)/[\w.-]+/[\w.-]+/?", url):
        sys.exit(f"REPO_URL = {url!r} is invalid: expected https://github.com/<owner>/<repo>")
    text = (ROOT / "_config.yml").read_text()
    new, n = re.subn(r"(?m)^(repository:\s*\n\s+url:\s*).*$", lambda m: m.group(1) + url.rstrip("/"), text)
    if n != 1:
        sys.exit("_config.yml: no repository.url to replace")
    path = ROOT / out
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new)
    print(f"launch buttons -> {url}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
