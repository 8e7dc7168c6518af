"""Re-execute notebooks in place so that their stored outputs match their code.

    python scripts/execute_notebooks.py                      # every notebook under notebooks/
    python scripts/execute_notebooks.py notebooks/01_foundations/02_neuron.ipynb

Each notebook runs top to bottom in a fresh kernel of this environment, from its own folder,
without widget state (an explorer carries its own snapshot for pages and reopened notebooks). The hash of its code cells and the measured seconds are written to
``metadata.course`` so the tests can tell when stored outputs have gone stale.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import ipykernel.kernelspec
import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.notebook_tools import code_hash, notebook_paths  # noqa: E402

CURRENT_ENV = "course-current-env"


class CurrentEnvironmentKernels(KernelSpecManager):
    """Always start the kernel with this environment's Python, whatever kernels are installed."""

    def get_kernel_spec(self, kernel_name: str):  # noqa: ANN201 - jupyter_client's own type
        return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict())


def execute(path: Path, timeout: int) -> float:
    """Execute one notebook in place; return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name=CURRENT_ENV,
        kernel_manager_class="jupyter_client.manager.KernelManager",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,  # explorers show their own snapshot without a kernel
        record_timing=False,
    )
    start = time.perf_counter()
    client.km = client.create_kernel_manager()
    client.km.kernel_spec_manager = CurrentEnvironmentKernels()
    client.execute()
    seconds = time.perf_counter() - start
    notebook.metadata.pop("widgets", None)  # left over from an execution that stored it
    meta = notebook.metadata.setdefault("course", {})
    meta["code_sha256"] = code_hash(notebook)
    meta["execution_seconds"] = round(seconds, 1)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(notebook, path)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    # the font cache of this environment (as the Makefile sets it): one written by another
    # environment lacks the bundled math fonts, and every figure would print findfont warnings
    os.environ.setdefault("MPLCONFIGDIR", str(Path(sys.prefix) / "matplotlib"))
    paths = [p.resolve() for p in args.notebooks] or notebook_paths()
    failed = 0
    for path in paths:
        try:
            seconds = execute(path, args.timeout)
            print(f"{seconds:6.1f} s  {path.relative_to(ROOT)}")
        except Exception as error:  # noqa: BLE001 - report every failing notebook, then exit non-zero
            failed += 1
            print(f"FAILED   {path.relative_to(ROOT)}: {type(error).__name__}: {str(error)[-2000:]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
