"""Explorers redraw when a control moves (no browser needed); animations render to self-contained HTML."""

import base64
import io
import re

import matplotlib

matplotlib.use("Agg")

import ipywidgets as ipw  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils import animation, datasets, widgets  # noqa: E402


def line_explorer():
    def draw(fig, slope):
        ax = fig.subplots()
        ax.plot([0, 1], [0, slope])
        return f"slope {slope:.1f}"

    return widgets.Explorer({"slope": widgets.slider("slope", -1.0, 1.0, 0.5)}, draw)


def test_explorer_redraws_when_a_slider_moves():
    explorer = line_explorer()
    before, count = explorer.view.value, explorer.draw_count
    explorer.controls["slope"].value = -0.75
    assert explorer.draw_count == count + 1
    assert explorer.view.value != before and explorer.view.value[:4] == b"\x89PNG"
    assert "slope -0.8" in explorer.status.value


def test_explorer_set_redraws_once():
    explorer = line_explorer()
    count = explorer.draw_count
    explorer.set(slope=0.1)
    assert explorer.draw_count == count + 1 and explorer.values() == {"slope": 0.1}
    with pytest.raises(ValueError, match="unknown control"):
        explorer.set(intercept=1.0)


def test_explorer_static_snapshot_for_the_book():
    bundle = line_explorer()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    snapshot = bundle["text/html"]
    assert snapshot.startswith('<div class="course-explorer-snapshot ') and '<img src="data:image/png;base64,' in snapshot
    assert "slope 0.5" in snapshot


@pytest.mark.parametrize(
    "controls, draw, message",
    [
        ({}, lambda fig: None, "at least one control"),
        ({"x": 3}, lambda fig, x: None, "value widget"),
        ({"x": ipw.FloatSlider()}, "not callable", "draw must be a function"),
    ],
)
def test_explorer_bad_arguments(controls, draw, message):
    with pytest.raises(ValueError, match=message):
        widgets.Explorer(controls, draw)


@pytest.mark.parametrize("low, high, value, message", [(1, 0, 0.5, "below high"), (0, 1, 2, "outside")])
def test_slider_bad_arguments(low, high, value, message):
    with pytest.raises(ValueError, match=message):
        widgets.slider("s", low, high, value)


def test_neuron_state_matches_hand_computation():
    state = widgets.neuron_state([20, 60], [0, 1], w=10.0, b=-4.0)
    z = np.array([10 * 0.2 - 4, 10 * 0.6 - 4])
    p = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(state["probability"], p)
    assert state["loss"] == pytest.approx(-np.mean([np.log(1 - p[0]), np.log(p[1])]))
    assert state["accuracy"] == 1.0 and state["boundary_age"] == pytest.approx(40.0)
    assert np.isnan(widgets.neuron_state([20], [1], w=0.0, b=1.0)["boundary_age"])


@pytest.mark.parametrize(
    "age, bought, scale, message",
    [([1, 2], [0], 100, "same length"), ([], [], 100, "non-empty"), ([1], [2], 100, "0/1"), ([1], [1], 0, "scale")],
)
def test_neuron_state_bad_input(age, bought, scale, message):
    with pytest.raises(ValueError, match=message):
        widgets.neuron_state(age, bought, 1.0, 0.0, scale)


def test_neuron_explorer_updates_loss_when_weights_move():
    frame = datasets.load_frame("insurance")
    explorer = widgets.neuron_explorer(frame.age, frame.bought_insurance)
    before = explorer.status.value
    explorer.set(w=30.0, b=-11.0)
    assert explorer.status.value != before
    good = widgets.neuron_state(frame.age, frame.bought_insurance, 30.0, -11.0)["loss"]
    assert f"log loss = {good:.3f}" in explorer.status.value
    assert good < widgets.neuron_state(frame.age, frame.bought_insurance, 5.0, -2.0)["loss"]


