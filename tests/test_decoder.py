"""The decoder helpers of notebook 41: Keras layers and their NumPy twins, sampling, the date task, figures."""

import datetime as dt

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

keras = pytest.importorskip("keras")

from utils.attention import decoder  # noqa: E402
from utils.sequences import language_model  # noqa: E402

RNG = np.random.default_rng(41)


@pytest.fixture(scope="module")
def tiny_gpt():
    keras.utils.set_random_seed(0)
    model = decoder.build_gpt(7, 6, width=8, heads=2, layers=2)
    model(np.zeros((1, 6), dtype="int32"))
    return model


@pytest.fixture(scope="module")
def tiny_translator():
    keras.utils.set_random_seed(1)
    model = decoder.build_translator(len(decoder.DATE_WORDS), len(decoder.TARGET_TOKENS), 12, 10,
                                     width=8, heads=2)
    model([np.ones((1, 12), dtype="int32"), np.zeros((1, 10), dtype="int32")])
    return model


# ---------------------------------------------------------------- layers and NumPy twins


def test_positional_embedding_adds_a_vector_per_position():
    layer = decoder.PositionalEmbedding(5, 4, 3)
    ids = np.array([[1, 1, 1]], dtype="int32")
    out = np.asarray(layer(ids))
    tokens, positions = (np.asarray(w) for w in layer.get_weights())
    assert out.shape == (1, 3, 3)
    assert np.allclose(out[0], tokens[1] + positions[:3], atol=1e-6)
    config = layer.get_config()
    assert (config["vocabulary_size"], config["max_length"], config["width"]) == (5, 4, 3)


@pytest.mark.parametrize("kwargs, match", [
    ({"vocabulary_size": 0, "max_length": 4, "width": 3}, "vocabulary_size"),
    ({"vocabulary_size": 5, "max_length": 2.5, "width": 3}, "max_length"),
    ({"vocabulary_size": 5, "max_length": 4, "width": True}, "width"),
])
def test_positional_embedding_bad_sizes(kwargs, match):
    with pytest.raises(ValueError, match=match):
        decoder.PositionalEmbedding(**kwargs)


@pytest.mark.parametrize("cross", [False, True])
def test_decoder_block_numpy_equals_keras(cross):
    keras.utils.set_random_seed(2)
    block = decoder.DecoderBlock(8, 2, 16, cross_attention=cross)
    x = RNG.normal(size=(2, 5, 8)).astype("float32")
    context = RNG.normal(size=(2, 4, 8)).astype("float32") if cross else None
    context_mask = np.array([[[True, True, True, False]], [[True, True, False, False]]]) if cross else None
    theirs = np.asarray(block(x, context=context, context_mask=context_mask))
    ours, scores = decoder.decoder_block_forward(x, decoder.block_weights(block), context=context,
                                                 context_mask=context_mask)
    assert np.allclose(ours, theirs, atol=1e-5)
    assert scores["self_attention"].shape == (2, 2, 5, 5)
    assert np.allclose(np.triu(scores["self_attention"], 1), 0)  # causal: nothing above the diagonal
    if cross:
        assert scores["cross_attention"].shape == (2, 2, 5, 4)
        assert np.allclose(scores["cross_attention"][1, :, :, 2:], 0)  # padded encoder positions


def test_the_causal_block_ignores_the_future():
    keras.utils.set_random_seed(3)
    block = decoder.DecoderBlock(8, 2, 16)
    x = RNG.normal(size=(1, 6, 8)).astype("float32")
    changed = x.copy()
    changed[0, 4:] += 5.0
    before, after = np.asarray(block(x)), np.asarray(block(changed))
    assert np.allclose(before[0, :4], after[0, :4], atol=1e-6)
    assert not np.allclose(before[0, 4:], after[0, 4:], atol=1e-3)


