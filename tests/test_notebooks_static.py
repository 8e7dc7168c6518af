"""Conventions and freshness of every notebook, checked without executing it.

- anatomy (conventions.md): title, Colab badge pointing at its own path, objectives, prerequisites,
  the set-up call, >= 2 exercises with solution markers and checks, takeaways, further reading, a
  hidden target cell tagged ``remove-cell`` that reports and asserts;
- freshness: stored outputs come from the committed code (hash), in order, without errors;
- the book: every notebook is listed in ``_toc.yml``.
"""

from __future__ import annotations

import re

import pytest
import yaml

from scripts import stamp_notebooks as stamp
from tests.notebook_tools import MAX_BUDGET_S, ROOT, code_hash, notebook_paths, read

NOTEBOOKS = notebook_paths()
IDS = [p.stem for p in NOTEBOOKS]


def _text(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def _markdown(notebook: dict) -> str:
    return "\n".join(_text(c) for c in notebook["cells"] if c["cell_type"] == "markdown")


def _code_cells(notebook: dict) -> list[dict]:
    return [c for c in notebook["cells"] if c["cell_type"] == "code"]


def _toc_files() -> set[str]:
    files: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.add(str(node["file"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    return files


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "no notebooks found under notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_file_name_and_folder(path) -> None:
    assert re.fullmatch(r"\d\d_[a-z0-9_]+", path.stem), f"{path.name}: expected NN_snake_case_slug.ipynb"
    assert re.fullmatch(r"\d\d_[a-z0-9_]+", path.parent.name), f"{path.parent.name}: expected NN_part folder"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_anatomy(path) -> None:
    notebook = read(path)
    cells = notebook["cells"]
    first = _text(cells[0])
    number = path.stem[:2]
    relative = path.relative_to(ROOT).as_posix()
    assert re.match(rf"# {number} · \S", first), f"first cell must start with the title '# {number} · ...'"
    assert stamp.colab_links(stamp.repository_url(), relative) in first, (
        "the Colab links are not stamped: run `make stamp`"
    )
    markdown = _markdown(notebook)
    for heading in ("## What you will learn", "## Prerequisites", "## Key takeaways", "## Further reading"):
        assert heading in markdown, f"missing section {heading!r}"
    assert markdown.index("## What you will learn") < markdown.index("## Key takeaways") < markdown.index("## Further reading")
    learn = markdown.split("## What you will learn", 1)[1].split("##", 1)[0]
    assert 3 <= learn.count("\n- ") + learn.startswith("- ") <= 6, "'What you will learn' needs 3-6 bullets"
    reading = markdown.split("## Further reading", 1)[1]
    assert re.search(r"\((19|20)\d\d\)", reading), "further reading must give years"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_setup_cell(path) -> None:
    code = _code_cells(read(path))
    setup = _text(code[0])
    assert "course.setup(" in setup, "the first code cell must call course.setup(...)"
    block = "\n".join(stamp.install_block(stamp.repository_url(), stamp.version(), stamp.colab_packages(read(path))))
    assert block in setup, "the set-up cell must install the pinned helper wheel in Colab only: run `make stamp`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercises_have_solutions_and_checks(path) -> None:
    notebook = read(path)
    solutions = [c for c in _code_cells(notebook) if "### BEGIN SOLUTION" in _text(c)]
    assert 2 <= len(solutions) <= 6, f"expected 2-4 exercises with solutions, found {len(solutions)}"
    for cell in solutions:
        assert "### END SOLUTION" in _text(cell), "a solution block is not closed with ### END SOLUTION"
        assert "hide-input" in cell.get("metadata", {}).get("tags", []), "solution cells are tagged hide-input"
        assert cell["metadata"].get("mystnb", {}).get("code_prompt_show") == "Show solution", (
            "solution cells are labelled 'Show solution' in the book: run scripts/label_solutions.py"
        )
    checks = [c for c in _code_cells(notebook) if re.search(r"\bcheck_\w+\(", _text(c)) and "BEGIN SOLUTION" not in _text(c)]
    assert len(checks) >= len(solutions), "every exercise needs a check cell"
    headings = re.findall(r"^### Exercise \d+", _markdown(notebook), flags=re.M)
    assert len(headings) == len(solutions), "each exercise has a '### Exercise N: ...' prompt"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_explorer_or_animation(path) -> None:
    code = "\n".join(_text(c) for c in _code_cells(read(path)))
    pattern = r"\b\w+\.\w*explorer\(|\bwidgets\.\w+\(|\banimation\.(player|jshtml)\("
    assert re.search(pattern, code), "needs an explorer (a *_explorer call) or an animation (animation.player)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_hidden_target_cell(path) -> None:
    code = _code_cells(read(path))
    hidden = [c for c in code if "remove-cell" in c.get("metadata", {}).get("tags", [])]
    assert hidden, "needs a hidden target cell tagged remove-cell"
    text = _text(hidden[-1])
    assert re.search(rf'course\.report_target\(\s*"{path.stem}"', text), "the target cell reports with course.report_target"
    assert re.search(r"^\s*assert ", text, flags=re.M), "the target cell must assert the learning target"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_outputs_are_fresh_and_in_order(path) -> None:
    notebook = read(path)
    meta = notebook["metadata"].get("course", {})
    assert meta.get("code_sha256") == code_hash(notebook), (
        "stored outputs are stale: the code changed since the notebook was executed; "
        f"run `make execute NB={path.relative_to(ROOT)}`"
    )
    counts = [c.get("execution_count") for c in _code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1)), f"cells were not executed top to bottom once: {counts}"
    for index, cell in enumerate(_code_cells(notebook)):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"code cell {index + 1} stored an error"
            if output["output_type"] == "stream" and output["name"] == "stderr":
                text = "".join(output["text"])
                assert not re.search(r"Traceback|Warning|findfont", text), f"code cell {index + 1} printed a warning: {text[:200]}"
            if output["output_type"] == "stream":
                # a library's own log lines (TensorFlow logs at INFO in a notebook unless quieted)
                text = "".join(output["text"])
                chatter = re.search(r"^(DEBUG|INFO|WARNING):(tensorflow|absl|keras)\b.*", text, flags=re.M)
                assert not chatter, f"code cell {index + 1} printed library logging: {chatter.group(0)[:200]}"
    assert int(meta.get("time_budget_s", 60)) <= MAX_BUDGET_S


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_listed_in_toc(path) -> None:
    assert path.relative_to(ROOT).with_suffix("").as_posix() in _toc_files(), f"{path.name} is not in _toc.yml"


def test_toc_lists_only_existing_files() -> None:
    for entry in _toc_files():
        candidates = [ROOT / f"{entry}{suffix}" for suffix in ("", ".md", ".ipynb")]
        assert any(c.is_file() for c in candidates), f"_toc.yml lists {entry}, which does not exist"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_stored_widget_state(path) -> None:
    # explorers carry their own snapshot (book pages, reopened notebooks); stored widget state only
    # makes the notebook heavier and makes every book page load the widget manager
    assert "widgets" not in read(path)["metadata"], "re-execute with scripts/execute_notebooks.py (no widget state)"
