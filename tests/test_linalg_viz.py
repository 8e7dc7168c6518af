"""utils.foundations.linalg_viz: shape rules match NumPy, figures draw, the explorer redraws, timings are sane."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.foundations import linalg_viz as lv  # noqa: E402

SHAPES = [(3,), (4,), (1, 4), (3, 1), (3, 4), (4, 3), (2, 3, 4), (), (0, 4)]


@pytest.mark.parametrize("a", SHAPES)
@pytest.mark.parametrize("b", SHAPES)
def test_broadcast_shape_agrees_with_numpy(a, b):
    shape, reason = lv.broadcast_shape(a, b)
    try:
        expected = np.broadcast_shapes(a, b)
    except ValueError:
        expected = None
    assert shape == expected, reason
    assert ("do not broadcast" in reason) == (expected is None)


def test_matmul_shape():
    assert lv.matmul_shape((3, 4), (4, 2)) == ((3, 2), "(3, 4) @ (4, 2) gives (3, 2): inner sizes 4 match, outer sizes remain")
    shape, reason = lv.matmul_shape((3, 4), (3, 4))
    assert shape is None and "inner sizes must match" in reason
    with pytest.raises(ValueError, match="two 2-D shapes"):
        lv.matmul_shape((3,), (3, 4))


@pytest.mark.parametrize("shape, message", [("abc", "shape_a must be a tuple"), ((2.5, 3), "shape_a must be a tuple"),
                                            ((-1, 3), "shape_a must be a tuple")])
def test_bad_shapes(shape, message):
    with pytest.raises(ValueError, match=message):
        lv.broadcast_shape(shape, (3,))


def test_combine_shapes():
    assert lv.combine_shapes((3, 1), (4,), lv.OPERATIONS[0])[0] == (3, 4)
    assert lv.combine_shapes((3, 4), (4, 2), lv.OPERATIONS[2])[0] == (3, 2)
    with pytest.raises(ValueError, match="unknown operation"):
        lv.combine_shapes((3,), (3,), "-")


def test_draw_array_and_plot_broadcast():
    fig, ax = plt.subplots()
    assert lv.draw_array(ax, np.arange(4), (0, 0), "C0", stretched_to=(3, 4)) == (4.0, 3.0)
    assert len(ax.patches) == 12
    with pytest.raises(ValueError, match="array must be 1-D or 2-D"):
        lv.draw_array(ax, np.zeros((2, 2, 2)), (0, 0), "C0")
    with pytest.raises(ValueError, match="smaller than the array"):
        lv.draw_array(ax, np.zeros((3, 4)), (0, 0), "C0", stretched_to=(2, 4))
    ax = lv.plot_broadcast(np.arange(12).reshape(3, 4), np.array([10, 20, 30, 40]))
    assert len(ax.patches) == 36  # a, b stretched to 3 x 4, the result
    with pytest.raises(ValueError, match="do not broadcast"):
        lv.plot_broadcast(np.zeros((3, 4)), np.zeros(3))
    plt.close("all")


def test_matmul_frames_fill_the_product():
    A, B = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 3.0]])
    frames = lv.matmul_animation_frames(A, B)
    assert len(frames) == 9 and (frames[0]["row"], frames[0]["col"]) == (0, 0)
    assert np.isnan(frames[0]["result"][2, 2]) and np.allclose(frames[-1]["result"], A @ B)
    assert np.allclose(frames[5]["products"], A[1] * B[:, 2])
    with pytest.raises(ValueError, match="inner sizes must match"):
        lv.matmul_animation_frames(A, A)
    with pytest.raises(ValueError, match="at most 60 frames"):
        lv.matmul_animation_frames(np.ones((10, 2)), np.ones((2, 10)))
    with pytest.raises(ValueError, match="must be 2-D"):
        lv.matmul_animation_frames(np.ones(3), np.ones((3, 2)))


def test_matmul_player_renders_html():
    html = lv.matmul_player(np.ones((2, 2)), np.ones((2, 2)), interval_ms=100)
    assert "<script" in html.data and "data:image/png;base64" in html.data


def test_matmul_animation_draws_each_cell():
    fig, draw, frames = lv.matmul_animation([[1, 2], [3, 4]], [[5, 6], [7, 8]])
    assert frames == 4
    draw(3)
    assert fig.axes[0].get_title() == "cell (1, 1) = row 1 of A · column 1 of B = 3·6 + 4·8 = 50"
    plt.close("all")


def test_broadcast_explorer_redraws_and_explains():
    explorer = lv.broadcast_explorer()
    assert explorer.status.value.startswith("<b>✅") and "(3, 4)" in explorer.status.value
    before = explorer.view.value
    explorer.set(shape_b="(3,)")
    assert explorer.status.value.startswith("<b>❌") and "do not broadcast" in explorer.status.value
    assert explorer.view.value != before
    explorer.set(operation=lv.OPERATIONS[2], shape_b="(4, 2)")
    assert "gives (3, 2)" in explorer.status.value
    explorer.set(shape_a="(2, 3, 4)", operation=lv.OPERATIONS[0], shape_b="(4,)")
    assert "broadcast to (2, 3, 4)" in explorer.status.value
    explorer.set(operation=lv.OPERATIONS[2])
    assert "two 2-D shapes" in explorer.status.value


@pytest.mark.parametrize("kwargs, message", [({"shape_a": "(5, 5)"}, "shape_a must be one of"),
                                             ({"operation": "-"}, "operation must be one of")])
def test_broadcast_explorer_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lv.broadcast_explorer(**kwargs)


def test_time_call_and_plot_timings():
    calls = []
    seconds = lv.time_call(lambda: calls.append(1), repeats=4)
    assert len(calls) == 4 and 0 <= seconds < 0.1
    with pytest.raises(ValueError, match="function must be callable"):
        lv.time_call(3)
    with pytest.raises(ValueError, match="repeats must be a positive integer"):
        lv.time_call(print, repeats=0)
    ax = lv.plot_timings({"loop": 1.0, "vectorized": 0.01})
    assert "100× faster" in " ".join(t.get_text() for t in ax.texts)
    for bad in ({}, {"loop": 0.0}, {"loop": float("nan")}):
        with pytest.raises(ValueError):
            lv.plot_timings(bad)
    plt.close("all")


def test_matmul_flops_counts_a_multiply_and_an_add_per_term():
    assert lv.matmul_flops(2, 3, 4) == 48
    with pytest.raises(ValueError, match="k must be a positive integer"):
        lv.matmul_flops(2, 0, 4)
