"""Both graders end to end on planted submissions of notebook 04: real nbgrader, then scripts/grade.py.

nbgrader: `make nbgrader`'s course folder, `generate_assignment` (hidden tests and solutions gone
from the release), `autograde` and `generate_feedback`; the points come from nbgrader's gradebook
database. scripts/grade.py must give every planted learner the same points, write the gradebook CSV
and the feedback files, and leave every submission byte for byte as it was.

One test (a few minutes: each of the 7 submissions runs twice, plus one time limit each) so that
xdist never runs the expensive part twice.
"""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from scripts import grade, nbgrader_course
from tests.classroom.planted import ASSIGNMENT, EXERCISES, EXPECTED, plant
from tests.notebook_tools import NOTEBOOKS

NOTEBOOK = NOTEBOOKS / "01_foundations" / f"{ASSIGNMENT}.ipynb"
CELL_TIMEOUT = 30  # the set-up cell (TensorFlow's import) needs ~10 s on a busy 2-core machine


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                          text=True, timeout=1200)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _nbgrader_points(course: Path) -> dict[str, tuple[float, ...]]:
    from nbgrader.api import Gradebook

    points = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for learner in EXPECTED:
            notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, learner)
            scores = {g.name: float(g.score) for g in notebook.grades}
            points[learner] = tuple(scores[f"test_{name}"] for name in EXERCISES)
    return points


def test_nbgrader_and_grade_py_give_the_planted_submissions_the_same_points(tmp_path):
    course = tmp_path / "course"
    nbgrader_course.write_course(course, [NOTEBOOK], timeout=CELL_TIMEOUT)
    source = (course / "source" / ASSIGNMENT / NOTEBOOK.name).read_text()
    assert source.count("### BEGIN HIDDEN TESTS") == len(EXERCISES) and "### BEGIN SOLUTION" in source

    began = time.monotonic()
    _nbgrader(course, "generate_assignment", ASSIGNMENT)
    release = course / "release" / ASSIGNMENT / NOTEBOOK.name
    released = nbformat.read(release, as_version=4)
    text = release.read_text()
    assert "HIDDEN TESTS" not in text and "_course_grade" not in text and "BEGIN SOLUTION" not in text
    assert "return (f(x + h) - f(x - h)) / (2 * h)" not in text
    graded = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert [c.metadata.nbgrader.points for c in graded] == [2.0, 2.0, 2.0]
    assert all(c.metadata.nbgrader.locked for c in released.cells if not c.metadata.nbgrader.solution)

    submitted = course / "submitted"
    plant(release, submitted)
    before = _hashes(submitted)
    _nbgrader(course, "autograde", ASSIGNMENT)
    _nbgrader(course, "generate_feedback", ASSIGNMENT)
    nbgrader_seconds = time.monotonic() - began
    for learner in EXPECTED:
        assert (course / "feedback" / learner / ASSIGNMENT / f"{ASSIGNMENT}.html").exists(), learner
    assert _nbgrader_points(course) == EXPECTED, "nbgrader's points"
    assert _hashes(submitted) == before, "nbgrader changed a submission"

    began = time.monotonic()
    out = tmp_path / "grades"
    table = grade.grade_all(submitted, out, cell_timeout=CELL_TIMEOUT, notebook_timeout=600, workers=2)
    grade_seconds = time.monotonic() - began
    assert _hashes(submitted) == before, "scripts/grade.py changed a submission"
    ours = {learner: tuple(row[f"04:{name}"] for name in EXERCISES) for learner, row in table.items()}
    assert ours == EXPECTED, "scripts/grade.py's points"
    with (out / "gradebook.csv").open() as handle:
        rows = {row["learner"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(EXPECTED)
    assert all(float(rows[name]["total"]) == sum(points) for name, points in EXPECTED.items())
    borrowed = (out / "feedback" / "borrows.md").read_text()
    assert borrowed.count("⚠️") >= len(EXERCISES) and "not a function written in the notebook" in borrowed
    assert "⚠️" not in (out / "feedback" / "correct.md").read_text()
    assert "time limit" in (out / "feedback" / "loops.md").read_text()
    assert "ZeroDivisionError" in (out / "feedback" / "raises.md").read_text()
    print(f"nbgrader: {nbgrader_seconds:.0f} s, scripts/grade.py: {grade_seconds:.0f} s")


def test_grade_py_time_limits_per_cell_and_per_notebook(tmp_path):
    cells = [nbformat.v4.new_markdown_cell("# 04 · Derivatives"),
             nbformat.v4.new_code_cell("import time\ntime.sleep(60)"),
             nbformat.v4.new_code_cell("def central_difference(f, x, h):\n    return (f(x + h) - f(x - h)) / (2 * h)"),
             nbformat.v4.new_code_cell("while True:\n    pass"),
             nbformat.v4.new_code_cell("def gradient(x, y):\n    return 0")]
    path = tmp_path / "alice" / "homework.ipynb"
    path.parent.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    began = time.monotonic()
    result = grade.grade_submission(path, {"04": NOTEBOOK}, cell_timeout=3, notebook_timeout=5)
    assert time.monotonic() - began < 45
    points = {o["exercise"]: o["points"] for o in result["exercises"]}
    assert points == {"central_difference": 2.0, "gradient": 0.0, "loss_slope": 0.0}
    assert result["notes"][0] == "cell 1 ran past its time limit and was interrupted"
    assert any("time limit (5 s) was reached" in note or "cell 3 ran past" in note for note in result["notes"][1:])
