"""The helper package installs with its sub-packages and its data (what Colab's pip install gets)."""

import re
import subprocess
import sys
import zipfile

from tests.notebook_tools import ROOT


def test_wheel_contains_code_and_data(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(ROOT), "-w", str(tmp_path)],
        check=True, capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("utils/__init__.py", "utils/checks.py", "utils/exercises/__init__.py",
                     "utils/exercises/nb02_neuron.py", "utils/vision/boxes.py", "utils/data/mnist_subset.npz", "utils/data/README.md"):
        assert required in names, f"{required} missing from the wheel"
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "utils").rglob("*.py")}
    assert modules <= names, f"modules missing from the wheel: {sorted(modules - names)}"


def _third_party_imports() -> dict[str, set[str]]:
    """Top-level modules outside the standard library that the helper package imports, by file."""
    import ast

    found: dict[str, set[str]] = {}
    for path in (ROOT / "utils").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top != "utils" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(path.relative_to(ROOT).as_posix())
    return found


# import name -> distribution name, where they differ
DISTRIBUTIONS = {"skimage": "scikit-image", "sklearn": "scikit-learn", "IPython": "ipython",
                 "matplotlib_inline": "matplotlib-inline", "PIL": "pillow"}
# installed by a declared dependency: matplotlib brings PIL, ipywidgets brings IPython and the inline backend,
# Keras brings h5py (its weights format)
PROVIDED = {"PIL": "matplotlib", "IPython": "ipywidgets", "matplotlib_inline": "ipywidgets", "tensorflow": "keras",
            "h5py": "keras"}


def test_every_import_of_the_package_is_a_declared_dependency():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    names = {re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower() for requirement in declared}
    for module, files in _third_party_imports().items():
        distribution = DISTRIBUTIONS.get(module, module).lower()
        assert distribution in names or PROVIDED.get(module, "") in names, (
            f"{module} (imported by {sorted(files)}) is not declared in pyproject.toml"
        )


def test_installing_the_package_upgrades_nothing_colab_ships():
    """Every lower bound of the package is at or below Colab's version of that package."""
    import tomllib

    from packaging.requirements import Requirement

    colab = {}
    for line in (ROOT / "tests" / "colab" / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            colab[name.lower()] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for text in [*project["dependencies"], *project["optional-dependencies"]["course"]]:
        requirement = Requirement(text)
        name = requirement.name.lower()
        assert name in colab, f"{name} is a dependency but tests/colab/constraints.txt does not list Colab's version"
        assert requirement.specifier.contains(colab[name]), (
            f"{text} would change Colab's {name} {colab[name]}"
        )


def test_the_colab_profile_allows_additions_but_no_upgrade_downgrade_or_removal():
    from scripts.test_colab import changed_packages

    before = {"numpy": "2.0.2", "ipywidgets": "7.7.1", "keras": "3.10.0"}
    assert changed_packages(before, {**before, "keras-tuner": "1.4.8"}) == []
    after = {"numpy": "2.0.2", "ipywidgets": "8.1.9"}
    assert changed_packages(before, after) == ["ipywidgets 7.7.1 -> 8.1.9", "keras 3.10.0 -> removed"]
