"""Stamp every notebook with the course's address and version: Colab links and the pinned install.

    python scripts/stamp_notebooks.py            # rewrite what is out of date
    python scripts/stamp_notebooks.py --check    # exit 1 if a notebook is not stamped

Two values drive every link and install line, each written once:
- the repository, ``repository.url`` in ``_config.yml`` (a fork changes it there);
- the helper package's version, ``__version__`` in ``utils/__init__.py``.

Each notebook's first cell gets an "Open in Colab" badge (the complete lesson, branch ``main``)
and an "Open the exercises in Colab" link (the learner version, branch ``exercises``). Its set-up
cell installs, in Colab only, the wheel of exactly that version from the repository's GitHub
release ``v<version>`` (built and attached by ``.github/workflows/release.yml``): no build, no
clone, nothing Colab ships upgraded. A notebook that needs a package Colab lacks lists it, pinned,
in its metadata ``course.colab_packages`` (e.g. ``["keras-tuner==1.4.8"]``); the same line installs it.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.notebook_tools import notebook_paths  # noqa: E402

PACKAGE = "deep_learning_course_utils"
COLAB = "https://colab.research.google.com"
BADGE_IMAGE = f"{COLAB}/assets/colab-badge.svg"
COLAB_GUARD = 'if "google.colab" in sys.modules:'
EXERCISES_BRANCH = "exercises"


def repository_url(root: Path = ROOT) -> str:
    """The repository's address, as ``_config.yml`` gives it (no trailing slash)."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    url = str(config["repository"]["url"]).rstrip("/")
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise ValueError(f"_config.yml repository.url must be https://github.com/OWNER/NAME, got {url!r}")
    return url


def version(root: Path = ROOT) -> str:
    """The helper package's version, read from ``utils/__init__.py`` without importing it."""
    text = (root / "utils" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "(\d+\.\d+\.\d+)"$', text, flags=re.M)
    if not match:
        raise ValueError("utils/__init__.py must define __version__ = \"X.Y.Z\"")
    return match.group(1)


def wheel_name(ver: str) -> str:
    """File name of the helper package's wheel for a version."""
    return f"{PACKAGE}-{ver}-py3-none-any.whl"


def wheel_url(repo: str, ver: str) -> str:
    """Where the release workflow publishes the wheel of a version."""
    return f"{repo}/releases/download/v{ver}/{wheel_name(ver)}"


def colab_links(repo: str, relative: str) -> str:
    """The markdown line with the lesson's Colab badge and the exercises' Colab link."""
    path = repo.removeprefix("https://github.com/")
    lesson = f"{COLAB}/github/{path}/blob/main/{relative}"
    exercises = f"{COLAB}/github/{path}/blob/{EXERCISES_BRANCH}/{relative}"
    return f"[![Open In Colab]({BADGE_IMAGE})]({lesson}) · [Open the exercises in Colab]({exercises})"


def install_block(repo: str, ver: str, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The set-up cell's Colab-only lines: install the pinned wheel of the helper package, and the
    pinned packages this notebook needs that Colab lacks (``metadata.course.colab_packages``)."""
    for requirement in extra:
        if not re.fullmatch(r"[A-Za-z0-9][\w.-]*==[\w.]+", requirement):
            raise ValueError(f"colab_packages must be pinned as name==version, got {requirement!r}")
    url = wheel_url(repo, ver)
    head, tail = url.split(f"/v{ver}/")
    return [
        f"{COLAB_GUARD}  # helpers and data, pinned to this notebook",
        f'    wheel = ("{head}/"',
        f'             "v{ver}/{tail}")',
        "    %pip install -q " + " ".join(["{wheel}", *extra]),
    ]


def colab_packages(notebook: dict) -> list[str]:
    """The packages (name==version) a notebook installs in Colab besides the helper wheel."""
    return list(notebook["metadata"].get("course", {}).get("colab_packages", []))


def stamp_first_cell(source: str, links: str) -> str:
    """Replace the Colab link line of a notebook's first cell (or add it under the title)."""
    lines = source.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("[![Open In Colab]"):
            lines[index] = links
            return "\n".join(lines)
    if not lines or not lines[0].startswith("# "):
        raise ValueError("the first cell must start with the notebook's '# NN · Title'")
    return "\n".join([lines[0], "", links, *lines[1:]])


def stamp_setup_cell(source: str, block: list[str]) -> str:
    """Replace the Colab-only install lines of the set-up cell with ``block``."""
    lines = source.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith(COLAB_GUARD)]
    if len(starts) != 1:
        raise ValueError(f"the set-up cell must have exactly one line starting {COLAB_GUARD!r}")
    start = end = starts[0]
    while end + 1 < len(lines) and lines[end + 1].startswith("    "):
        end += 1
    return "\n".join(lines[:start] + block + lines[end + 1:])


def stamp(notebook: nbformat.NotebookNode, relative: str, repo: str, ver: str) -> bool:
    """Stamp one notebook in memory; True when anything changed."""
    first = notebook.cells[0]
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    new_first = stamp_first_cell(first.source, colab_links(repo, relative))
    new_setup = stamp_setup_cell(setup.source, install_block(repo, ver, colab_packages(notebook)))
    changed = (new_first, new_setup) != (first.source, setup.source)
    first.source, setup.source = new_first, new_setup
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to stamp (default: all)")
    parser.add_argument("--check", action="store_true", help="only report notebooks that are out of date")
    args = parser.parse_args()
    repo, ver = repository_url(), version()
    stale = []
    for path in [p.resolve() for p in args.notebooks] or notebook_paths():
        relative = path.relative_to(ROOT).as_posix()
        notebook = nbformat.read(path, as_version=4)
        if stamp(notebook, relative, repo, ver):
            stale.append(relative)
            if not args.check:
                nbformat.write(notebook, path)
    verb = "not stamped for" if args.check else "stamped with"
    for relative in stale:
        print(f"{relative}: {verb} {repo} v{ver}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
