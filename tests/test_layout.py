"""The helper package keeps the course's layout, and CONTRIBUTING.md's map of it stays true."""

from __future__ import annotations

import ast
import re

import pytest

from tests.notebook_tools import ROOT, notebook_paths, read

UTILS = ROOT / "utils"
CORE = {"__init__", "animation", "checks", "course", "datasets", "plots", "widgets"}
PARTS = {"foundations": range(1, 7), "training": range(7, 20), "vision": range(20, 30),
         "sequences": range(30, 39), "attention": range(39, 42), "production": range(42, 46),
         "toolbox": range(46, 52)}


def _imports(source: str) -> set[str]:
    """Modules of the helper package that a piece of code imports, as dotted names under utils."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("utils"):
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("utils"))
    return found


def _notebook_imports(path) -> set[str]:
    code = "\n".join("".join(c["source"]) for c in read(path)["cells"] if c["cell_type"] == "code")
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    return _imports(code)


def test_only_the_core_sits_at_the_top():
    top = {p.stem for p in UTILS.glob("*.py")}
    assert top == CORE, f"topic modules belong in a part sub-package, not at the top: {sorted(top - CORE)}"
    folders = {p.name for p in UTILS.iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert folders <= set(PARTS) | {"data", "exercises"}, f"unknown sub-packages: {sorted(folders - set(PARTS))}"
    for folder in folders - {"data"}:
        assert (UTILS / folder / "__init__.py").exists(), f"utils/{folder} needs an __init__.py"


def test_the_core_never_imports_a_topic_module():
    for name in CORE:
        imported = _imports((UTILS / f"{name}.py").read_text())
        topical = {m for m in imported if m.split(".")[1] in PARTS}
        assert not topical, f"utils/{name}.py imports topic modules {sorted(topical)}"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_each_notebook_has_its_exercise_module_and_imports_topics_from_earlier_parts(path):
    number = int(path.stem[:2])
    checks = sorted((UTILS / "exercises").glob(f"nb{number:02d}_*.py"))
    assert len(checks) == 1, f"notebook {number:02d} needs exactly one utils/exercises/nb{number:02d}_<topic>.py"
    imported = _notebook_imports(path)
    assert f"utils.exercises.{checks[0].stem}" in imported, f"the notebook must import {checks[0].stem}"
    for module in imported:
        part = module.split(".")[1]
        if part in PARTS:
            assert PARTS[part].start <= number, f"{module}: a notebook may use its own or earlier parts only"


def test_contributing_maps_every_notebook_to_the_modules_it_imports():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    rows = {int(m.group(1)): m.group(0) for m in re.finditer(r"^\| (\d\d) [^|]+\|[^\n]+$", text, flags=re.M)}
    for path in notebook_paths():
        number = int(path.stem[:2])
        assert number in rows, f"CONTRIBUTING.md's module map has no row for notebook {number:02d}"
        listed = set(re.findall(r"`((?:foundations|training|vision|sequences|attention|production|toolbox|"
                                r"exercises)\.\w+)`", rows[number]))
        used = {m.removeprefix("utils.") for m in _notebook_imports(path)
                if m.split(".")[1] in set(PARTS) | {"exercises"}}
        assert listed == used, f"notebook {number:02d}: CONTRIBUTING.md lists {sorted(listed)}, it imports {sorted(used)}"
