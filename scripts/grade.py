"""Grade collected notebooks with the instructor's checks: a gradebook CSV and a feedback file per learner.

    python scripts/grade.py SUBMISSIONS/ [--out _build/grades] [--cell-timeout 60] [--notebook-timeout 600]

Every ``*.ipynb`` under SUBMISSIONS (any layout) is one submission. The learner is the first folder
below SUBMISSIONS that is not named after a notebook (``alice/04_derivatives.ipynb``,
``submitted/alice/04_derivatives/...``), else the file's stem (``alice.ipynb``); the notebook is
recognised by its title (``# 04 · ...``) or its file name.

Each submission runs in its own kernel, in a scratch folder, cell by cell with a time limit per
cell and per notebook; a failing cell does not stop the others. Then, in that same kernel, every
exercise is graded by the instructor's checks, imported fresh (the package is removed from
``sys.modules`` and loaded again from this repository, and its file checked): nothing the
submission printed, defined or patched is trusted. The objects passed to each check are the ones
the instructor's check cell names (``ex.check_sigmoid(sigmoid)`` grades ``sigmoid``). An answer
that is, or calls, the helper's or a library's implementation gets 0 points and a flag. Submissions
are only read, never written.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import re
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts.make_exercise_version import BEGIN, exercise_version  # noqa: E402
from tests.notebook_tools import notebook_paths  # noqa: E402

TITLE = re.compile(r"^#\s*(\d{2})\s*·", re.M)


@dataclass(frozen=True)
class Exercise:
    """One graded exercise of a course notebook, as its instructor's check cell calls it."""

    name: str  # the check's name without check_, e.g. "sigmoid"
    arguments: str  # the check cell's arguments, as source: "sigmoid" or "boundary_age, w, b"
    answer: str  # the name the learner defines: the first argument
    cell_id: str | None  # id of the instructor's solution cell
    stub_imports: frozenset = frozenset()  # helper-package imports the learner's stub cell has
    check_id: str | None = None  # id of the instructor's check cell: the grader runs its own instead


@dataclass
class Assignment:
    """What grading one course notebook needs: its checks module and its exercises."""

    path: Path
    module: str
    exercises: list[Exercise] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return self.path.stem


def _utils_imports(source: str) -> set[str]:
    """Helper-package names a piece of code imports (``utils.vision.boxes``, ``utils.vision.boxes.iou``)."""
    try:
        tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    except SyntaxError:
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "utils":
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "utils")
    return found


def assignment(path: Path) -> Assignment:
    """Parse an instructor's notebook: its checks module and every ``ex.check_*(...)`` call."""
    notebook = nbformat.read(path, as_version=4)
    learner = {cell.get("id"): cell for cell in exercise_version(notebook).cells}
    module, alias = None, None
    exercises, solution = [], None
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if BEGIN in cell.source:
            solution = cell
        for node in ast.walk(ast.parse("\n".join(l for l in cell.source.splitlines() if not l.lstrip().startswith(("%", "!"))))):
            if isinstance(node, ast.ImportFrom) and node.module == "utils.exercises":
                for name in node.names:
                    if name.name.startswith("nb"):
                        module, alias = f"utils.exercises.{name.name}", name.asname or name.name
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr.startswith("check_") and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == alias and node.args):
                stub = learner.get(solution.get("id")) if solution is not None else None
                exercises.append(Exercise(
                    name=node.func.attr.removeprefix("check_"),
                    arguments=", ".join(ast.unparse(a) for a in node.args),
                    answer=ast.unparse(node.args[0]),
                    cell_id=solution.get("id") if solution is not None else None,
                    stub_imports=frozenset(_utils_imports(stub.source) if stub is not None else ()),
                    check_id=cell.get("id"),
                ))
    if module is None:
        raise ValueError(f"{path.name} imports no checks module (from utils.exercises import nbNN_... as ex)")
    return Assignment(path, module, exercises)


