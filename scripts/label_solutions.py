"""Give every solution cell the book label "Show solution" (cell metadata only; code and outputs untouched).

    python scripts/label_solutions.py            # all notebooks
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.notebook_tools import notebook_paths  # noqa: E402

LABELS = {"code_prompt_show": "Show solution", "code_prompt_hide": "Hide solution"}


def label(path: Path) -> bool:
    """Add the labels where missing; True when the notebook changed."""
    notebook = nbformat.read(path, as_version=4)
    changed = False
    for cell in notebook.cells:
        if "solution" in cell.get("metadata", {}).get("tags", []) and cell.metadata.get("mystnb") != LABELS:
            cell.metadata["mystnb"] = dict(LABELS)
            changed = True
    if changed:
        nbformat.write(notebook, path)
    return changed


if __name__ == "__main__":
    for notebook_path in [Path(p).resolve() for p in sys.argv[1:]] or notebook_paths():
        if label(notebook_path):
            print(f"labelled {notebook_path.relative_to(ROOT)}")
