"""Fetch MathJax 3 from the npm registry into _build/ so the book renders math with no network.

    python scripts/fetch_mathjax.py        # once; `make book` runs it (a no-op when present)

The book's pages load ``_static/mathjax/tex-mml-chtml.js``; the Sphinx extension in
``book/_ext/course_book.py`` copies this folder there. Only the browser-side ``es5`` build is
kept (the combined TeX component, the TeX extensions it loads on demand, the CHTML fonts, the
menu and accessibility modules).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MATHJAX_VERSION = "3.2.2"
# html_static_path entry: its content lands in the built book's _static/
STATIC_DIR = ROOT / "_build" / f"mathjax-{MATHJAX_VERSION}"
MATHJAX_DIR = STATIC_DIR / "mathjax"
ENTRY_POINT = "tex-mml-chtml.js"
# es5/ also holds other combined components (SVG output, MathML only, ...) the book never loads
KEEP_TOP_LEVEL = {ENTRY_POINT, "a11y", "adaptors", "input", "output", "sre", "ui"}


def is_present(folder: Path = MATHJAX_DIR) -> bool:
    """True when the MathJax entry point and its fonts are in ``folder``."""
    fonts = folder / "output" / "chtml" / "fonts" / "woff-v2"
    return (folder / ENTRY_POINT).is_file() and fonts.is_dir() and any(fonts.iterdir())


def fetch(folder: Path = MATHJAX_DIR, version: str = MATHJAX_VERSION) -> Path:
    """Download the npm package ``mathjax@version`` and unpack its ``es5`` build into ``folder``."""
    if is_present(folder):
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to fetch MathJax for the book (install Node.js/npm)")
    with tempfile.TemporaryDirectory() as scratch:
        packed = subprocess.run(
            [npm, "pack", f"mathjax@{version}", "--silent", "--pack-destination", scratch],
            capture_output=True, text=True, check=False,
        )
        if packed.returncode != 0:
            raise RuntimeError(f"npm pack mathjax@{version} failed:\n{packed.stderr.strip()}")
        tarball = Path(scratch) / f"mathjax-{version}.tgz"
        unpacked = Path(scratch) / "unpacked"
        with tarfile.open(tarball) as archive:
            archive.extractall(unpacked, filter="data")
        es5 = unpacked / "package" / "es5"
        staging = folder.with_name(folder.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for item in es5.iterdir():
            if item.name in KEEP_TOP_LEVEL:
                copy = shutil.copytree if item.is_dir() else shutil.copy2
                copy(item, staging / item.name)
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    if not is_present(folder):
        raise RuntimeError(f"mathjax@{version} unpacked, but {ENTRY_POINT} or its fonts are missing")
    return folder


if __name__ == "__main__":
    try:
        print(f"MathJax {MATHJAX_VERSION} in {fetch().relative_to(ROOT)}")
    except RuntimeError as error:
        sys.exit(str(error))
