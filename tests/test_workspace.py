"""The learner's workspace: generated on first use, a learner's edit survives a second run and a course update."""

import json
import shutil

import nbformat

from scripts.workspace import MANIFEST, fresh_copy, sync
from tests.notebook_tools import notebook_paths


def _course(tmp_path):
    """A copy of two course notebooks that the test can 'update'."""
    sources = []
    for path in notebook_paths()[:2]:
        target = tmp_path / "course" / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
        sources.append(target)
    return sources


def _edit(path, text):
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(text))
    nbformat.write(notebook, path)


def test_first_run_adds_learner_versions_without_solutions(tmp_path):
    sources = _course(tmp_path)
    report = sync(tmp_path / "ws", sources)
    assert len(report["added"]) == 2
    written = (tmp_path / "ws" / sources[0].parent.name / sources[0].name).read_text()
    assert "BEGIN SOLUTION" not in written and "raise NotImplementedError" in written
    assert len(json.loads((tmp_path / "ws" / MANIFEST).read_text())) == 2


def test_second_run_and_course_update_never_overwrite_an_edited_notebook(tmp_path):
    sources = _course(tmp_path)
    workspace = tmp_path / "ws"
    sync(workspace, sources)
    mine = workspace / sources[0].parent.name / sources[0].name
    untouched = workspace / sources[1].parent.name / sources[1].name
    _edit(mine, "my_answer = 42")
    edited = mine.read_bytes()
    assert sync(workspace, sources)["kept"] == [f"{sources[0].parent.name}/{sources[0].name}"]  # second run
    assert mine.read_bytes() == edited
    for source in sources:  # a course update changes both notebooks
        notebook = nbformat.read(source, as_version=4)
        notebook.cells[0].source += "\n\nUpdated."
        nbformat.write(notebook, source)
    report = sync(workspace, sources)
    assert mine.read_bytes() == edited and report["newer"] == [f"{sources[0].parent.name}/{sources[0].name}"]
    assert "Updated." in untouched.read_text() and report["updated"]  # the untouched copy follows the course
    # a new notebook in the course is added; a deleted one comes back fresh
    untouched.unlink()
    assert sync(workspace, sources)["added"] == [f"{sources[1].parent.name}/{sources[1].name}"]


def test_fresh_copy_keeps_the_learners_version(tmp_path):
    workspace = tmp_path / "ws"
    sync(workspace, notebook_paths()[:1])
    first = notebook_paths()[0]
    mine = workspace / first.parent.name / first.name
    _edit(mine, "my_answer = 42")
    target, kept = fresh_copy(workspace, first.stem)
    assert "my_answer = 42" in kept.read_text() and "my_answer = 42" not in target.read_text()
