"""Run every notebook as Colab runs it: Colab's package versions, the pinned wheel, an empty folder.

    python scripts/test_colab.py                 # every notebook
    python scripts/test_colab.py notebooks/01_foundations/02_neuron.ipynb

1. A virtual environment (``.venv-colab/``, Python ``COLAB_PYTHON``, default ``python3.12``)
   holds exactly the versions in ``tests/colab/constraints.txt``, the one place Colab's versions
   are written. It is rebuilt only when that file changes.
2. The helper package is built as a wheel and served over HTTP on 127.0.0.1 at the same path the
   GitHub release has (``/OWNER/NAME/releases/download/vX.Y.Z/...whl``).
3. Each notebook runs in its own empty folder, its set-up cell pointed at that server instead
   of github.com (the only change), in a kernel of the Colab environment in which
   ``google.colab`` is imported, as in Colab: the set-up cell takes its Colab branch and runs its
   ``%pip install`` of the wheel. The first notebook starts without the helper package, so its
   set-up cell really installs it; the install step alone is also timed, twice.
4. After every notebook, every package Colab ships must keep its version: installing the helper
   package (and any pinned package a notebook needs that Colab lacks) upgrades, downgrades and
   removes nothing Colab ships.

Writes ``reports/colab.json`` (seconds, install seconds and target results per notebook) and exits
non-zero if any notebook fails, changes Colab's packages, or its target reports nothing.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import functools
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts import stamp_notebooks as stamp  # noqa: E402
from tests.notebook_tools import notebook_paths  # noqa: E402

CONSTRAINTS = ROOT / "tests" / "colab" / "constraints.txt"
VENV = Path(os.environ.get("COLAB_VENV", ROOT / ".venv-colab"))
BUILD = ROOT / "_build" / "colab"
DISTRIBUTION = "deep-learning-course-utils"
COLAB_STARTUP = "import sys, types\nsys.modules.setdefault('google.colab', types.ModuleType('google.colab'))\n"


def colab_packages() -> list[str]:
    """The requirement lines of the constraints file (``name==version``)."""
    lines = [line.split("#", 1)[0].strip() for line in CONSTRAINTS.read_text().splitlines()]
    return [line for line in lines if line]


def venv_python() -> Path:
    return VENV / "bin" / "python"


def colab_python() -> str:
    """A Python of Colab's minor version: ``COLAB_PYTHON``, else python3.12 on PATH or in pyenv."""
    wanted = os.environ.get("COLAB_PYTHON")
    candidates = [wanted] if wanted else ["python3.12", *sorted(
        str(p) for p in Path.home().glob(".pyenv/versions/3.12*/bin/python3.12"))]
    for candidate in candidates:
        try:
            if subprocess.run([candidate, "--version"], capture_output=True).returncode == 0:
                return candidate
        except OSError:
            continue
    raise SystemExit(f"no Python for the Colab profile: tried {candidates}; set COLAB_PYTHON")


def ensure_environment() -> None:
    """Create the Colab environment, or reuse it when it was built from the same constraints."""
    digest = hashlib.sha256(CONSTRAINTS.read_bytes()).hexdigest()
    marker = VENV / ".constraints-sha256"
    if marker.exists() and marker.read_text() == digest:
        return
    if not venv_python().exists():
        subprocess.run([colab_python(), "-m", "venv", str(VENV)], check=True)
    # the pins are exact, so installing them into an existing environment moves it to the new pins
    pip = [str(venv_python()), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "-c", str(CONSTRAINTS), *colab_packages()], check=True)
    marker.write_text(digest)


def freeze() -> dict[str, str]:
    """The Colab environment's packages and their versions, without the helper package itself."""
    out = subprocess.run([str(venv_python()), "-m", "pip", "list", "--format=freeze"], check=True,
                         capture_output=True, text=True).stdout.splitlines()
    pairs = (line.split("==", 1) for line in out if "==" in line)
    return {name.lower().replace("_", "-"): version for name, version in pairs
            if name.lower().replace("_", "-") != DISTRIBUTION}


