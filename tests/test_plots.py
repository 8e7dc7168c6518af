"""Plot helpers draw on the axes they are given, return them, and reject bad input clearly."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils import plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_training_curves_from_dict_with_validation():
    _, ax = plt.subplots()
    out = plots.training_curves({"loss": [3, 2, 1], "val_loss": [3.5, 2.5, 2]}, ax=ax)
    assert out is ax
    assert len(ax.lines) == 2 and ax.lines[1].get_linestyle() == "--"
    assert ax.get_xlabel() == "epoch"


def test_training_curves_from_history_object():
    class History:
        history = {"accuracy": [0.5, 0.9]}

    ax = plots.training_curves(History(), metrics=["accuracy"])
    assert ax.lines[0].get_xdata().tolist() == [1, 2]


@pytest.mark.parametrize("history, message", [({"loss": [1]}, "not in history"), ([1, 2], "History or a dict")])
def test_training_curves_bad_input(history, message):
    with pytest.raises(ValueError, match=message):
        plots.training_curves(history, metrics=["acc"] if isinstance(history, dict) else ["loss"])


def test_image_grid_shapes_and_labels():
    axes = plots.image_grid(np.zeros((5, 8, 8)), labels=list("abcde"), ncols=3, title="t")
    assert axes.shape == (2, 3)
    assert axes[0, 0].get_title() == "a"
    assert not axes[1, 2].images  # the unused slot stays empty
    rgb = plots.image_grid(np.zeros((2, 4, 4, 3)))
    assert rgb.shape == (1, 2)


@pytest.mark.parametrize(
    "images, kwargs, message",
    [
        (np.zeros((8, 8)), {}, "images must have shape"),
        (np.zeros((2, 8, 8)), {"labels": ["a"]}, "2 images but 1 labels"),
        (np.zeros((2, 8, 8)), {"ncols": 0}, "ncols"),
    ],
)
def test_image_grid_bad_input(images, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plots.image_grid(images, **kwargs)


def test_decision_boundary_probabilities_and_classes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    ax = plots.decision_boundary(lambda P: 1 / (1 + np.exp(-5 * P[:, 0])), X, y, resolution=30)
    assert len(ax.collections) >= 3  # filled contours, the 0.5 line, the points
    three = plots.decision_boundary(lambda P: np.eye(3)[(P[:, 0] > 0).astype(int)], X, y % 3, resolution=20)
    assert three.get_title() == "Decision boundary"


@pytest.mark.parametrize(
    "X, y, message",
    [
        (np.zeros((5, 3)), np.zeros(5), r"shape \(n_samples, 2\)"),
        (np.zeros((5, 2)), np.zeros(4), "5 rows but y has 4"),
        (np.full((5, 2), np.nan), np.zeros(5), "NaN"),
    ],
)
def test_decision_boundary_bad_input(X, y, message):
    with pytest.raises(ValueError, match=message):
        plots.decision_boundary(lambda P: P[:, 0], X, y)


def test_confusion_matrix_counts_and_normalisation():
    ax = plots.confusion_matrix([0, 0, 1, 1], [0, 1, 1, 1], class_names=["no", "yes"])
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["1", "1", "0", "2"]
    normed = plots.confusion_matrix([0, 0, 1, 1], [0, 1, 1, 1], normalize=True)
    assert [t.get_text() for t in normed.texts] == ["0.50", "0.50", "0.00", "1.00"]


@pytest.mark.parametrize(
    "y_true, y_pred, names, message",
    [([0, 1], [0], None, "2 labels but y_pred has 1"), ([], [], None, "empty"), ([0, 1, 2], [0, 1, 2], ["a"], "class_names")],
)
def test_confusion_matrix_bad_input(y_true, y_pred, names, message):
    with pytest.raises(ValueError, match=message):
        plots.confusion_matrix(y_true, y_pred, class_names=names)


def test_function_curve_and_neuron_diagram():
    ax = plots.function_curve(np.tanh, (-2, 2), label="tanh")
    assert ax.lines[0].get_xdata()[0] == -2
    with pytest.raises(ValueError, match="low < high"):
        plots.function_curve(np.tanh, (2, -2))
    diagram = plots.neuron_diagram(["x1", "x2", "x3"])
    assert any("$w_{3}$" == t.get_text() for t in diagram.texts)
    with pytest.raises(ValueError, match="at least one input"):
        plots.neuron_diagram([])


def test_importing_plots_changes_no_global_style():
    import importlib

    matplotlib.rcParams["axes.grid"] = False
    importlib.reload(plots)
    assert matplotlib.rcParams["axes.grid"] is False
