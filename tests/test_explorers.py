"""Every explorer: redraws one at a time (latest value wins), redraws when a control moves, shows whole labels,
and displays as a snapshot plus the live widget under ipywidgets 7 and 8."""

import base64
import io
import re
import threading
import time

import matplotlib

matplotlib.use("Agg")

import ipywidgets as ipw  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from scripts import bench_explorers as bench  # noqa: E402
from utils import widgets  # noqa: E402

IPYWIDGETS_MAJOR = int(ipw.__version__.split(".")[0])


@pytest.fixture(autouse=True)
def course_style():
    """The notebooks' matplotlib style (course.setup applies it), savefig.bbox = "tight" included."""
    from utils import plots

    with matplotlib.rc_context(plots.COURSE_STYLE):
        yield


def test_the_picture_keeps_its_size_from_one_redraw_to_the_next():
    from PIL import Image

    explorer = bench.nb20_geometry()
    sizes = set()
    for n in (3, 9, 14):
        explorer.controls["n"].value = n
        sizes.add(Image.open(io.BytesIO(explorer.view.value)).size)
    width, height = (int(explorer.view.layout.width[:-2]), int(explorer.view.layout.height[:-2]))
    assert sizes == {(width, height)}, "the picture changed size (a tight crop?) or does not fill its box"


def slow_explorer(seconds: float = 0.02, record: dict | None = None):
    """Two sliders; the draw sleeps mid-way so concurrent redraws would overlap if they were allowed."""
    record = record if record is not None else {}
    record.update(active=0, most=0)
    guard = threading.Lock()

    def draw(fig, a, b):
        with guard:
            record["active"] += 1
            record["most"] = max(record["most"], record["active"])
        try:
            left, right = fig.subplots(1, 2)
            left.plot([0, 1], [0, a])
            time.sleep(seconds)
            right.bar(["b"], [b])
            right.set_title(f"b = {b:.2f}")
            return f"a = {a:.2f}, b = {b:.2f}"
        finally:
            with guard:
                record["active"] -= 1

    controls = {"a": widgets.slider("a", -1.0, 1.0, 0.0), "b": widgets.slider("b", 0.0, 1.0, 0.5)}
    return widgets.Explorer(controls, draw, figsize=(4.0, 2.0), dpi=50), record


def axes_layout(explorer):
    return [tuple(np.round(ax.get_position().bounds, 4)) for ax in explorer.figure.axes]


def fire_concurrently(explorer, threads=4, changes=5, seed=0):
    """Each thread moves the controls ``changes`` times; returns the number of changes made."""
    rng = np.random.default_rng(seed)
    plans = [[(name, float(np.round(rng.uniform(control.min, control.max), 2)))
              for name, control in rng.permutation(list(explorer.controls.items()) * changes)[:changes]]
             for _ in range(threads)]
    start = threading.Barrier(threads)

    def run(plan):
        start.wait()
        for name, value in plan:
            explorer.controls[name].value = value

    workers = [threading.Thread(target=run, args=(plan,)) for plan in plans]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return threads * changes


def test_concurrent_changes_redraw_one_at_a_time_and_the_latest_values_win():
    explorer, record = slow_explorer()
    count = explorer.draw_count
    made = fire_concurrently(explorer)
    assert record["most"] == 1, "two redraws ran at the same time"
    assert explorer.draw_count - count <= made  # changes during a redraw are folded into one redraw
    fresh, _ = slow_explorer(seconds=0.0)
    fresh.set(**explorer.values())  # a clean redraw of the final values
    assert axes_layout(explorer) == axes_layout(fresh) and len(explorer.figure.axes) == 2
    assert explorer.view.value == fresh.view.value  # the picture shows the final values
    assert explorer.status.value == fresh.status.value


def test_changes_during_a_redraw_are_coalesced():
    explorer, _ = slow_explorer(seconds=0.2)
    count = explorer.draw_count
    first = threading.Thread(target=lambda: setattr(explorer.controls["a"], "value", 0.5))
    first.start()
    time.sleep(0.05)  # the first redraw is under way
    for value in (0.1, 0.2, 0.3, 0.4):
        explorer.controls["b"].value = value  # returns at once: the running redraw picks it up
    first.join()
    assert explorer.draw_count == count + 2  # the first redraw, then one for all four changes
    assert "b = 0.40" in explorer.status.value and "a = 0.50" in explorer.status.value


def test_a_failing_draw_does_not_block_later_redraws():
    calls = {"n": 0}

    def draw(fig, x):
        calls["n"] += 1
        fig.subplots()
        if x < 0:
            raise RuntimeError("boom")
        return f"x = {x}"

    explorer = widgets.Explorer({"x": widgets.slider("x", -1.0, 1.0, 0.5)}, draw)
    with pytest.raises(RuntimeError):
        explorer.controls["x"].value = -0.5
    explorer.controls["x"].value = 0.25
    assert "x = 0.25" in explorer.status.value


