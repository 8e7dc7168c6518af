"""The README keeps a newcomer's two commands, and every command it names exists."""

from __future__ import annotations

import re

from tests.notebook_tools import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
TARGETS = set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), re.M))


def _blocks() -> list[list[str]]:
    return [[line for line in block.splitlines() if line.strip()]
            for block in re.findall(r"```bash\n(.*?)```", README, re.S)]


def test_a_newcomer_gets_exactly_two_commands():
    first = [line.split("#")[0].strip() for line in _blocks()[0]]
    assert first == ["make start", "make test"]


def test_every_make_target_in_the_readme_exists():
    named = set(re.findall(r"`make ([a-z][a-z-]*)", README)) | {
        line.split()[1] for block in _blocks() for line in block if line.startswith("make ")}
    assert named and named <= TARGETS, sorted(named - TARGETS)


def test_learners_and_instructors_sections_cover_colab_and_both_graders():
    learners = README.split("## For learners", 1)[1].split("\n## ", 1)[0]
    assert "Open the exercises in Colab" in learners and "Save a copy in Drive" in learners
    assert "workspace/" in learners and "make start" in learners
    instructors = README.split("## For instructors", 1)[1].split("\n## ", 1)[0]
    for needed in ("make exercises", "branch `exercises`", "make nbgrader", "generate_assignment",
                   "make grade SUBMISSIONS=", "nbgrader autograde", "nbgrader generate_feedback"):
        assert needed in instructors, needed
