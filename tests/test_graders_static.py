"""The graders' plumbing without executing anything: which exercises, which learner, which cells.

The end-to-end run of both graders on planted submissions is tests/classroom/test_graders.py.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import nbformat
import pytest

from scripts import grade, nbgrader_course
from scripts.make_exercise_version import exercise_version
from tests.notebook_tools import notebook_paths
from utils.exercises import grading

COURSE = {p.name[:2]: p for p in notebook_paths()}


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_every_exercise_of_the_checks_module_is_graded_from_its_check_cell(path):
    plan = grade.assignment(path)
    module = importlib.import_module(plan.module)
    assert sorted(e.name for e in plan.exercises) == sorted(grading.exercise_names(module))
    for exercise in plan.exercises:
        assert exercise.cell_id and exercise.check_id, exercise
        ast.parse(grade.grading_source(Path("/instructor"), plan.module, exercise, "/tmp/sink"))
        ast.parse(grade.grading_source(Path("/instructor"), plan.module, exercise))


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_nbgrader_source_marks_solutions_locks_the_rest_and_grades_with_the_points(path):
    source = nbgrader_course.source_notebook(path)
    module = importlib.import_module(grade.assignment(path).module)
    meta = [c.metadata.get("nbgrader") for c in source.cells]
    assert all(m and m["schema_version"] == 3 and m["grade_id"] for m in meta)
    assert len({m["grade_id"] for m in meta}) == len(meta), "grade ids must be unique"
    graded = {m["grade_id"].removeprefix("test_"): m["points"] for m in meta if m["grade"]}
    assert graded == {name: grading.exercise_points(module, name) for name in grading.exercise_names(module)}
    for cell, m in zip(source.cells, meta):
        if m["solution"]:
            assert "### BEGIN SOLUTION" in cell.source and not m["locked"] and not m["grade"]
        else:
            assert m["locked"], cell.source[:80]
        if m["grade"]:
            visible, hidden = cell.source.split(nbgrader_course.HIDDEN_BEGIN)
            assert visible.startswith("# Autograded") and nbgrader_course.HIDDEN_END in hidden
            assert "_course_grade()" in hidden and ".check_" in previous.source  # right after the check
        assert cell.cell_type != "code" or not cell.outputs
        previous = cell
    learner = exercise_version(nbformat.read(path, as_version=4))
    assert len(source.cells) == len(learner.cells) + len(graded)


def test_the_notebook_is_recognised_by_title_then_file_name(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 04 · Derivatives\n\ntext")])
    assert grade.identify(notebook, tmp_path / "homework.ipynb", COURSE) == COURSE["04"]
    untitled = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("my notes")])
    assert grade.identify(untitled, tmp_path / "08_loss_functions (1).ipynb", COURSE) == COURSE["08"]
    assert grade.identify(untitled, tmp_path / "notes.ipynb", COURSE) is None


@pytest.mark.parametrize("relative, learner", [
    ("alice/04_derivatives.ipynb", "alice"),
    ("bob.ipynb", "bob"),
    ("submitted/carol/04_derivatives/04_derivatives.ipynb", "submitted"),
    ("carol/04_derivatives/04_derivatives.ipynb", "carol"),
    ("04_derivatives/dave.ipynb", "dave"),
])
def test_the_learner_is_the_first_folder_not_named_after_a_notebook(tmp_path, relative, learner):
    assert grade.learner_name(tmp_path / relative, tmp_path, COURSE) == learner


def test_helper_imports_the_stub_did_not_have_are_flagged():
    path = COURSE["04"]
    plan = grade.assignment(path)
    learner = exercise_version(nbformat.read(path, as_version=4))
    exercise = plan.exercises[0]
    assert grade.static_flags(learner, exercise) == []
    for cell in learner.cells:
        if cell.get("id") == exercise.cell_id:
            cell.source = "from utils.foundations import calculus\n" + cell.source
    assert grade.static_flags(learner, exercise) == [
        "the cell of `central_difference` imports utils.foundations.calculus from the helper package"]


def test_a_folder_that_is_not_a_folder_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.argv", ["grade.py", str(tmp_path / "missing")])
    with pytest.raises(SystemExit):
        grade.main()
    assert "is not a folder" in capsys.readouterr().err


def test_an_unknown_notebook_is_reported_not_graded(tmp_path):
    notes = tmp_path / "alice" / "notes.ipynb"
    notes.parent.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("hello")]), notes)
    result = grade.grade_submission(notes, COURSE, 5, 10)
    assert result["exercises"] == [] and "not a course notebook" in result["notes"][0]


def test_nbgrader_stub_of_a_value_answer_lets_run_all_go_on():
    from nbgrader.preprocessors import ClearSolutions

    source = nbgrader_course.source_notebook(COURSE["02"])
    cell = [c for c in source.cells if c.metadata.nbgrader["solution"] and "boundary_age" in c.source][-1]
    released, _ = ClearSolutions(code_stub={"python": nbgrader_course.STUB}).preprocess_cell(
        nbformat.from_dict(dict(cell)), {"language": "python"}, 0)
    assert "BEGIN SOLUTION" not in released.source and "NotImplementedError" in released.source
    namespace = {"w": 0.1, "b": -3.0}
    exec(compile(released.source, "<released>", "exec"), namespace)  # noqa: S102 - must not raise
    assert namespace["boundary_age"] is Ellipsis
    solved = {"w": 0.1, "b": -3.0}
    exec(compile(cell.source, "<source>", "exec"), solved)  # noqa: S102
    assert solved["boundary_age"] is not Ellipsis


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_nbgrader_release_has_no_solution_and_no_hidden_test(path):
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    from scripts.make_exercise_version import significant, solution_bodies

    source = nbgrader_course.source_notebook(path)
    resources = {"language": "python"}
    released, _ = ClearSolutions(code_stub={"python": nbgrader_course.STUB}).preprocess(source, resources)
    released, _ = ClearHiddenTests().preprocess(released, resources)
    text = "\n".join(c.source for c in released.cells)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "_course_grade" not in text
    squeezed = "".join(text.split())
    notebook = nbformat.read(path, as_version=4)
    learner = "".join("\n".join(c.source for c in exercise_version(notebook).cells).split())
    for _, body in solution_bodies(notebook):
        for line in body:  # what the learner version shows anyway (taught in the lesson) is no leak
            wanted = significant(line)
            assert not wanted or wanted in learner or wanted not in squeezed, line