def test_hold_redraws_once_at_the_end():
    explorer, _ = slow_explorer(seconds=0.0)
    count = explorer.draw_count
    with explorer.hold():
        explorer.controls["a"].value = 0.3
        explorer.controls["b"].value = 0.9
        assert explorer.draw_count == count
    assert explorer.draw_count == count + 1 and "b = 0.90" in explorer.status.value


@pytest.mark.parametrize("name", ["02 neuron_explorer", "20 kernel_explorer", "20 geometry_explorer"])
def test_real_explorers_stay_intact_under_concurrent_changes(name):
    explorer = bench.CASES[name]()
    fire_concurrently(explorer, threads=3, changes=3) if name != "20 kernel_explorer" else _kernel_storm(explorer)
    fresh = bench.CASES[name]()
    fresh.set(**explorer.values())  # a clean redraw of the final values
    assert axes_layout(explorer) == axes_layout(fresh)
    assert explorer.view.value == fresh.view.value


def _kernel_storm(explorer):
    names = [f"k{r}{c}" for r in range(3) for c in range(3)]
    start = threading.Barrier(3)

    def run(offset):
        start.wait()
        for k in range(3):
            explorer.controls[names[(offset + k) % 9]].value = 0.5 * (offset + k) - 1.0
        explorer.controls["kernel"].value = ["box blur", "Sobel x", "sharpen"][offset]

    workers = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)


# ---------------------------------------------------------------------------------------------
# Every explorer of the package, built as its notebook builds it
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built():
    return {}


def _explorer(built, name):
    if name not in built:
        built[name] = bench.CASES[name]()
    return built[name]


def test_every_explorer_of_the_package_is_benchmarked():
    import pathlib

    source = "\n".join(path.read_text(encoding="utf-8") for path in pathlib.Path(widgets.__file__).parent.rglob("*.py"))
    defined = set(re.findall(r"^def (\w+_explorer)\(", source, flags=re.M))
    benchmarked = {name.split()[1] for name in bench.CASES}
    missing = sorted(defined - benchmarked)
    assert not missing, (f"explorers without a benchmark case: {missing}; add each to CASES in "
                         "scripts/bench_explorers.py, built with its notebook's arguments")


@pytest.mark.parametrize("name", list(bench.CASES))
def test_each_explorer_redraws_when_a_control_moves(built, name):
    explorer = _explorer(built, name)
    for control_name, control in explorer.controls.items():
        value = bench.other_values(control, 1)[0]  # chosen now: an earlier move may have moved it
        before, count = explorer.view.value, explorer.draw_count
        explorer.controls[control_name].value = value
        assert explorer.draw_count == count + 1, f"moving {control_name} did not redraw exactly once"
        assert explorer.view.value != before, f"moving {control_name} did not change the picture"
        assert explorer.view.value[:4] == b"\x89PNG"


@pytest.mark.parametrize("name", list(bench.CASES))
def test_each_explorer_shows_whole_labels(built, name):
    explorer = _explorer(built, name)
    for control in explorer.controls.values():
        if len(control.description) > widgets.SHORT_DESCRIPTION:
            assert control.style.description_width == "initial", f"{control.description!r} would be cut"


def test_slider_labels_are_not_python_names():
    explorer = bench.nb09_learning_rate()
    assert explorer.controls["learning_rate"].description == "learning rate"


# ---------------------------------------------------------------------------------------------
# Specific explorers
# ---------------------------------------------------------------------------------------------

def test_kernel_preset_is_one_redraw_with_consistent_text():
    explorer = bench.nb20_kernel()
    seen = []
    explorer.status.observe(lambda change: seen.append(change["new"]), names="value")
    count = explorer.draw_count
    explorer.controls["kernel"].value = "box blur"
    assert explorer.draw_count == count + 1
    assert len(seen) == 1 and "kernel = box blur: entries sum to 1.00" in seen[0]
    count = explorer.draw_count
    explorer.controls["k11"].value = 2.0  # a hand-set entry: the kernel becomes "custom", once
    assert explorer.draw_count == count + 1 and explorer.controls["kernel"].value == "custom"
    assert "kernel = custom" in seen[-1] and len(seen) == 2