def identify(notebook: nbformat.NotebookNode, path: Path, course: dict[str, Path]) -> Path | None:
    """The course notebook a submission is: by its title's number, else by its file name's."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = TITLE.search(cell.source)
            if match and match.group(1) in course:
                return course[match.group(1)]
            break
    match = re.match(r"(\d{2})[_\- ]", path.name)
    return course.get(match.group(1)) if match else None


def learner_name(path: Path, root: Path, course: dict[str, Path]) -> str:
    """The learner a submission belongs to: its first folder not named after a notebook, else its stem."""
    names = {p.stem for p in course.values()} | {p.stem.split("_", 1)[0] for p in course.values()}
    for part in path.relative_to(root).parts[:-1]:
        if part not in names and not re.fullmatch(r"\d{2}(_.*)?", part):
            return part
    return path.stem


def grading_source(root: Path, module: str, exercise: Exercise, sink: str | None = None) -> str:
    """Code that grades one exercise inside the learner's kernel with the instructor's checks, imported fresh.

    With ``sink`` it appends the outcome as one JSON line to that file; without, it prints the
    message and flags and ends with the points (what nbgrader reads as partial credit).
    """
    report = (f"    with builtins.open({sink!r}, 'a', encoding='utf-8') as handle:\n"
              "        handle.write(json.dumps(outcome) + '\\n')\n"
              "    return None\n") if sink else (
              "    builtins.print(f\"Graded with the instructor's checks ({outcome['points']:g} / \"\n"
              "          f\"{outcome['max_points']:g} points): {outcome['message']}\")\n"
              "    for flag in outcome['flags']:\n"
              "        builtins.print('Flag:', flag)\n"
              "    return builtins.float(outcome['points'])\n")
    return (
        f"def _course_grade():\n"
        f"    import builtins, contextlib, importlib, io, json, os, sys\n"
        f"    root = os.path.realpath({str(root)!r})\n"
        f"    for name in [m for m in sys.modules if m == 'utils' or m.startswith('utils.')]:\n"
        f"        del sys.modules[name]\n"
        f"    if sys.path[:1] != [root]:\n"
        f"        sys.path.insert(0, root)\n"
        f"    importlib.invalidate_caches()\n"
        f"    checks = importlib.import_module({module!r})\n"
        f"    grading = importlib.import_module('utils.exercises.grading')\n"
        f"    for loaded in (checks, grading, sys.modules['utils.checks']):\n"
        f"        if not os.path.realpath(loaded.__file__).startswith(os.path.join(root, 'utils', '')):\n"
        f"            raise ImportError(f'not the instructor\\'s checks: {{loaded.__file__}}')\n"
        f"    try:\n"
        f"        arguments = ({exercise.arguments},)\n"
        f"    except NameError as error:\n"
        f"        outcome = {{'exercise': {exercise.name!r}, 'points': 0.0,\n"
        f"                   'max_points': grading.exercise_points(checks, {exercise.name!r}),\n"
        f"                   'passed': False, 'flags': [],\n"
        f"                   'message': f'❌ {{error}}: define it and run its cell before you submit.'}}\n"
        f"    else:  # what the answer writes to stderr must not cost points (nbgrader: any stderr is 0)\n"
        f"        with contextlib.redirect_stderr(io.StringIO()):\n"
        f"            outcome = grading.grade(checks, {exercise.name!r}, *arguments)\n"
        f"{report}"
        f"_course_grade()"
    )


def _defining_cell(notebook: nbformat.NotebookNode, exercise: Exercise) -> nbformat.NotebookNode | None:
    """The submission's cell holding the answer: the instructor's cell id, else the last cell defining it."""
    by_id = [c for c in notebook.cells if c.cell_type == "code" and exercise.cell_id and c.get("id") == exercise.cell_id]
    if by_id:
        return by_id[0]
    pattern = re.compile(rf"^(def\s+{re.escape(exercise.answer)}\b|{re.escape(exercise.answer)}\s*=(?!=)|from .* import .*\b{re.escape(exercise.answer)}\b)", re.M)
    defining = [c for c in notebook.cells if c.cell_type == "code" and pattern.search(c.source)]
    return defining[-1] if defining else None


def static_flags(notebook: nbformat.NotebookNode, exercise: Exercise) -> list[str]:
    """Helper-package imports in the answer's cell that its stub did not have."""
    cell = _defining_cell(notebook, exercise)
    if cell is None:
        return []
    extra = sorted(_utils_imports(cell.source) - set(exercise.stub_imports))
    return [f"the cell of `{exercise.answer}` imports {name} from the helper package" for name in extra]


