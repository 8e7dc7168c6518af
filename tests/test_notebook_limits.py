"""Limits every notebook file keeps, checked without executing it.

- code the book shows whole: no code line wider than 88 characters (conventions.md);
- a size budget: at most 1.5 MB per notebook file, stored outputs included, so the repository and
  every re-execution stay small as the course grows.
"""

from __future__ import annotations

import pytest

from tests.notebook_tools import notebook_paths, read

MAX_CODE_LINE = 88
MAX_NOTEBOOK_BYTES = 1_500_000
NOTEBOOKS = notebook_paths()
IDS = [p.stem for p in NOTEBOOKS]


def _source(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def wide_lines(notebook: dict, limit: int = MAX_CODE_LINE) -> list[str]:
    """``cell N, line M (W chars): text`` for every code line wider than ``limit``."""
    found = []
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    for number, cell in enumerate(code_cells, start=1):
        for line_number, line in enumerate(_source(cell).split("\n"), start=1):
            if len(line) > limit:
                found.append(f"code cell {number}, line {line_number} ({len(line)} chars): {line}")
    return found


def test_wide_lines_finds_a_wide_line() -> None:
    notebook = {"cells": [{"cell_type": "markdown", "source": "x" * 100},
                          {"cell_type": "code", "source": ["ok = 1\n", "y = " + "1 + " * 30 + "1"]}]}
    assert [line.split(":")[0] for line in wide_lines(notebook)] == ["code cell 1, line 2 (125 chars)"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_code_lines_fit_the_page(path) -> None:
    wide = wide_lines(read(path))
    assert not wide, f"{len(wide)} code lines wider than {MAX_CODE_LINE} characters:\n" + "\n".join(wide)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_size_budget(path) -> None:
    size = path.stat().st_size
    assert size <= MAX_NOTEBOOK_BYTES, (
        f"{path.name} is {size / 1e6:.2f} MB, over the {MAX_NOTEBOOK_BYTES / 1e6:.1f} MB budget: "
        "shrink its figures (dpi, JPEG for photos), animations and long outputs")
