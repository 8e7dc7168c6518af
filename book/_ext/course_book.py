"""Sphinx extension of the course's book: what a reader sees of the stored notebooks.

- MathJax is served with the book (``_static/mathjax/``, fetched from the npm registry by
  ``scripts/fetch_mathjax.py``), so math renders with no network;
- a notebook figure keeps its aspect ratio: the height stored with a retina PNG is dropped, so
  the browser scales it with the width the theme allows;
- solution cells show the solution, not the ``### BEGIN/END SOLUTION`` markers that the
  learner version (``make exercises``) needs: the notebooks keep them;
- outputs link no icon font from a CDN (the theme brings its own);
- no widget state is embedded: the book shows each explorer's starting-state snapshot, and the
  widget manager that would read the state is not loaded either (``nb_ipywidgets_js: {}``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging

ROOT = Path(__file__).resolve().parents[2]
SOLUTION_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*$")
WIDGET_STATE_KEY = "ipywidgets_state"
LOCAL_MATHJAX_PREFIX = "mathjax/"
# matplotlib's animation player links Font Awesome 4 from a CDN; the theme ships Font Awesome
# (which draws the player's ``fa fa-play``-style icons too), so the book does not need it.
REMOTE_ICON_FONT = re.compile(r"<link[^>]*href=\"https?://[^\"]*font-awesome[^\"]*\"[^>]*>\s*", re.I)

logger = logging.getLogger(__name__)


def strip_solution_markers(code: str) -> str:
    """The code without its ``### BEGIN SOLUTION`` / ``### END SOLUTION`` lines."""
    return "\n".join(line for line in code.split("\n") if not SOLUTION_MARKER.match(line))


def _serve_mathjax(app: Sphinx, config: Config) -> None:
    """Put the fetched MathJax on the static path (fetching it once if it is missing)."""
    if not str(config.mathjax_path).startswith(LOCAL_MATHJAX_PREFIX):
        return
    sys.path.insert(0, str(ROOT))
    try:
        from scripts import fetch_mathjax
    finally:
        sys.path.remove(str(ROOT))
    if not fetch_mathjax.is_present():
        logger.info("fetching MathJax %s for the book", fetch_mathjax.MATHJAX_VERSION)
        try:
            fetch_mathjax.fetch()
        except RuntimeError as error:
            raise ExtensionError(f"{error}\n(run `python scripts/fetch_mathjax.py`)") from error
    # Not under _static/: Jupyter Book would add every .js file found there to every page.
    config.html_static_path = [*config.html_static_path, str(fetch_mathjax.STATIC_DIR)]


def _is_in(node: nodes.Node, nb_element: str) -> bool:
    """True when one of ``node``'s ancestors is the myst-nb element ``nb_element``."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.Element) and parent.get("nb_element") == nb_element:
            return True
        parent = parent.parent
    return False


def _tidy_notebook_cells(app: Sphinx, doctree: nodes.document) -> None:
    """Drop solution markers from code cells, stored heights from images, CDN icon fonts."""
    for block in list(doctree.findall(nodes.literal_block)):
        if not _is_in(block, "cell_code_source"):
            continue
        code = block.astext()
        cleaned = strip_solution_markers(code)
        if cleaned != code:
            block.rawsource = cleaned
            block[:] = [nodes.Text(cleaned)]
    for raw in list(doctree.findall(nodes.raw)):
        if "html" in raw.get("format", "") and REMOTE_ICON_FONT.search(raw.astext()):
            html = REMOTE_ICON_FONT.sub("", raw.astext())
            raw.replace_self(nodes.raw(html, html, format=raw["format"]))
    for image in doctree.findall(nodes.image):
        if "width" in image and "height" in image and _is_in(image, "cell_code_output"):
            del image["height"]
    metadata = getattr(app.env, "nb_metadata", {}).get(app.env.docname, {})
    metadata.get("js_files", {}).pop(WIDGET_STATE_KEY, None)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension's handlers."""
    app.connect("config-inited", _serve_mathjax)
    app.connect("doctree-read", _tidy_notebook_cells)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
