"""No bare ``assert`` in a cell a learner sees: a wrong earlier answer must give a ✅/❌ message
(``checks.compare`` / ``checks.confirm``), never an AssertionError. Hidden cells (tag
``remove-cell``) keep asserting the learning target so CI fails when a model stops learning."""

from __future__ import annotations

import ast
import re

import pytest

from tests.notebook_tools import notebook_paths, read

MAGIC = re.compile(r"^(\s*)[%!].*$", re.MULTILINE)


def parse_cell(source: str) -> ast.Module:
    """Parse a code cell, with IPython magics and shell escapes replaced by `pass`."""
    return ast.parse(MAGIC.sub(lambda m: m.group(1) + "pass", source))


def bare_asserts(source: str) -> list[int]:
    """Line numbers of the assert statements in a cell's code."""
    return [node.lineno for node in ast.walk(parse_cell(source)) if isinstance(node, ast.Assert)]


def visible_cells(notebook: dict):
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code" and "remove-cell" not in cell.get("metadata", {}).get("tags", []):
            source = cell["source"]
            yield index, "".join(source) if isinstance(source, list) else source


def test_the_finder_sees_asserts_and_ignores_magics():
    assert bare_asserts("x = 1\nassert x == 1\nif x:\n    assert x, 'msg'\n") == [2, 4]
    assert bare_asserts("%pip install -q x\nimport sys\nif 'a' in sys.modules:\n    !ls\nprint('assert')\n") == []


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_no_bare_assert_in_a_learner_visible_cell(path):
    found = [f"cell {index}, line {line}" for index, source in visible_cells(read(path))
             for line in bare_asserts(source)]
    assert not found, f"{path.name}: bare assert in {found}; use checks.compare or checks.confirm"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_hidden_target_cell_still_asserts(path):
    hidden = [cell for cell in read(path)["cells"] if "remove-cell" in cell.get("metadata", {}).get("tags", [])]
    assert any(bare_asserts("".join(cell["source"])) for cell in hidden), f"{path.name}: no hidden target assert"