def changed_packages(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What Colab shipped that is now upgraded, downgraded or gone (additions are allowed: a notebook
    may install, pinned, a package Colab lacks)."""
    return [f"{name} {version} -> {after.get(name, 'removed')}" for name, version in sorted(before.items())
            if after.get(name) != version]


def build_wheel(www: Path, repo: str, version: str) -> Path:
    """Build the helper wheel into the folder layout of a GitHub release download."""
    folder = www / repo.removeprefix("https://github.com/") / "releases" / "download" / f"v{version}"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    str(ROOT), "-w", str(folder)], check=True)
    wheel = folder / stamp.wheel_name(version)
    if not wheel.exists():
        raise RuntimeError(f"the wheel build did not produce {wheel.name}")
    return wheel


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # no access log on the console
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``folder`` on 127.0.0.1 on a free port; return the server and its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class ColabKernels(KernelSpecManager):
    """Every kernel is the Colab environment's Python."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        argv = [str(venv_python()), "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        return KernelSpec(argv=argv, display_name="Colab profile", language="python")


def pointed_at(notebook: nbformat.NotebookNode, base_url: str) -> nbformat.NotebookNode:
    """The notebook with its set-up cell's wheel URL moved from github.com to ``base_url``."""
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    if stamp.COLAB_GUARD not in setup.source or '"https://github.com/' not in setup.source:
        raise ValueError("the set-up cell has no stamped Colab install line")
    setup.source = setup.source.replace('"https://github.com/', f'"{base_url}/', 1)
    return notebook


def run_one(path: Path, base_url: str, ipython_dir: Path, report_dir: Path, timeout: int,
            fresh: bool = False) -> dict:
    """Execute one notebook from an empty folder in the Colab environment (``fresh``: without the
    helper package installed, so that its set-up cell installs it)."""
    relative = path.relative_to(ROOT).as_posix()
    if fresh:
        subprocess.run([str(venv_python()), "-m", "pip", "uninstall", "--quiet", "--yes", DISTRIBUTION],
                       check=False, capture_output=True)
    workdir = Path(tempfile.mkdtemp(prefix=f"colab-{path.stem}-"))
    notebook = pointed_at(nbformat.read(path, as_version=4), base_url)
    env = {**os.environ, "IPYTHONDIR": str(ipython_dir), "COURSE_REPORT_DIR": str(report_dir),
           "MPLCONFIGDIR": str(VENV / "matplotlib"),
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline",
           "PYTHONPATH": ""}
    client = NotebookClient(notebook, timeout=timeout, kernel_name="colab-profile",
                            resources={"metadata": {"path": str(workdir)}}, record_timing=True)
    client.km = client.create_kernel_manager()
    client.km.kernel_spec_manager = ColabKernels()
    entry: dict = {"notebook": relative}
    start = time.perf_counter()
    try:
        client.execute(env=env, cwd=str(workdir))
        entry["ok"] = True
    except Exception as error:  # noqa: BLE001 - reported per notebook
        entry["ok"] = False
        entry["error"] = f"{type(error).__name__}: {str(error)[-1500:]}"
    entry["seconds"] = round(time.perf_counter() - start, 1)
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    timing = setup.metadata.get("execution", {})
    if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
        from datetime import datetime

        begin = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
        entry["setup_cell_seconds"] = round((end - begin).total_seconds(), 1)
    if fresh:
        entry["installed_by_setup_cell"] = subprocess.run(
            [str(venv_python()), "-m", "pip", "show", DISTRIBUTION], capture_output=True).returncode == 0
        entry["ok"] = entry["ok"] and entry["installed_by_setup_cell"]
    shutil.rmtree(workdir, ignore_errors=True)
    return entry


def time_install(url: str) -> float:
    """Seconds the set-up cell's pip install takes on its own (pip cache warm after the first)."""
    subprocess.run([str(venv_python()), "-m", "pip", "uninstall", "--quiet", "--yes", DISTRIBUTION],
                   check=False, capture_output=True)
    start = time.perf_counter()
    subprocess.run([str(venv_python()), "-m", "pip", "install", "--quiet", url], check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    args = parser.parse_args()
    ensure_environment()
    before = freeze()
    repo, version = stamp.repository_url(), stamp.version()
    BUILD.mkdir(parents=True, exist_ok=True)
    www = Path(tempfile.mkdtemp(prefix="www-", dir=BUILD))
    wheel = build_wheel(www, repo, version)
    server, base_url = serve(www)
    url = stamp.wheel_url(repo, version).replace("https://github.com", base_url, 1)
    install_seconds = [round(time_install(url), 1) for _ in range(2)]
    print(f"Colab profile: {venv_python()} ; wheel {wheel.name} ({wheel.stat().st_size / 1e6:.1f} MB)")
    print(f"install step alone: {install_seconds[0]} s, then {install_seconds[1]} s (pip cache warm)")
    ipython_dir = Path(tempfile.mkdtemp(prefix="ipython-", dir=BUILD))
    (ipython_dir / "profile_default" / "startup").mkdir(parents=True)
    (ipython_dir / "profile_default" / "startup" / "00-colab.py").write_text(COLAB_STARTUP)
    report_dir = Path(tempfile.mkdtemp(prefix="targets-", dir=BUILD))
    paths = [p.resolve() for p in args.notebooks] or notebook_paths()
    entries: list[dict] = []

    def results():
        # the first notebook installs the wheel itself, from its set-up cell, into an environment
        # without it; the others then run two at a time (their set-up cells find it installed:
        # two pips must not install into one environment at once)
        yield run_one(paths[0], base_url, ipython_dir, report_dir, args.timeout, fresh=True)
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers) as pool:
            yield from pool.map(lambda path: run_one(path, base_url, ipython_dir, report_dir, args.timeout),
                                paths[1:])

    for entry in results():
        target_file = report_dir / f"{Path(entry['notebook']).stem}.json"
        entry["target"] = json.loads(target_file.read_text()) if target_file.exists() else None
        after = freeze()
        changed = changed_packages(before, after)
        entry["packages_changed"] = changed
        entry["packages_added"] = sorted(set(after) - set(before))
        entries.append(entry)
        status = "ok" if entry["ok"] and entry["target"] and not changed else "FAILED"
        print(f"{entry['seconds']:6.1f} s  setup cell {entry.get('setup_cell_seconds', '?')} s  {status:6s} "
              f"{entry['notebook']}  {json.dumps(entry['target'])}", flush=True)
        if not entry["ok"]:
            print("        " + entry["error"].replace("\n", "\n        "))
        if changed:
            print(f"        Colab packages changed: {changed}")
    server.shutdown()
    (ROOT / "reports").mkdir(exist_ok=True)
    summary = {"install_seconds": install_seconds, "python": subprocess.run(
        [str(venv_python()), "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True
    ).stdout.strip(), "notebooks": entries}
    (ROOT / "reports" / "colab.json").write_text(json.dumps(summary, indent=2))
    failed = [e for e in entries if not (e["ok"] and e["target"] and not e["packages_changed"])]
    print(f"{len(entries) - len(failed)} of {len(entries)} notebooks passed on the Colab profile")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
