"""Notebook 40's encoder helpers: the masking rule, masked copies and accuracies, the Keras encoder
block and tiny BERT against their NumPy forward passes, attention by offset, figures and the
masked-word explorer; bad inputs get a clear ValueError."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.attention import core, encoder  # noqa: E402

RNG = np.random.default_rng(40)


# ------------------------------------------------------------------------------- masking
def test_masking_rule_by_band():
    ids = np.array([5, 6, 7, 8, 9])
    chosen = np.array([True, True, True, True, False])
    draws = np.array([0.1, 0.85, 0.95, 0.8, 0.1])
    random_ids = np.array([2, 3, 4, 1, 2])
    out = encoder.apply_masking_rule(ids, chosen, draws, random_ids, mask_id=0)
    assert out.tolist() == [0, 3, 7, 1, 9]
    assert ids.tolist() == [5, 6, 7, 8, 9]  # the input is not changed in place


@pytest.mark.parametrize("kwargs, match", [
    (dict(chosen=np.ones(4, bool)), "chosen must have the shape"),
    (dict(chosen=np.ones(5, int)), "boolean"),
    (dict(draws=np.full(5, 1.0)), r"\[0, 1\)"),
    (dict(draws=np.full(5, np.nan)), "NaN"),
    (dict(random_ids=np.ones((5, 1), int)), "random_ids must have the shape"),
    (dict(ids=np.ones(5)), "integer token ids"),
])
def test_masking_rule_bad_inputs(kwargs, match):
    arguments = dict(ids=np.arange(5), chosen=np.ones(5, bool), draws=np.full(5, 0.5),
                     random_ids=np.ones(5, int), mask_id=0)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=match):
        encoder.apply_masking_rule(**arguments)


def test_mask_tokens_rates_and_never_unk_or_unmaskable():
    ids = RNG.integers(1, 50, size=(400, 25))
    ids[:, 0] = 0
    inputs, chosen = encoder.mask_tokens(ids, 50, 51, seed=3, maskable=ids != 0)
    assert inputs.shape == ids.shape and chosen.dtype == bool
    assert not chosen[:, 0].any() and np.all(inputs[~chosen] == ids[~chosen])
    assert 0.13 < chosen.mean() < 0.17
    masked = inputs[chosen] == 50
    kept = inputs[chosen] == ids[chosen]
    assert 0.77 < masked.mean() < 0.83 and 0.08 < kept.mean() < 0.13  # kept: 10% + lucky randoms
    assert np.all((inputs >= 0) & (inputs <= 50)) and not np.any(inputs[chosen] == 0)
    again, _ = encoder.mask_tokens(ids, 50, 51, seed=3, maskable=ids != 0)
    assert np.array_equal(inputs, again)


@pytest.mark.parametrize("kwargs, match", [
    (dict(vocabulary_size=2), "vocabulary_size"),
    (dict(mask_id=60), "mask_id"),
    (dict(rate=1.5), "rate"),
    (dict(maskable=np.ones((2, 3), bool)), "maskable"),
])
def test_mask_tokens_bad_inputs(kwargs, match):
    arguments = dict(ids=np.ones((3, 4), int), mask_id=9, vocabulary_size=10)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=match):
        encoder.mask_tokens(**arguments)
    with pytest.raises(ValueError, match="ids must lie"):
        encoder.mask_tokens(np.full((2, 2), 12), 9, 10)


def test_word_windows_masked_copies_and_accuracies():
    ids = np.arange(1, 24)
    windows = encoder.word_windows(ids, 5)
    assert windows.shape == (4, 5) and windows[1, 0] == 6
    inputs, targets, weights = encoder.masked_copies(np.tile(windows, (20, 1)), 30, 31, copies=3, seed=1)
    assert inputs.shape == targets.shape == weights.shape == (240, 5)
    assert weights.dtype == np.float32 and np.isclose(weights.mean(), 1.0)
    assert np.all(inputs[weights == 0] == targets[weights == 0])
    first, _ = encoder.mask_tokens(np.tile(windows, (20, 1)), 30, 31, seed=1,
                                   maskable=np.tile(windows, (20, 1)) != 0)
    assert np.array_equal(inputs[:80], first)
    logits = np.eye(31)[targets]  # a perfect model
    assert encoder.masked_accuracy(logits, targets, weights > 0) == 1.0
    best, share = encoder.most_frequent_accuracy(np.array([0, 0, 0, 3, 3, 4]), np.array([3, 4, 3, 2]))
    assert best == 3 and share == 0.5


def test_window_and_accuracy_bad_inputs():
    with pytest.raises(ValueError, match="1-D"):
        encoder.word_windows(np.ones((2, 3), int), 2)
    with pytest.raises(ValueError, match="fewer than one window"):
        encoder.word_windows(np.arange(3), 5)
    with pytest.raises(ValueError, match="length"):
        encoder.word_windows(np.arange(10), 1)
    with pytest.raises(ValueError, match="copies"):
        encoder.masked_copies(np.ones((2, 4), int), 5, 6, copies=0)
    with pytest.raises(ValueError, match="2-D"):
        encoder.masked_copies(np.ones(4, int), 5, 6)
    with pytest.raises(ValueError, match="vocabulary axis"):
        encoder.masked_accuracy(np.zeros((2, 3)), np.zeros((2, 3), int), np.ones((2, 3), bool))
    with pytest.raises(ValueError, match="at least one True"):
        encoder.masked_accuracy(np.zeros((2, 3, 4)), np.zeros((2, 3), int), np.zeros((2, 3), bool))
    with pytest.raises(ValueError, match="not be empty"):
        encoder.most_frequent_accuracy(np.array([], int), np.array([1]))


# ------------------------------------------------------------------------- Keras vs NumPy
@pytest.fixture(scope="module")
def tiny_model():
    import keras

    keras.utils.set_random_seed(0)
    return encoder.build_tiny_bert(vocabulary_size=13, length=6, width=8, num_heads=2, ff_dim=12,
                                   num_layers=2)


def test_block_in_numpy_equals_keras_stage_by_stage():
    import keras

    keras.utils.set_random_seed(1)
    block = encoder.encoder_block(num_heads=2, key_dim=3, ff_dim=10)
    x = RNG.normal(size=(2, 5, 6)).astype("float32")
    keras_out, keras_scores = block(x, return_attention_scores=True)
    stages = encoder.encoder_block_stages(x, encoder.block_weights(block))
    assert list(stages) == ["input", "attention", "scores", "add_norm_1", "ffn_hidden", "ffn_output",
                            "output"]
    assert stages["scores"].shape == (2, 2, 5, 5) and stages["ffn_hidden"].shape == (2, 5, 10)
    np.testing.assert_allclose(stages["output"], keras_out, atol=1e-5)
    np.testing.assert_allclose(stages["scores"], keras_scores, atol=1e-6)
    np.testing.assert_allclose(stages["add_norm_1"].mean(-1), 0.0, atol=1e-6)  # gamma 1, beta 0
    mask = np.tril(np.ones((5, 5), bool))[None]
    masked, scores = encoder.encoder_block_forward(x, encoder.block_weights(block), mask)
    np.testing.assert_allclose(masked, block(x, attention_mask=mask), atol=1e-5)
    assert np.all(scores[..., 0, 1:] == 0)
    config = block.get_config()
    clone = type(block).from_config(config)
    assert (clone.num_heads, clone.key_dim, clone.ff_dim) == (2, 3, 10)


def test_tiny_bert_numpy_forward_equals_keras_and_predict_masked(tiny_model):
    ids = RNG.integers(0, 13, size=(3, 6))
    weights = encoder.bert_weights(tiny_model)
    logits, scores = encoder.bert_forward(weights, ids)
    np.testing.assert_allclose(logits, tiny_model.predict(ids, verbose=0), atol=1e-4)
    assert len(scores) == 2 and scores[0].shape == (3, 2, 6, 6)
    np.testing.assert_allclose(scores[1].sum(-1), 1.0, atol=1e-9)
    shorter, _ = encoder.bert_forward(weights, ids[:, :4])  # fewer tokens than the model's length
    assert shorter.shape == (3, 4, 13)
    probabilities, per_layer = encoder.predict_masked(weights, ids[0], 2, mask_id=12)
    assert probabilities.shape == (13,) and np.isclose(probabilities.sum(), 1.0)
    assert per_layer[0].shape == (2, 6, 6)


def test_builders_and_forward_bad_inputs(tiny_model):
    weights = encoder.bert_weights(tiny_model)
    with pytest.raises(ValueError, match="divisible"):
        encoder.build_tiny_bert(10, 4, width=10, num_heads=3)
    with pytest.raises(ValueError, match="num_layers"):
        encoder.build_tiny_bert(10, 4, num_layers=0)
    with pytest.raises(ValueError, match="num_heads"):
        encoder.encoder_block(0, 4, 8)
    with pytest.raises(ValueError, match="dropout"):
        encoder.encoder_block(2, 4, 8, dropout=1.0)
    with pytest.raises(ValueError, match="at most 6 tokens"):
        encoder.bert_forward(weights, np.zeros((1, 7), int))
    with pytest.raises(ValueError, match="ids must lie"):
        encoder.bert_forward(weights, np.full((1, 3), 13))
    with pytest.raises(ValueError, match="weights lack"):
        encoder.bert_forward({"embedding": 1}, np.zeros((1, 3), int))
    with pytest.raises(ValueError, match="x must be"):
        encoder.encoder_block_stages(np.zeros((1, 6, 5)), weights["blocks"][0])
    with pytest.raises(ValueError, match="mask of shape"):  # a mask of the wrong size
        encoder.encoder_block_stages(np.zeros((1, 6, 8)), weights["blocks"][0], np.ones((1, 5, 5), bool))
    with pytest.raises(ValueError, match="block weights lack"):
        encoder.encoder_block_stages(np.zeros((1, 6, 8)), {"attention": []})
    with pytest.raises(ValueError, match="built EncoderBlock"):
        encoder.block_weights(object())
    with pytest.raises(ValueError, match="build_tiny_bert"):
        import keras

        encoder.bert_weights(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]))
    with pytest.raises(ValueError, match="position"):
        encoder.predict_masked(weights, np.zeros(6, int), 6, 12)
    with pytest.raises(ValueError, match="one sequence"):
        encoder.predict_masked(weights, np.zeros((2, 6), int), 1, 12)


# ------------------------------------------------------------------------ heads and figures
def test_attention_by_offset_on_known_patterns():
    length = 6
    previous = np.zeros((1, 1, length, length))
    previous[0, 0, 0, 0] = 1.0
    previous[0, 0, np.arange(1, length), np.arange(length - 1)] = 1.0  # each word reads the one before
    uniform = np.full((1, 1, length, length), 1 / length)
    table = encoder.attention_by_offset(np.concatenate([previous, uniform], axis=1), 2)
    assert table.shape == (2, 5)
    np.testing.assert_allclose(table[0], [0, 1, 1 / length, 0, 0])
    np.testing.assert_allclose(table[1], 1 / length)
    only_last = np.zeros((1, length), bool)
    only_last[0, -1] = True
    np.testing.assert_allclose(encoder.attention_by_offset(previous, 2, only_last)[0],
                               [0, 1, 0, np.nan, np.nan])


def test_attention_by_offset_bad_inputs():
    scores = core.softmax(RNG.normal(size=(2, 2, 4, 4)))
    with pytest.raises(ValueError, match="batch, heads, T, T"):
        encoder.attention_by_offset(scores[0], 2)
    with pytest.raises(ValueError, match="max_offset"):
        encoder.attention_by_offset(scores, 4)
    with pytest.raises(ValueError, match="queries must be"):
        encoder.attention_by_offset(scores, 2, np.ones((2, 3), bool))
    with pytest.raises(ValueError, match="queries must be"):
        encoder.attention_by_offset(scores, 2, np.ones((2, 4), int))


def test_attention_lift_by_hand_and_bad_inputs():
    ids = np.array([[4, 5, 4, 6]])
    to_first = np.zeros((1, 1, 4, 4))
    to_first[..., 0] = 1.0  # every query looks at position 0, which holds id 4
    uniform = np.full((1, 1, 4, 4), 0.25)
    lift = encoder.attention_lift(np.concatenate([to_first, uniform], axis=1), ids, [4, 5])
    np.testing.assert_allclose(lift, [[2.0, 0.0], [1.0, 1.0]])  # id 4 holds half the keys
    with pytest.raises(ValueError, match="ids must have shape"):
        encoder.attention_lift(uniform, np.array([[4, 5, 4]]), [4])
    with pytest.raises(ValueError, match="does not occur"):
        encoder.attention_lift(uniform, ids, [9])
    with pytest.raises(ValueError, match="batch, heads, T, T"):
        encoder.attention_lift(uniform[0], ids, [4])


def test_draw_attention_and_its_bad_input():
    fig, ax = plt.subplots()
    image = encoder.draw_attention(ax, np.eye(3), ["a", "b", "c"], title="head 1")
    assert image.get_array().shape == (3, 3) and ax.get_title() == "head 1"
    with pytest.raises(ValueError, match="for 2 words"):
        encoder.draw_attention(ax, np.eye(3), ["a", "b"])
    plt.close(fig)


def test_masked_word_explorer_redraws_and_rejects_bad_input(tiny_model):
    weights = encoder.bert_weights(tiny_model)
    words = [f"w{i}" for i in range(12)] + [encoder.MASK_TOKEN]
    sentences = [RNG.integers(0, 12, size=6) for _ in range(3)]
    explorer = encoder.masked_word_explorer(weights, sentences, words, mask_id=12, position=2)
    first = explorer.view.value
    assert "masked" in explorer.status.value and "rank" in explorer.status.value
    explorer.controls["layer"].value = 2
    explorer.controls["position"].value = 4
    assert explorer.view.value != first and "Layer 2" in explorer.figure.axes[1].get_title()
    with pytest.raises(ValueError, match="vocabulary has"):
        encoder.masked_word_explorer(weights, sentences, words[:-1], mask_id=12)
    with pytest.raises(ValueError, match="same number"):
        encoder.masked_word_explorer(weights, [np.arange(6), np.arange(5)], words, mask_id=12)
    with pytest.raises(ValueError, match="position"):
        encoder.masked_word_explorer(weights, sentences, words, mask_id=12, position=6)
    with pytest.raises(ValueError, match="layer"):
        encoder.masked_word_explorer(weights, sentences, words, mask_id=12, layer=3)
