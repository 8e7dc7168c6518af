"""Write an nbgrader course folder: every notebook as an assignment, graded by the instructor's checks.

    python scripts/nbgrader_course.py [NB.ipynb ...] [--out _build/nbgrader] [--timeout 60]

Writes ``nbgrader_config.py`` and ``source/<NN_topic>/<NN_topic>.ipynb`` per notebook, with
nbgrader's cell metadata:
- the solution cells (``### BEGIN SOLUTION`` / ``### END SOLUTION``, as the notebooks already
  have them) are nbgrader solution cells;
- each check cell (``ex.check_sigmoid(sigmoid)``) stays as the learner knows it and is followed
  by an autograded test cell worth the exercise's points (``POINTS`` in
  ``utils/exercises/nbNN_*.py``): between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``
  (in the source, not in the release) it grades the answer with the checks imported fresh from
  this repository and ends with the points, which nbgrader takes as (partial) credit; an answer
  that borrows the helper's or a library's implementation gets 0. (A separate cell, because
  nbgrader gives 0 to a test cell with any stderr output, and the learner's own check may show
  some);
- every other cell is locked (read-only; nbgrader restores it if a submission edits it).

Then, in ``--out``: ``nbgrader generate_assignment 04_derivatives``, collect submissions into
``submitted/<student>/04_derivatives/``, ``nbgrader autograde 04_derivatives``,
``nbgrader generate_feedback 04_derivatives``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts.grade import assignment, grading_source  # noqa: E402
from scripts.make_exercise_version import BEGIN, END, stub  # noqa: E402
from tests.notebook_tools import notebook_paths, read, time_budget  # noqa: E402

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
STUB = '# YOUR CODE HERE\nraise NotImplementedError("write your solution here")'

CONFIG = '''"""nbgrader configuration of the course (written by scripts/nbgrader_course.py)."""

c = get_config()  # noqa: F821 - nbgrader provides it
c.CourseDirectory.course_id = "deep-learning-hands-on"
c.CourseDirectory.assignment_id = ""
# the same stub as the course's learner versions
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
# a cell running past this is interrupted and grading carries on with the next one
c.Execute.timeout = {timeout}
c.Execute.interrupt_on_timeout = True
# a busy machine may take a while to answer after an interrupt: wait for it rather than give up
c.Execute.iopub_timeout = 30
'''


def _nbgrader(grade_id: str, *, solution: bool = False, grade: bool = False, locked: bool = False,
              points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def guard_values(source: str) -> str:
    """Wrap a solution block that assigns values (not a function body) so nbgrader's stub cannot stop Run All.

    nbgrader replaces every block by one stub that raises NotImplementedError: right inside a
    function, but at the top level it would stop the notebook. In a ``try`` whose ``except`` sets
    the names to ``...`` (what the learner versions have), the check prints ⏳ instead.
    """
    lines, out, block = source.split("\n"), [], None
    for line in lines:
        stripped, indent = line.strip(), line[: len(line) - len(line.lstrip())]
        if stripped == BEGIN:
            block, start_indent = [line], indent
        elif block is not None:
            block.append(line)
            if stripped == END:
                placeholder = stub([b for b in block[1:-1]], start_indent)
                if any("NotImplementedError" in p for p in placeholder):
                    out.extend(block)
                else:
                    out.append(f"{start_indent}try:")
                    out.extend(f"    {b}" if b.strip() else b for b in block)
                    out.append(f"{start_indent}except NotImplementedError:  # not answered yet")
                    out.extend(f"    {p}" for p in placeholder if not p.strip().startswith("#"))
                block = None
        else:
            out.append(line)
    return "\n".join(out)


def source_notebook(path: Path, root: Path = ROOT) -> nbformat.NotebookNode:
    """The nbgrader source version of one course notebook (solutions kept, hidden grading added)."""
    notebook = nbformat.read(path, as_version=4)
    plan = assignment(path)
    checks = importlib.import_module(plan.module)
    by_call = {f"{exercise.name}": exercise for exercise in plan.exercises}
    cells = []
    for index, cell in enumerate(notebook.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if "remove-cell" in tags:
            continue
        cell = nbformat.from_dict(dict(cell))
        cell.metadata = nbformat.from_dict(dict(cell.metadata))
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        graded = [e for name, e in by_call.items() if cell.cell_type == "code" and f".check_{name}(" in cell.source]
        if cell.cell_type == "code" and BEGIN in cell.source:
            cell.source = guard_values(cell.source)
            cell.metadata["tags"] = [t for t in tags if t not in ("hide-input", "solution")]
            answer = next((e.answer for e in plan.exercises if e.cell_id == cell.get("id")), f"cell{index}")
            cell.metadata["nbgrader"] = _nbgrader(f"answer_{answer}_{index}", solution=True)
        else:
            cell.metadata["nbgrader"] = _nbgrader(f"{cell.cell_type}_{cell.get('id') or index}", locked=True)
        if not cell.metadata.get("tags"):
            cell.metadata.pop("tags", None)
        cells.append(cell)
        if len(graded) > 1:
            raise ValueError(f"{path.name} cell {index}: one check per cell, found {[e.name for e in graded]}")
        for exercise in graded:  # the learner's check stays as it is; the graded test comes after it
            points = float(getattr(checks, "POINTS", {}).get(exercise.name, 1))
            hidden = grading_source(root, plan.module, exercise)
            test = nbformat.v4.new_code_cell(
                f"# Autograded: {points:g} points for `{exercise.answer}`, by the instructor's hidden tests.\n"
                f"{HIDDEN_BEGIN}\n{hidden}\n{HIDDEN_END}")
            test.metadata["nbgrader"] = _nbgrader(f"test_{exercise.name}", grade=True, locked=True, points=points)
            cells.append(test)
    notebook.cells = cells
    notebook.metadata.pop("widgets", None)
    return notebook


def write_course(out: Path, paths: list[Path], timeout: int, root: Path = ROOT) -> list[Path]:
    """Write the course folder: the config and one source assignment per notebook."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "nbgrader_config.py").write_text(CONFIG.format(stub=STUB, timeout=timeout), encoding="utf-8")
    written = []
    for path in paths:
        target = out / "source" / path.stem / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(source_notebook(path, root), target)
        written.append(target)
        print(f"wrote {target.relative_to(out)}")
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "nbgrader")
    parser.add_argument("--timeout", type=int, default=0,
                        help="seconds per cell (default: the slowest notebook's budget)")
    args = parser.parse_args()
    paths = [p.resolve() for p in args.notebooks] or notebook_paths()
    timeout = args.timeout or max(time_budget(read(p)) for p in paths)
    write_course(args.out, paths, timeout)
    print(f"nbgrader course in {args.out}: cd there, then `nbgrader generate_assignment {paths[0].stem}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
