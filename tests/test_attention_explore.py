"""The attention pictures and explorer of notebook 39: weights checked, text and picture follow the controls."""

import matplotlib

matplotlib.use("Agg")

import html  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from utils.attention import explore  # noqa: E402

SENTENCES = ["they cooked a sweet indian rice dish", "we fixed the satellite dish on the roof"]


def weights_for(sentences, padded=None, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for sentence in sentences:
        n = len(sentence.split())
        size = padded or n
        a = rng.random((size, size)) ** 3
        out.append(a / a.sum(axis=1, keepdims=True))
    return out


def test_top_attended_orders_by_weight():
    words = ["a", "b", "c"]
    weights = np.array([[0.2, 0.5, 0.3], [1, 0, 0], [0, 0, 1.0]])
    assert explore.top_attended(words, weights, 0, k=2) == [("b", 0.5), ("c", 0.3)]
    assert explore.top_attended(words, weights, 2, k=1) == [("c", 1.0)]


@pytest.mark.parametrize("words, weights, message", [
    ("a b", np.eye(2), "not one string"),
    ([], np.zeros((0, 0)), "at least one word"),
    (["a", "b"], np.eye(3), r"must be \(2, 2\)"),
    (["a", "b"], np.array([[np.nan, 1], [0, 1]]), "finite, non-negative"),
    (["a", "b"], np.array([[-0.5, 1.5], [0, 1]]), "finite, non-negative"),
])
def test_check_weights_rejects_bad_inputs(words, weights, message):
    with pytest.raises(ValueError, match=message):
        explore.check_weights(words, weights)


def test_bad_positions_and_k_are_refused():
    words, weights = ["a", "b"], np.eye(2)
    with pytest.raises(ValueError, match="position must lie"):
        explore.top_attended(words, weights, 2)
    with pytest.raises(ValueError, match="whole number"):
        explore.top_attended(words, weights, 0.5)
    with pytest.raises(ValueError, match="k must be"):
        explore.top_attended(words, weights, 0, k=0)


def test_heatmap_and_arrows_draw_on_axes():
    fig = Figure()
    left, right = fig.subplots(1, 2)
    words = SENTENCES[0].split()
    weights = weights_for(SENTENCES[:1])[0]
    image = explore.attention_heatmap(left, words, weights, position=6)
    assert image.get_array().shape == (7, 7) and len(left.patches) == 1  # the outlined row
    assert [t.get_text() for t in left.get_xticklabels()] == words
    explore.attention_arrows(right, words, weights, 6)
    shown = [t.get_text() for t in right.texts]
    assert all(w in shown for w in words)
    assert len(right.patches) == int(np.sum(weights[6] >= 0.02))  # one arrow per visible weight
    assert "dish" in right.get_title()


def test_explorer_follows_the_sentence_and_the_word():
    explorer = explore.attention_explorer(SENTENCES, weights_for(SENTENCES, padded=10), focus=[6, 4])
    assert explorer.controls["word"].value == 6 and "'dish' attends most to" in html.unescape(explorer.status.value)
    count, before = explorer.draw_count, explorer.view.value
    explorer.controls["sentence"].value = 1  # the word list follows, in one redraw
    assert explorer.draw_count == count + 1 and explorer.view.value != before
    assert explorer.controls["word"].value == 4
    assert [label for label, _ in explorer.controls["word"].options][3] == "3: satellite"
    explorer.controls["word"].value = 3
    assert "'satellite' attends most to" in html.unescape(explorer.status.value)
    assert len(explorer.figure.axes) == 3  # heatmap, its colour bar, the arrows


def test_explorer_shows_the_right_weights():
    weights = weights_for(SENTENCES)
    explorer = explore.attention_explorer(SENTENCES, weights, sentence=1, focus=[0, 3])
    best = explore.top_attended(SENTENCES[1].split(), weights[1], 3, k=1)[0]
    assert f"{best[0]} ({best[1]:.2f})" in explorer.status.value


@pytest.mark.parametrize("kwargs, message", [
    ({"weights": weights_for(SENTENCES[:1])}, "one matrix per sentence"),
    ({"weights": [np.eye(3), np.eye(8)]}, r"weights\[0\] must be at least \(7, 7\)"),
    ({"focus": [9, 0]}, r"focus\[0\] = 9 is outside"),
    ({"focus": [0]}, "one word position per sentence"),
    ({"sentence": 2}, "sentence must lie"),
])
def test_explorer_rejects_bad_arguments(kwargs, message):
    arguments = {"sentences": SENTENCES, "weights": weights_for(SENTENCES), **kwargs}
    with pytest.raises(ValueError, match=message):
        explore.attention_explorer(**arguments)


def test_explorer_refuses_an_empty_sentence():
    with pytest.raises(ValueError, match="at least one word"):
        explore.attention_explorer(["", "a b"], [np.eye(1), np.eye(2)])