def test_decoder_block_bad_inputs():
    with pytest.raises(ValueError, match="divisible"):
        decoder.DecoderBlock(10, 3, 16)
    with pytest.raises(ValueError, match="heads"):
        decoder.DecoderBlock(8, 0, 16)
    keras.utils.set_random_seed(4)
    block = decoder.DecoderBlock(8, 2, 16, cross_attention=True)
    x = np.zeros((1, 3, 8), dtype="float32")
    block(x, context=np.zeros((1, 2, 8), dtype="float32"))
    weights = decoder.block_weights(block)
    with pytest.raises(ValueError, match="context"):
        decoder.decoder_block_forward(x, weights)
    with pytest.raises(ValueError, match="features"):
        decoder.decoder_block_forward(np.zeros((1, 3, 6)), weights, context=np.zeros((1, 2, 8)))
    with pytest.raises(ValueError, match="3-D"):
        decoder.decoder_block_forward(np.zeros((3, 8)), weights)
    with pytest.raises(ValueError, match="batch"):
        decoder.decoder_block_forward(x, weights, context=np.zeros((2, 2, 8)))
    with pytest.raises(ValueError):  # a context mask of the wrong size
        decoder.decoder_block_forward(x, weights, context=np.zeros((1, 2, 8)),
                                      context_mask=np.ones((1, 1, 5), dtype=bool))
    with pytest.raises(ValueError, match="block_weights"):
        decoder.decoder_block_forward(x, {"norm_1": [np.ones(8), np.zeros(8)]})
    with pytest.raises(ValueError, match="built DecoderBlock"):
        decoder.block_weights(decoder.DecoderBlock(8, 2, 16))


def test_gpt_numpy_equals_keras(tiny_gpt):
    ids = RNG.integers(0, 7, size=(3, 6)).astype("int32")
    weights = decoder.gpt_weights(tiny_gpt)
    logits, scores = decoder.gpt_forward(weights, ids, return_scores=True)
    assert logits.shape == (3, 6, 7) and len(scores) == 2
    assert np.allclose(logits, np.asarray(tiny_gpt(ids)), atol=1e-5)
    assert np.allclose(decoder.gpt_forward(weights, ids[0, :4])[0], logits[0, :4], atol=1e-9)  # causal


def test_gpt_forward_bad_inputs(tiny_gpt):
    weights = decoder.gpt_weights(tiny_gpt)
    with pytest.raises(ValueError, match="context"):
        decoder.gpt_forward(weights, np.zeros((1, 7), dtype=int))
    with pytest.raises(ValueError, match="0..6"):
        decoder.gpt_forward(weights, np.array([[1, 9]]))
    with pytest.raises(ValueError, match="integer ids"):
        decoder.gpt_forward(weights, np.array([[0.5, 1.0]]))
    with pytest.raises(ValueError, match="build_gpt"):
        decoder.gpt_weights(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))
    with pytest.raises(ValueError, match="layers"):
        decoder.build_gpt(7, 6, layers=0)


def test_translator_numpy_equals_keras(tiny_translator):
    texts, isos = decoder.date_pairs(3, seed=5)
    source, target = decoder.encode_dates(texts, isos)
    target_in = decoder.shift_right(target, 0)
    weights = decoder.translator_weights(tiny_translator)
    logits, cross = decoder.translator_forward(weights, source, target_in)
    assert logits.shape == (3, 10, len(decoder.TARGET_TOKENS))
    assert np.allclose(logits, np.asarray(tiny_translator([source, target_in])), atol=1e-5)
    assert cross[0].shape == (3, 2, 10, 12)
    assert np.allclose(cross[0][source[:, None, None, :].repeat(10, 2).repeat(2, 1) == 0], 0)
    with pytest.raises(ValueError, match="batch"):
        decoder.translator_forward(weights, source[:2], target_in)
    with pytest.raises(ValueError, match="longer"):
        decoder.translator_forward(weights, np.ones((1, 13), dtype=int), target_in[:1])
    with pytest.raises(ValueError, match="build_translator"):
        decoder.translator_weights(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))


def test_greedy_translate_shapes(tiny_translator):
    texts, isos = decoder.date_pairs(4, seed=6)
    strings, ids = decoder.greedy_translate(tiny_translator, decoder.encode_dates(texts))
    assert ids.shape == (4, 10) and len(strings) == 4 and all(len(s) == 10 for s in strings)
    with pytest.raises(ValueError, match="length"):
        decoder.greedy_translate(tiny_translator, decoder.encode_dates(texts), length=0)


# ---------------------------------------------------------------- teacher forcing and sampling


def test_shift_right():
    y = np.array([[3, 4, 5], [6, 7, 8]])
    assert np.array_equal(decoder.shift_right(y, 0), [[0, 3, 4], [0, 6, 7]])
    assert np.array_equal(decoder.shift_right([1, 2], 9), [[9, 1]])
    with pytest.raises(ValueError, match="targets"):
        decoder.shift_right(np.zeros((2, 2, 2), dtype=int), 0)
    with pytest.raises(ValueError, match="targets"):
        decoder.shift_right(np.array([[0.5, 1.5]]), 0)


