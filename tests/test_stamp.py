"""One repository URL and one version drive every Colab link and the pinned install line."""

import nbformat
import pytest

from scripts import stamp_notebooks as stamp
from tests.notebook_tools import ROOT

REPO = "https://github.com/someone/fork-of-course"


def _notebook(setup: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 02 · A neuron\n\nSummary."), nbformat.v4.new_code_cell(setup)]
    return nb


OLD_SETUP = (
    "import sys\n"
    'if "google.colab" in sys.modules:\n'
    '    %pip install -q "deep-learning-course-utils @ git+https://github.com/x/y"\n'
    "\n"
    "from utils import course\n"
)


def test_version_and_repository_are_read_from_their_one_place():
    assert stamp.version() == __import__("utils").__version__
    assert stamp.repository_url().startswith("https://github.com/")


def test_a_fork_is_stamped_with_its_own_address_and_version():
    nb = _notebook(OLD_SETUP)
    assert stamp.stamp(nb, "notebooks/01_foundations/02_neuron.ipynb", REPO, "1.2.3") is True
    first, setup = nb.cells[0].source, nb.cells[1].source
    assert first.startswith("# 02 · A neuron\n\n[![Open In Colab]")
    assert "/github/someone/fork-of-course/blob/main/notebooks/01_foundations/02_neuron.ipynb" in first
    assert "/github/someone/fork-of-course/blob/exercises/notebooks/01_foundations/02_neuron.ipynb" in first
    assert "git+" not in setup and "from utils import course" in setup
    code = setup.replace('"\n             "', "")  # the wheel URL is split over two lines
    assert f"{REPO}/releases/download/v1.2.3/deep_learning_course_utils-1.2.3-py3-none-any.whl" in code
    assert all(len(line) <= 88 for line in setup.splitlines())
    # stamping is idempotent, and a new version changes only the install lines
    assert stamp.stamp(nb, "notebooks/01_foundations/02_neuron.ipynb", REPO, "1.2.3") is False
    assert stamp.stamp(nb, "notebooks/01_foundations/02_neuron.ipynb", REPO, "1.2.4") is True
    assert nb.cells[0].source == first


def test_packages_colab_lacks_are_installed_by_the_same_line_pinned():
    nb = _notebook(OLD_SETUP)
    nb.metadata["course"] = {"colab_packages": ["keras-tuner==1.4.8"]}
    stamp.stamp(nb, "notebooks/02_training/17_tuning.ipynb", REPO, "1.0.0")
    assert "    %pip install -q {wheel} keras-tuner==1.4.8" in nb.cells[1].source
    with pytest.raises(ValueError, match="pinned"):
        stamp.install_block(REPO, "1.0.0", ["keras-tuner>=1.4"])


def test_a_setup_cell_without_the_colab_guard_is_an_error():
    with pytest.raises(ValueError, match="exactly one line"):
        stamp.stamp_setup_cell("import sys\n", stamp.install_block(REPO, "1.0.0"))


def test_a_bad_repository_url_is_an_error(tmp_path):
    (tmp_path / "_config.yml").write_text("repository:\n  url: git@github.com:x/y.git\n")
    with pytest.raises(ValueError, match="repository.url"):
        stamp.repository_url(tmp_path)


def test_every_notebook_is_stamped():
    assert stamp.main.__module__ == "scripts.stamp_notebooks"
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "scripts/stamp_notebooks.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, "notebooks not stamped (run `make stamp`):\n" + result.stdout
