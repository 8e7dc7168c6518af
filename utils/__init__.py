"""Helper package of the course: set-up, datasets, plots, widgets, animations and exercise checks.

Notebooks import the modules they need, e.g. ``from utils import course, datasets, plots, widgets``.
Importing the package changes no global state; ``course.setup()`` does that, once, on purpose.
"""

__version__ = "0.2.0"

# core modules every notebook may use; topic modules (activations, boxes, convolution, descent, ...)
# are imported by name where a notebook needs them
__all__ = ["animation", "checks", "course", "datasets", "plots", "widgets"]