def test_top_k_logits_keeps_the_k_largest_of_each_row():
    z = np.array([[1.0, 3.0, 2.0, 0.0], [5.0, -1.0, 4.0, 6.0]])
    kept = decoder.top_k_logits(z, 2)
    assert np.array_equal(np.isfinite(kept), [[False, True, True, False], [True, False, False, True]])
    assert np.array_equal(decoder.top_k_logits(z, 10), z)
    assert np.isfinite(decoder.top_k_logits([2.0, 2.0, 1.0], 1)).sum() == 2  # ties are kept
    with pytest.raises(ValueError, match="k must"):
        decoder.top_k_logits(z, 0)
    with pytest.raises(ValueError, match="finite"):
        decoder.top_k_logits([1.0, np.nan], 1)


def test_next_token_probabilities():
    z = np.array([2.0, 1.0, 0.0, -1.0])
    p = decoder.next_token_probabilities(z, 1.0, 2)
    assert np.isclose(p.sum(), 1) and p[2] == p[3] == 0
    assert np.isclose(p[0] / p[1], np.e)
    assert np.isclose(decoder.next_token_probabilities(z, 0.5, 2)[0] / 
                      decoder.next_token_probabilities(z, 0.5, 2)[1], np.e**2)
    assert np.allclose(decoder.next_token_probabilities(z), language_model.softmax_with_temperature(z))
    with pytest.raises(ValueError, match="temperature"):
        decoder.next_token_probabilities(z, 0.0)
    with pytest.raises(ValueError, match="temperature"):
        decoder.next_token_probabilities(z, -1.0, 2)
    with pytest.raises(ValueError, match="top_k"):
        decoder.next_token_probabilities(z, 1.0, 0)
    with pytest.raises(ValueError, match="top_k"):
        decoder.next_token_probabilities(z, 1.0, 2.5)


def _bigram_logits(table):
    return lambda ids: np.log(table[ids])  # (1, T) -> (1, T, V)


def test_generate_is_seeded_greedy_at_zero_and_respects_top_k():
    table = np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.2, 0.2, 0.6]])
    ids, first = decoder.generate(_bigram_logits(table), [0], 5, 4, temperature=0.0)
    assert np.array_equal(ids, [1, 0, 1, 0, 1]) and np.array_equal(first, [0, 1, 0])
    a, _ = decoder.generate(_bigram_logits(table), [2], 50, 4, temperature=1.0, seed=3)
    b, _ = decoder.generate(_bigram_logits(table), [2], 50, 4, temperature=1.0, seed=3)
    assert np.array_equal(a, b)
    one, _ = decoder.generate(_bigram_logits(table), [2], 20, 4, top_k=1, seed=4)
    assert set(one.tolist()) == {2}


@pytest.mark.parametrize("kwargs, match", [
    ({"prompt": []}, "prompt"),
    ({"prompt": [[1]]}, "prompt"),
    ({"length": 0}, "length"),
    ({"context_length": 0}, "context_length"),
    ({"temperature": -0.5}, "temperature"),
    ({"temperature": float("nan")}, "temperature"),
    ({"top_k": 0}, "top_k"),
])
def test_generate_bad_inputs(kwargs, match):
    arguments = {"prompt": [0], "length": 3, "context_length": 4, **kwargs}
    with pytest.raises(ValueError, match=match):
        decoder.generate(_bigram_logits(np.full((3, 3), 1 / 3)), **arguments)


# ---------------------------------------------------------------- the date task


@pytest.mark.parametrize("date, style, words", [
    (dt.date(1999, 5, 3), 0, "the third of may nineteen ninety-nine"),
    (dt.date(2008, 11, 21), 1, "november the twenty-first two thousand and eight"),
    (dt.date(1905, 1, 30), 2, "thirtieth of january nineteen oh five"),
    (dt.date(2000, 12, 20), 3, "december twentieth two thousand"),
    (dt.date(2014, 7, 4), 0, "the fourth of july twenty fourteen"),
    (dt.date(1900, 2, 1), 3, "february first nineteen hundred"),
])
def test_date_in_words(date, style, words):
    assert decoder.date_in_words(date, style) == words


