"""Write learner versions of notebooks: solutions replaced by stubs, outputs cleared, hidden cells dropped.

    python scripts/make_exercise_version.py                   # every notebook -> _build/exercises/
    python scripts/make_exercise_version.py NB.ipynb --out DIR

In a solution block (between ``### BEGIN SOLUTION`` and ``### END SOLUTION``), code that returns
becomes ``raise NotImplementedError``; top-level assignments become ``name = ...``. The checks
recognise both as "not attempted yet". Instructors grade with the same checks
(``utils.exercises.<topic>.evaluate_*`` return a Result with ``passed``).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.notebook_tools import notebook_paths  # noqa: E402

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def stub(block: list[str], indent: str) -> list[str]:
    """The learner's placeholder for one solution block."""
    if any(line.strip().startswith(("return", "yield")) for line in block):
        return [f"{indent}# YOUR CODE HERE", f'{indent}raise NotImplementedError("write your solution here")']
    names = []
    for line in block:
        match = re.match(rf"^{re.escape(indent)}([A-Za-z_]\w*)\s*=(?!=)", line)
        if match and match.group(1) not in names:
            names.append(match.group(1))
    if not names:
        return [f"{indent}# YOUR CODE HERE", f'{indent}raise NotImplementedError("write your solution here")']
    return [f"{indent}# YOUR CODE HERE"] + [f"{indent}{name} = ..." for name in names]


def strip_solutions(source: str) -> str:
    """Replace every solution block in a cell's source by its stub."""
    lines, out, block, indent = source.split("\n"), [], None, ""
    for line in lines:
        if line.strip() == BEGIN:
            block, indent = [], line[: len(line) - len(line.lstrip())]
        elif line.strip() == END and block is not None:
            out.extend(stub(block, indent))
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    if block is not None:
        raise ValueError(f"a solution block is not closed with {END!r}")
    return "\n".join(out)


def exercise_version(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the notebook for learners."""
    cells = []
    for cell in notebook.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "remove-cell" in tags:
            continue
        cell = nbformat.from_dict(dict(cell))
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source)
            cell.outputs, cell.execution_count = [], None
            if "solution" in tags:
                cell.metadata["tags"] = [t for t in tags if t not in ("hide-input", "solution")]
        cells.append(cell)
    result = nbformat.from_dict(dict(notebook))
    result.cells = cells
    result.metadata.pop("widgets", None)
    return result


def solution_bodies(notebook: nbformat.NotebookNode) -> list[tuple[int, list[str]]]:
    """(cell index, lines) of every solution block in the notebook."""
    bodies = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        block = None
        for line in cell.source.split("\n"):
            if line.strip() == BEGIN:
                block = []
            elif line.strip() == END and block is not None:
                bodies.append((index, block))
                block = None
            elif block is not None:
                block.append(line)
    return bodies


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def significant(line: str) -> str:
    """A solution line without blanks and a leading return, or "" when too short to give anything away."""
    text = line.strip()
    if text.startswith("#"):
        return ""
    text = _squeeze(re.sub(r"^return\s+", "", text))
    return text if len(text) >= 12 else ""


def leaks(notebook: nbformat.NotebookNode, cutoff: float = 0.8) -> list[str]:
    """Solution lines that a learner version still shows after its exercise (exactly or nearly)."""
    from difflib import SequenceMatcher

    learner = exercise_version(notebook)
    ids = [cell.get("id") for cell in learner.cells]
    found = []
    for index, body in solution_bodies(notebook):
        start = ids.index(notebook.cells[index].get("id")) + 1 if notebook.cells[index].get("id") in ids else 0
        later = [_squeeze(re.sub(r"\s#\s.*$", "", line)) for cell in learner.cells[start:] for line in cell.source.split("\n")]
        taught = _squeeze("\n".join(cell.source for cell in learner.cells[: max(start - 1, 0)]))
        for line in body:
            value = re.sub(r"^\s*[A-Za-z_][\w, ]*=(?!=)", "", line)  # the formula without its name
            candidates = [significant(line)] + ([_squeeze(value)] if value != line and len(_squeeze(value)) >= 8 else [])
            wanted = next((c for c in candidates if c and c not in taught), "")
            if not wanted:  # too short, or shown before the exercise: part of the lesson
                continue
            for shown in later:
                if any(c and c in shown for c in candidates) or (
                    abs(len(shown) - len(wanted)) < len(wanted) and SequenceMatcher(None, wanted, shown).ratio() >= cutoff
                ):
                    found.append(f"cell {index}: {line.strip()!r} appears later as {shown!r}")
                    break
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "exercises")
    args = parser.parse_args()
    for path in [p.resolve() for p in args.notebooks] or notebook_paths():
        target = args.out / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(exercise_version(nbformat.read(path, as_version=4)), target)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