def _text(outputs: list) -> str:
    return "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")


def execute(notebook: nbformat.NotebookNode, work: Path, cell_timeout: int, notebook_timeout: int,
            grading_cells: list[str], skip: frozenset = frozenset()) -> tuple[list[str], dict[int, str]]:
    """Run a submission's code cells, then the grading cells, in one kernel.

    Returns what went wrong in the submission's cells, and why a grading cell (by position)
    failed. Cells whose id is in ``skip`` (the check cells, which the grading cells replace) are
    not run.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    notes: list[str] = []
    failures: dict[int, str] = {}
    start = len(notebook.cells)
    notebook.cells.extend(nbformat.v4.new_code_cell(code) for code in grading_cells)
    client = NotebookClient(notebook, timeout=cell_timeout, kernel_name="python3", allow_errors=True,
                            interrupt_on_timeout=True, record_timing=False,
                            resources={"metadata": {"path": str(work)}})
    deadline = time.monotonic() + notebook_timeout
    out_of_time = False
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code" or (index < start and cell.get("id") in skip):
                continue
            learner = index < start
            left = deadline - time.monotonic()
            if learner and left <= 1:
                if not out_of_time:
                    notes.append(f"the notebook's time limit ({notebook_timeout} s) was reached before cell {index}; "
                                 "the rest of it did not run")
                out_of_time = True
                continue
            client.timeout = max(1, int(min(cell_timeout, left))) if learner else cell_timeout
            began = time.monotonic()
            try:
                client.execute_cell(cell, index)
            except DeadKernelError:
                notes.append(f"cell {index} stopped the kernel; nothing after it ran")
                break
            except CellTimeoutError:
                notes.append(f"cell {index} ran past its time limit and could not be interrupted")
                break
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            if errors and learner:
                reason = ("ran past its time limit and was interrupted"
                          if time.monotonic() - began >= client.timeout - 0.5 else f"raised {errors[0].get('ename')}")
                notes.append(f"cell {index} {reason}")
            elif errors:
                failures[index - start] = ("ran past the time limit of a cell (an endless loop?)"
                                           if errors[0].get("ename") == "KeyboardInterrupt"
                                           else f"failed: {errors[0].get('ename')}: {errors[0].get('evalue')}")
    return notes, failures


def grade_submission(path: Path, course: dict[str, Path], cell_timeout: int, notebook_timeout: int,
                     root: Path = ROOT) -> dict:
    """Grade one submission: ``{"notebook", "exercises": [outcome, ...], "notes"}``."""
    notebook = nbformat.reads(path.read_bytes().decode("utf-8"), as_version=4)
    target = identify(notebook, path, course)
    if target is None:
        return {"notebook": None, "exercises": [], "notes": [f"{path.name} is not a course notebook (title # NN · ...)"]}
    plan = assignment(target)
    with tempfile.TemporaryDirectory(prefix="grade-") as scratch:
        sink = Path(scratch) / f"grades-{uuid.uuid4().hex}.jsonl"  # a name the submission cannot know
        work = Path(scratch) / "run"
        work.mkdir()
        cells = [grading_source(root, plan.module, exercise, str(sink)) for exercise in plan.exercises]
        static = {e.name: static_flags(notebook, e) for e in plan.exercises}
        skip = frozenset(e.check_id for e in plan.exercises if e.check_id)
        notes, failures = execute(notebook, work, cell_timeout, notebook_timeout, cells, skip)
        lines = sink.read_text(encoding="utf-8").splitlines() if sink.exists() else []
    found = {}
    for line in lines:
        outcome = json.loads(line)
        found[outcome["exercise"]] = outcome
    from utils.exercises import grading
    import importlib

    checks = importlib.import_module(plan.module)
    outcomes = []
    for position, exercise in enumerate(plan.exercises):
        why = failures.get(position, "did not run: the kernel stopped before it (see the notes)")
        outcome = found.get(exercise.name) or {
            "exercise": exercise.name, "points": 0.0, "max_points": grading.exercise_points(checks, exercise.name),
            "passed": False, "flags": [], "message": f"❌ the check of {exercise.answer} {why}"}
        if static[exercise.name]:
            outcome = {**outcome, "points": 0.0, "passed": False, "flags": outcome["flags"] + static[exercise.name]}
        outcomes.append(outcome)
    return {"notebook": target.stem, "exercises": outcomes, "notes": notes}


def feedback(learner: str, graded: list[tuple[Path, dict]]) -> str:
    """A learner's feedback in markdown: points, the check's hint and any flag, per exercise."""
    lines = [f"# Feedback for {learner}", ""]
    for path, result in graded:
        got = sum(o["points"] for o in result["exercises"])
        most = sum(o["max_points"] for o in result["exercises"])
        lines += [f"## {result['notebook'] or path.name}: {got:g} / {most:g} points", ""]
        for outcome in result["exercises"]:
            lines.append(f"- **{outcome['exercise']}**: {outcome['points']:g} / {outcome['max_points']:g}. "
                         f"{outcome['message']}")
            lines += [f"  - ⚠️ {flag}: 0 points." for flag in outcome["flags"]]
        lines += [f"- Note: {note}." for note in result["notes"]]
        lines.append("")
    return "\n".join(lines)


def submissions(folder: Path) -> list[Path]:
    """Every notebook under ``folder``, checkpoints excluded, in a stable order."""
    return sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def grade_all(folder: Path, out: Path, cell_timeout: int = 60, notebook_timeout: int = 600,
              root: Path = ROOT, workers: int = 1) -> dict[str, dict[str, float]]:
    """Grade every submission under ``folder``; write gradebook.csv and feedback/<learner>.md to ``out``."""
    from concurrent.futures import ProcessPoolExecutor

    course = {p.name[:2]: p for p in notebook_paths()}
    per_learner: dict[str, list[tuple[Path, dict]]] = {}
    paths = submissions(folder)
    began = time.monotonic()
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:  # one kernel per submission
        futures = [pool.submit(grade_submission, path, course, cell_timeout, notebook_timeout, root) for path in paths]
        for path, future in zip(paths, futures):
            learner = learner_name(path, folder, course)
            result = future.result()
            per_learner.setdefault(learner, []).append((path, result))
            got = sum(o["points"] for o in result["exercises"])
            print(f"graded {learner}: {path.relative_to(folder)} -> {got:g} points "
                  f"({time.monotonic() - began:.0f} s since the start)")
    table: dict[str, dict[str, float]] = {}
    columns: list[str] = []
    for learner, graded in sorted(per_learner.items()):
        row = {}
        for _, result in graded:
            for outcome in result["exercises"]:
                column = f"{result['notebook'][:2]}:{outcome['exercise']}"
                row[column] = max(row.get(column, 0.0), outcome["points"])  # a resubmission: the best one
                if column not in columns:
                    columns.append(column)
        row["total"] = sum(row.values())
        table[learner] = row
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    with (out / "gradebook.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner"] + columns + ["total"])
        for learner, row in table.items():
            writer.writerow([learner] + [f"{row.get(c, 0.0):g}" for c in columns] + [f"{row['total']:g}"])
    for learner, graded in per_learner.items():
        (out / "feedback" / f"{learner}.md").write_text(feedback(learner, graded), encoding="utf-8")
    print(f"wrote {out / 'gradebook.csv'} and {len(per_learner)} feedback files in {out / 'feedback'}")
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", type=Path, help="folder of collected notebooks (any layout)")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "grades")
    parser.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell (default 60)")
    parser.add_argument("--notebook-timeout", type=int, default=600, help="seconds per notebook (default 600)")
    parser.add_argument("--workers", type=int, default=1, help="submissions graded at once (default 1)")
    args = parser.parse_args()
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder")
    grade_all(args.submissions.resolve(), args.out, args.cell_timeout, args.notebook_timeout, workers=args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
