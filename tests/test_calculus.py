"""utils.foundations.calculus: derivatives three ways agree, bad input is explained, and the explorers redraw."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.foundations import calculus  # noqa: E402


def test_numeric_derivative_of_x_squared():
    square = lambda x: x**2  # noqa: E731
    assert calculus.numeric_derivative(square, 2.0) == pytest.approx(4.0, rel=1e-8)
    assert calculus.numeric_derivative(square, 5.0) == pytest.approx(10.0, rel=1e-8)
    assert calculus.numeric_derivative(square, 2.0, h=0.1, method="forward") == pytest.approx(4.1)
    slopes = calculus.numeric_derivative(square, np.array([1.0, -3.0]))
    assert np.allclose(slopes, [2.0, -6.0])


@pytest.mark.parametrize("name", sorted(calculus.CURVES))
def test_every_curve_has_a_correct_exact_derivative(name):
    chosen = calculus.curve(name)
    xs = np.linspace(*chosen.x_range, 7)
    assert np.allclose(calculus.numeric_derivative(chosen.f, xs), chosen.derivative(xs), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"f": 3.0, "x": 1.0}, "f must be a function"),
        ({"f": np.sin, "x": 1.0, "h": 0.0}, "h must be a positive"),
        ({"f": np.sin, "x": 1.0, "h": float("nan")}, "h must be a positive"),
        ({"f": np.sin, "x": float("nan")}, "x must be finite"),
        ({"f": np.sin, "x": 1.0, "method": "backward"}, "method must be"),
    ],
)
def test_numeric_derivative_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        calculus.numeric_derivative(**kwargs)


def test_unknown_curve_name():
    with pytest.raises(ValueError, match="unknown function name 'x\\^4'"):
        calculus.curve("x^4")


def test_secant_and_tangent():
    assert calculus.secant_slope(lambda x: x**2, 1.0, 3.0) == pytest.approx(4.0)
    with pytest.raises(ValueError, match="x1 and x2 must differ"):
        calculus.secant_slope(np.sin, 1.0, 1.0)
    slope, intercept = calculus.tangent_line(lambda x: x**2, 2.0)
    assert slope == pytest.approx(4.0) and intercept == pytest.approx(-4.0)
    assert calculus.tangent_line(lambda x: x**2, 5.0, slope=10.0) == (10.0, -25.0)
    with pytest.raises(ValueError, match="x0 must be finite"):
        calculus.tangent_line(np.sin, float("inf"))


def test_gradient_of_the_bowl():
    assert np.allclose(calculus.bowl_gradient(2.0, -3.0), [12.0, -6.0])
    assert np.allclose(calculus.numeric_gradient(calculus.bowl, [2.0, -3.0]), [12.0, -6.0], rtol=1e-7)
    assert calculus.bowl(2.0, 3.0) == 17.0
    with pytest.raises(ValueError, match="point must be a non-empty 1-D"):
        calculus.numeric_gradient(calculus.bowl, [[1.0, 2.0]])
    with pytest.raises(ValueError, match="point must be finite"):
        calculus.numeric_gradient(calculus.bowl, [np.nan, 2.0])
    with pytest.raises(ValueError, match="h must be"):
        calculus.numeric_gradient(calculus.bowl, [1.0, 2.0], h=-1.0)
    with pytest.raises(ValueError, match="y must be finite"):
        calculus.bowl_gradient(1.0, np.nan)


def test_relative_difference():
    assert calculus.relative_difference([4.0, 10.0], [4.0, 10.0]) == 0.0
    assert calculus.relative_difference(4.0, 4.4) == pytest.approx(0.1 / 1.1)
    assert calculus.relative_difference(0.0, 0.0) == 0.0
    with pytest.raises(ValueError, match="same shape"):
        calculus.relative_difference([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="b must be finite"):
        calculus.relative_difference(1.0, np.inf)


def test_tangent_explorer_follows_x_and_function():
    explorer = calculus.tangent_explorer("x^2", 2.0)
    assert "exact slope f'(x) = 4.0000" in explorer.status.value.replace("&#x27;", "'")
    before = explorer.view.value
    explorer.set(x=5.0)
    assert "exact slope f'(x) = 10.0000" in explorer.status.value.replace("&#x27;", "'")
    assert explorer.view.value != before and explorer.view.value[:4] == b"\x89PNG"
    explorer.controls["function"].value = "x^3 - 3x"
    assert "clipped" in explorer.status.value  # x = 5 lies outside that curve's range


@pytest.mark.parametrize("kwargs, message", [({"function": "cos"}, "unknown function name"),
                                             ({"function": "x^3 - 3x", "x": 5.0}, "outside the range")])
def test_tangent_explorer_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        calculus.tangent_explorer(**kwargs)


def test_gradient_explorer_reports_the_gradient():
    explorer = calculus.gradient_explorer(1.0, 1.0)
    assert "∂f/∂x = 3x² = 3.000" in explorer.status.value
    before = explorer.view.value
    explorer.controls["y"].value = -1.5
    assert "∂f/∂y = 2y = -3.000" in explorer.status.value and explorer.view.value != before
    explorer.set(x=0.0, y=0.0)  # a flat point: no arrow, no crash
    assert "|∇f| = 0.000" in explorer.status.value


@pytest.mark.parametrize("kwargs, message", [({"x": 3.0}, "x = 3.0 is outside"), ({"limit": 0.0}, "limit must be positive")])
def test_gradient_explorer_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        calculus.gradient_explorer(**kwargs)


def test_secant_animation_frames_and_player():
    import matplotlib.pyplot as plt

    from utils import animation

    fig, draw, frames = calculus.secant_animation("x^2", 2.0, frames=3)
    assert frames == 3
    draw(2)
    assert "h = 1.080" in fig.axes[0].get_title()
    html = animation.player(*calculus.secant_animation("sin(x)", 0.5, frames=2), interval_ms=100)
    assert "<script" in html.data
    plt.close("all")


@pytest.mark.parametrize("kwargs, message", [({"function": "tan"}, "unknown function name"),
                                             ({"x": 10.0}, "outside the range"),
                                             ({"frames": 100}, "frames must be"),
                                             ({"largest_step": 0.0}, "largest_step must be positive")])
def test_secant_animation_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        calculus.secant_animation(**kwargs)
