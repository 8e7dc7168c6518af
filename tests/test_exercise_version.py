"""The learner version hides every solution, and the checks then say 'not attempted yet'."""

import nbformat
import pytest

from scripts.make_exercise_version import exercise_version, leaks, strip_solutions
from tests.notebook_tools import notebook_paths, read


def test_function_solution_becomes_not_implemented():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    y = x + 1\n    return y\n    ### END SOLUTION\n"
    stripped = strip_solutions(source)
    assert "return y" not in stripped and 'raise NotImplementedError("write your solution here")' in stripped
    assert stripped.startswith("def f(x):\n    # YOUR CODE HERE")


def test_value_solution_becomes_ellipsis():
    source = "### BEGIN SOLUTION\nanswer = 3 * 4\nother = answer + 1\n### END SOLUTION\nprint(answer)"
    assert strip_solutions(source) == "# YOUR CODE HERE\nanswer = ...\nother = ...\nprint(answer)"


def test_unclosed_block_is_an_error():
    with pytest.raises(ValueError, match="not closed"):
        strip_solutions("### BEGIN SOLUTION\nx = 1\n")


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_exercise_version_of_each_notebook(path):
    learner = exercise_version(nbformat.read(path, as_version=4))
    sources = [c.source for c in learner.cells]
    assert not any("BEGIN SOLUTION" in s for s in sources)
    assert not any("report_target" in s for s in sources)
    assert all(not c.get("outputs") for c in learner.cells if c.cell_type == "code")
    assert len(learner.cells) == len(read(path)["cells"]) - 1


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_no_solution_leaks_into_the_learner_version(path):
    """No solution line reappears (exactly or nearly) in the learner version after its exercise."""
    assert leaks(nbformat.read(path, as_version=4)) == []


def _notebook(*sources: str) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(s) if not s.startswith("md:") else nbformat.v4.new_markdown_cell(s[3:])
                      for s in sources]
    return notebook


def test_leak_detector_finds_a_solution_repeated_in_a_later_cell_or_prose():
    exercise = ("def f(precision):\n    ### BEGIN SOLUTION\n"
                "    best = np.maximum.accumulate(np.asarray(precision, dtype=float)[::-1])[::-1]\n"
                "    return best\n    ### END SOLUTION")
    assert leaks(_notebook(exercise, "best = np.maximum.accumulate(precision[::-1])[::-1]  # figure"))
    assert leaks(_notebook("### BEGIN SOLUTION\nage = -b / w * 100\n### END SOLUTION", "md:The age is `-b / w * 100`."))
    assert not leaks(_notebook(exercise, "print(f(np.array([1.0, 0.5])))"))
    # a line the lesson taught before the exercise is not a leak
    taught = "total = np.maximum.accumulate(values)"
    assert not leaks(_notebook(taught, f"### BEGIN SOLUTION\n{taught}\n### END SOLUTION", taught))