def test_loss_grid_shape():
    W, B, loss = widgets.neuron_loss_grid([20, 60], [0, 1], (0, 10), (-5, 0), points=7)
    assert W.shape == B.shape == loss.shape == (7, 7) and np.all(loss > 0)
    assert loss[2, 3] == pytest.approx(widgets.neuron_state([20, 60], [0, 1], W[2, 3], B[2, 3])["loss"])


def _frames(html):
    return re.findall(r'data:image/(png|jpeg);base64,([A-Za-z0-9+/=]+)"', html)


def test_animation_renders_every_frame_to_html():
    fig, ax = plt.subplots()
    drawn = []
    html = animation.jshtml(fig, lambda i: drawn.append(i) or ax.plot([0, i]), frames=4, interval_ms=50)
    assert "<script" in html
    frames = _frames(html)
    assert len(frames) == 4 and len(set(frames)) == 4  # one distinct picture per frame, each stored once
    assert drawn[-4:] == [0, 1, 2, 3]  # rendered in order, after the layout pass
    assert not plt.fignum_exists(fig.number)  # closed, so it is not shown twice


def test_animation_player_has_its_size_and_first_frame_up_front():
    fig, ax = plt.subplots(figsize=(4.0, 2.5), dpi=100)
    html = animation.jshtml(fig, lambda i: ax.plot([0, i]), frames=3)
    picture = re.search(r"<img id=\"_anim_img\w+\"[^>]*>", html).group(0)
    assert f'width="{4 * animation.FRAME_DPI}" height="{int(2.5 * animation.FRAME_DPI)}"' in picture and 'src="data:image/png;base64,' in picture
    assert "max-width: 100%; height: auto" in picture  # the book keeps its aspect ratio
    assert "frames[0] = document.getElementById(img_id).src;" in html


def test_animation_frames_are_retina_and_compact():
    from PIL import Image

    fig, ax = plt.subplots(figsize=(4.0, 2.5), dpi=100)
    html = animation.jshtml(fig, lambda i: ax.plot([0, i]), frames=3)
    kind, data = _frames(html)[0]
    frame = Image.open(io.BytesIO(base64.b64decode(data)))
    assert frame.size == (8 * animation.FRAME_DPI, 5 * animation.FRAME_DPI)  # 2 pixels per displayed pixel
    assert kind == "png" and frame.mode == "P"  # a plot: a 256-colour PNG
    photo = np.random.default_rng(0).uniform(size=(60, 90, 3))
    fig, ax = plt.subplots(figsize=(4.0, 2.5), dpi=100)
    html = animation.jshtml(fig, lambda i: ax.imshow(np.roll(photo, i, axis=1)), frames=2)
    assert _frames(html)[0][0] == "jpeg"  # noise would band in 256 colours


def test_animation_layout_fits_the_widest_frame():
    fig, ax = plt.subplots(figsize=(3.0, 2.0), dpi=100)
    titles = ["a", "a longer title"]

    def draw(i):
        ax.set_title(titles[i])
        ax.set_ylabel("y" if i == 0 else "a much longer\ny label")

    animation.jshtml(fig, draw, frames=2)
    draw(1)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    box = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)
    assert box.x0 >= fig.bbox.x0 - 1 and box.x1 <= fig.bbox.x1 + 1


def test_animation_player_returns_html_object():
    fig, ax = plt.subplots()
    assert "<script" in animation.player(fig, lambda i: ax.plot([i]), frames=2).data


@pytest.mark.parametrize(
    "frames, interval, draw, message",
    [(0, 100, print, "frames"), (10_000, 100, print, "frames"), (3, 0, print, "interval_ms"), (3, 100, None, "draw_frame")],
)
def test_animation_bad_arguments(frames, interval, draw, message):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match=message):
        animation.jshtml(fig, draw, frames=frames, interval_ms=interval)
    plt.close(fig)


def test_snapshot_escapes_status_exactly_once():
    def draw(fig, x):
        fig.subplots()
        return "f'(x) < 1 & done"

    html = widgets.Explorer({"x": widgets.slider("x", 0.0, 1.0, 0.5)}, draw).snapshot_html()
    assert "f&#x27;(x) &lt; 1 &amp; done" in html and "&amp;#x27;" not in html