def test_date_in_words_bad_inputs():
    with pytest.raises(ValueError, match="date"):
        decoder.date_in_words("1999-05-03")
    with pytest.raises(ValueError, match="style"):
        decoder.date_in_words(dt.date(1999, 5, 3), 4)


def test_date_pairs_are_seeded_distinct_and_respect_exclude():
    texts, isos = decoder.date_pairs(200, seed=1)
    assert len(set(isos)) == 200 and decoder.date_pairs(200, seed=1) == (texts, isos)
    for text, iso in zip(texts[:20], isos[:20]):
        assert decoder.date_in_words(dt.date.fromisoformat(iso), 0).split()[-1] in text
    _, others = decoder.date_pairs(300, seed=2, exclude=isos)
    assert not set(others) & set(isos)
    with pytest.raises(ValueError, match="only"):
        decoder.date_pairs(400, first_year=2000, last_year=2000)
    with pytest.raises(ValueError, match="n must"):
        decoder.date_pairs(0)
    with pytest.raises(ValueError, match="first_year"):
        decoder.date_pairs(5, first_year=2000, last_year=1999)


def test_encode_dates():
    source, target = decoder.encode_dates(["the first of may two thousand"], ["2000-05-01"])
    assert source.shape == (1, 12) and target.shape == (1, 10)
    assert [decoder.DATE_WORDS[i] for i in source[0] if i] == "the first of may two thousand".split()
    assert "".join(decoder.TARGET_TOKENS[i] for i in target[0]) == "2000-05-01"
    assert 0 not in target  # id 0 is <start>, never a target
    with pytest.raises(ValueError, match="not in DATE_WORDS"):
        decoder.encode_dates(["the first of brumaire"])
    with pytest.raises(ValueError, match="source_length"):
        decoder.encode_dates(["the first of may two thousand"], source_length=3)
    with pytest.raises(ValueError, match="same length"):
        decoder.encode_dates(["may first two thousand"], ["2000-05-01", "2000-05-02"])
    with pytest.raises(ValueError, match="10 characters"):
        decoder.encode_dates(["may first two thousand"], ["2000/05/01"])


def test_exact_match():
    assert decoder.exact_match(["2000-01-01", "1999-12-31"], ["2000-01-01", "1999-12-30"]) == 0.5
    with pytest.raises(ValueError, match="same length"):
        decoder.exact_match(["a"], ["a", "b"])
    with pytest.raises(ValueError, match="non-empty"):
        decoder.exact_match([], [])


# ---------------------------------------------------------------- figures and the explorer


def test_draw_mask_and_attention():
    fig, (left, right) = plt.subplots(1, 2)
    decoder.draw_mask(left, np.tril(np.ones((3, 3), bool)), list("abc"), title="causal")
    image = decoder.draw_attention(right, np.full((2, 3), 1 / 3), ["x", "y"], list("abc"))
    assert left.get_title() == "causal" and image.get_array().shape == (2, 3)
    with pytest.raises(ValueError, match="labels"):
        decoder.draw_mask(left, np.ones((3, 3), bool), list("ab"))
    with pytest.raises(ValueError, match="weights"):
        decoder.draw_attention(right, np.ones((3, 2)), ["x", "y"], list("abc"))
    plt.close(fig)


def test_prompt_explorer_redraws_and_rejects_bad_prompts():
    vocabulary = language_model.char_vocabulary("the cat sat on a mat. ")
    keras.utils.set_random_seed(5)
    model = decoder.build_gpt(len(vocabulary), 8, width=8, heads=2, layers=1)
    model(np.zeros((1, 8), dtype="int32"))
    weights = decoder.gpt_weights(model)
    explorer = decoder.prompt_explorer(weights, vocabulary, ["the cat", "a mat"], length=20)
    assert "likeliest next character" in explorer.status.value
    explorer.controls["top_k"].value = 1
    assert "1 of" in explorer.status.value
    explorer.controls["prompt"].value = "THE CAT"
    assert "may use only" in explorer.status.value
    with pytest.raises(ValueError, match="prompts"):
        decoder.prompt_explorer(weights, vocabulary, [])
    with pytest.raises(ValueError, match="not in the vocabulary"):
        decoder.prompt_explorer(weights, vocabulary, ["dog"])
    other = language_model.char_vocabulary("abc")
    with pytest.raises(ValueError, match="tokens"):
        decoder.prompt_explorer(weights, other, ["abc"])
    plt.close("all")