def test_geometry_window_slider_follows_the_number_of_windows():
    explorer = bench.nb20_geometry()  # n=7, f=3, p=1, s=2: 4×4 windows
    window = explorer.controls["window"]
    assert window.max == 15
    explorer.controls["window"].value = 15
    count = explorer.draw_count
    explorer.controls["n"].value = 4  # (4 + 2 - 3) // 2 + 1 = 2: 2×2 windows
    assert window.max == 3 and window.value == 3
    assert explorer.draw_count == count + 1 and "window 4 of 4" in explorer.status.value
    explorer.set(n=14, s=1, p=3)
    assert window.max == 18 * 18 - 1
    explorer.controls["f"].value = 7
    explorer.set(n=1, p=0)  # the kernel no longer fits: no windows
    assert window.max == 0 and "no output" in explorer.status.value


def test_nms_slider_changes_at_least_one_shown_image():
    explorer = bench.nb26_detection()
    explorer.set(nms_iou=0.2)
    low = _panels(explorer)
    explorer.set(nms_iou=0.8)
    high = _panels(explorer)
    assert any(a != b for a, b in zip(low, high)), "no shown image changes between low and high nms_iou"


def _panels(explorer):
    """How many boxes each image panel shows (rectangles drawn on it)."""
    return [len(ax.patches) for ax in explorer.figure.axes]


def test_nms_sensitive_images_prefers_images_where_nms_matters():
    from utils.vision import detection_widgets, shapes

    _, boxes_test, labels_test = shapes.make_shapes(40, objects=(1, 3), seed=2)
    grids = bench.stand_in_predictions(boxes_test, labels_test, 8, 64, len(shapes.CLASS_NAMES))
    chosen = detection_widgets.nms_sensitive_images(grids, boxes_test, 64, count=3)
    assert len(chosen) == 3 and all(len(boxes_test[i]) >= 2 for i in chosen)
    from utils.vision import boxes as bx

    def kept(i, iou):
        b, s, l = bx.decode_grid(grids[i], 64, 0.5)
        return len(bx.non_max_suppression(b, s, iou, labels=l))

    assert all(kept(i, 0.7) > kept(i, 0.3) for i in chosen)
    with pytest.raises(ValueError, match="low_iou"):
        detection_widgets.nms_sensitive_images(grids, boxes_test, 64, low_iou=0.8, high_iou=0.2)


# ---------------------------------------------------------------------------------------------
# Display: the snapshot and the live widget, in ipywidgets 7 and 8
# ---------------------------------------------------------------------------------------------

def _displayed(explorer, monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False, **kw: shown.append(obj))
    explorer._ipython_display_()
    return shown


def test_display_is_a_snapshot_then_the_live_widget(monkeypatch):
    explorer, _ = slow_explorer(seconds=0.0)
    snapshot, live = _displayed(explorer, monkeypatch)
    assert set(snapshot) == {"text/html"} and explorer.snapshot_class in snapshot["text/html"]
    assert live["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.model_id
    assert "text/html" not in live  # the book shows the snapshot once
    assert live["text/plain"] == ""  # an untrusted reopened notebook shows this instead of the widget
    hider = [child for child in explorer.children if isinstance(child, ipw.HTML) and "<style>" in child.value]
    assert hider and f".{explorer.snapshot_class} {{display: none;}}" in hider[0].value
    assert "course-explorer" in explorer._dom_classes
    # a reopened JupyterLab notebook: the "model not found" output after the snapshot is hidden
    assert ":not(:has(.course-explorer))" in snapshot["text/html"]


def test_in_colab_only_the_live_widget_is_displayed(monkeypatch):
    import sys
    import types

    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    explorer, _ = slow_explorer(seconds=0.0)
    (live,) = _displayed(explorer, monkeypatch)
    assert "application/vnd.jupyter.widget-view+json" in live


def test_snapshot_is_2x_with_its_aspect_ratio(monkeypatch):
    explorer, _ = slow_explorer(seconds=0.0)
    snapshot = explorer.snapshot_html()
    width, height = (int(v) for v in re.search(r'width="(\d+)" height="(\d+)"', snapshot).groups())
    data = base64.b64decode(re.search(r"base64,([^\"]+)", snapshot).group(1))
    from PIL import Image

    pixels = Image.open(io.BytesIO(data)).size
    assert pixels == (2 * width, 2 * height)
    assert "max-width: 100%; height: auto" in snapshot


def test_widget_apis_exist_in_this_ipywidgets():
    """Every widget and trait the explorers use exists here (run under ipywidgets 7.7 and 8)."""
    for name in ("Layout", "Image", "HTML", "VBox", "HBox", "FloatSlider", "IntSlider", "SelectionSlider",
                 "Dropdown", "ToggleButtons", "ValueWidget"):
        assert hasattr(ipw, name), name
    slider = ipw.FloatSlider(style={"description_width": "initial"})
    assert slider.style.description_width == "initial"
    with slider.hold_sync():
        slider.value = 0.5
    assert IPYWIDGETS_MAJOR in (7, 8)
