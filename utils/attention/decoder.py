"""The transformer decoder: causal self-attention, cross-attention, a tiny GPT and a tiny translator.

Keras layers (a learned token-and-position embedding, the decoder block), model builders, the same
forward passes in NumPy from ``utils.attention.core`` (checked equal to Keras), sampling with a
temperature and top-k, a seeded generator of dates written in words with their ISO form, greedy
decoding, figures and the prompt explorer. Introduced in notebook 41.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, Mapping, Sequence

import keras
import numpy as np
from matplotlib.figure import Figure

from utils.attention import core
from utils.plots import PALETTE

__all__ = [
    "PositionalEmbedding",
    "DecoderBlock",
    "build_gpt",
    "build_translator",
    "block_weights",
    "decoder_block_forward",
    "gpt_weights",
    "gpt_forward",
    "translator_weights",
    "translator_forward",
    "shift_right",
    "top_k_logits",
    "next_token_probabilities",
    "generate",
    "date_in_words",
    "date_pairs",
    "DATE_WORDS",
    "TARGET_TOKENS",
    "encode_dates",
    "greedy_translate",
    "exact_match",
    "draw_mask",
    "draw_attention",
    "prompt_explorer",
]


def _ids_2d(ids: Any, name: str, size: int | None = None) -> np.ndarray:
    """``ids`` as a 2-D integer array (a 1-D one gets a batch axis), ids checked against ``size``."""
    array = np.asarray(ids)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.dtype.kind not in "iu":
        raise ValueError(f"{name} must be integer ids of shape (batch, time), got shape "
                         f"{array.shape} and dtype {array.dtype}")
    if array.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one time step")
    if size is not None and (array.min() < 0 or array.max() >= size):
        raise ValueError(f"{name} must lie in 0..{size - 1}, got {array.min()}..{array.max()}")
    return array


# ---------------------------------------------------------------------------------------------
# Keras layers and models
# ---------------------------------------------------------------------------------------------


@keras.saving.register_keras_serializable(package="course")
class PositionalEmbedding(keras.layers.Layer):
    """Token embedding plus a learned embedding of each position 0..max_length-1. Introduced in notebook 41."""

    def __init__(self, vocabulary_size: int, max_length: int, width: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.vocabulary_size = core.whole_number(vocabulary_size, "vocabulary_size", 1)
        self.max_length = core.whole_number(max_length, "max_length", 1)
        self.width = core.whole_number(width, "width", 1)
        self.tokens = keras.layers.Embedding(self.vocabulary_size, self.width, name="tokens")
        self.positions = keras.layers.Embedding(self.max_length, self.width, name="positions")

    def build(self, input_shape: Any) -> None:
        self.tokens.build(input_shape)
        self.positions.build((self.max_length,))
        super().build(input_shape)

    def call(self, ids: Any) -> Any:
        length = keras.ops.shape(ids)[-1]
        return self.tokens(ids) + self.positions(keras.ops.arange(length))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "vocabulary_size": self.vocabulary_size,
                "max_length": self.max_length, "width": self.width}


@keras.saving.register_keras_serializable(package="course")
class DecoderBlock(keras.layers.Layer):
    """Masked self-attention, optional cross-attention, feed-forward; each with residual + layer norm.

    Introduced in notebook 41. Post-norm, as in Vaswani et al. (2017): ``x = LN(x + sublayer(x))``.
    ``call(x, context=None, context_mask=None)``: ``context`` is the encoder's output (needed when
    the block was built with ``cross_attention=True``), ``context_mask`` (batch, 1, S) or
    (batch, T, S) says which encoder positions may be attended to (True = real token). With
    ``causal=False`` and no cross-attention the block is an encoder block.
    """

    def __init__(self, width: int, heads: int, ff_width: int, cross_attention: bool = False,
                 causal: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.width = core.whole_number(width, "width", 1)
        self.heads = core.whole_number(heads, "heads", 1)
        self.ff_width = core.whole_number(ff_width, "ff_width", 1)
        if self.width % self.heads:
            raise ValueError(f"width ({width}) must be divisible by heads ({heads})")
        self.cross_attention = bool(cross_attention)
        self.causal = bool(causal)
        key_dim = self.width // self.heads
        self.self_attention = keras.layers.MultiHeadAttention(self.heads, key_dim,
                                                              name="self_attention")
        self.norm_1 = keras.layers.LayerNormalization(name="norm_1")
        if self.cross_attention:
            self.cross = keras.layers.MultiHeadAttention(self.heads, key_dim, name="cross_attention")
            self.norm_2 = keras.layers.LayerNormalization(name="norm_2")
        self.ff_hidden = keras.layers.Dense(self.ff_width, activation="relu", name="ff_hidden")
        self.ff_out = keras.layers.Dense(self.width, name="ff_out")
        self.norm_3 = keras.layers.LayerNormalization(name="norm_3")

    def build(self, x_shape: Any, context_shape: Any = None) -> None:
        self.self_attention.build(x_shape, x_shape)
        self.norm_1.build(x_shape)
        if self.cross_attention:
            self.cross.build(x_shape, context_shape or x_shape)
            self.norm_2.build(x_shape)
        self.ff_hidden.build(x_shape)
        self.ff_out.build((*x_shape[:-1], self.ff_width))
        self.norm_3.build(x_shape)
        super().build(x_shape)

    def call(self, x: Any, context: Any = None, self_mask: Any = None,
             context_mask: Any = None) -> Any:
        attended = self.self_attention(x, x, attention_mask=self_mask,
                                       use_causal_mask=self.causal)
        x = self.norm_1(x + attended)
        if self.cross_attention:
            if context is None:
                raise ValueError("this block has cross-attention: pass the encoder's output as context")
            x = self.norm_2(x + self.cross(x, context, attention_mask=context_mask))
        return self.norm_3(x + self.ff_out(self.ff_hidden(x)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "width": self.width, "heads": self.heads,
                "ff_width": self.ff_width, "cross_attention": self.cross_attention,
                "causal": self.causal}


def build_gpt(vocabulary_size: int, context_length: int, width: int = 64, heads: int = 4,
              layers: int = 2, ff_width: int | None = None) -> keras.Model:
    """A tiny GPT: ids (batch, T ≤ context_length) → next-token logits (batch, T, V). Introduced in notebook 41."""
    core.whole_number(layers, "layers", 1)
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    x = PositionalEmbedding(vocabulary_size, context_length, width, name="embedding")(ids)
    for layer in range(layers):
        x = DecoderBlock(width, heads, ff_width or 4 * width, name=f"block_{layer + 1}")(x)
    logits = keras.layers.Dense(vocabulary_size, name="logits")(x)
    return keras.Model(ids, logits, name="tiny_gpt")


@keras.saving.register_keras_serializable(package="course")
class KeyPaddingMask(keras.layers.Layer):
    """(batch, S) ids → boolean (batch, 1, S), True where the id is not ``pad_id``. Introduced in notebook 41."""

    def __init__(self, pad_id: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pad_id = int(pad_id)

    def call(self, ids: Any) -> Any:
        return keras.ops.expand_dims(keras.ops.not_equal(ids, self.pad_id), axis=1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pad_id": self.pad_id}


def build_translator(source_vocabulary: int, target_vocabulary: int, source_length: int,
                     target_length: int, width: int = 64, heads: int = 4,
                     encoder_layers: int = 1, decoder_layers: int = 1,
                     ff_width: int | None = None) -> keras.Model:
    """Encoder–decoder: [source ids (B, S) with 0 = padding, target input (B, T)] → logits (B, T, V).

    Introduced in notebook 41. The encoder blocks attend to every real source word; the decoder
    blocks attend causally to the target so far and, through cross-attention, to the encoder.
    """
    core.whole_number(encoder_layers, "encoder_layers", 1)
    core.whole_number(decoder_layers, "decoder_layers", 1)
    ff = ff_width or 4 * width
    source = keras.Input(shape=(None,), dtype="int32", name="source")
    target = keras.Input(shape=(None,), dtype="int32", name="target_in")
    source_mask = KeyPaddingMask(0, name="source_mask")(source)
    x = PositionalEmbedding(source_vocabulary, source_length, width, name="source_embedding")(source)
    for layer in range(encoder_layers):
        x = DecoderBlock(width, heads, ff, causal=False,
                         name=f"encoder_{layer + 1}")(x, self_mask=source_mask)
    y = PositionalEmbedding(target_vocabulary, target_length, width, name="target_embedding")(target)
    for layer in range(decoder_layers):
        y = DecoderBlock(width, heads, ff, cross_attention=True,
                         name=f"decoder_{layer + 1}")(y, context=x, context_mask=source_mask)
    logits = keras.layers.Dense(target_vocabulary, name="logits")(y)
    return keras.Model([source, target], logits, name="tiny_translator")


# ---------------------------------------------------------------------------------------------
# The same forward passes in NumPy, from core's functions
# ---------------------------------------------------------------------------------------------


def block_weights(block: DecoderBlock) -> dict[str, list[np.ndarray]]:
    """A built DecoderBlock's weights by sub-layer, as float64 arrays. Introduced in notebook 41."""
    if not isinstance(block, DecoderBlock) or not block.built:
        raise ValueError("block must be a built DecoderBlock (call it or its model once first)")
    parts = {"self_attention": block.self_attention, "norm_1": block.norm_1,
             "ff_hidden": block.ff_hidden, "ff_out": block.ff_out, "norm_3": block.norm_3}
    if block.cross_attention:
        parts.update(cross_attention=block.cross, norm_2=block.norm_2)
    weights = {name: [np.asarray(w, dtype=np.float64) for w in layer.get_weights()]
               for name, layer in parts.items()}
    weights["config"] = [np.array([block.heads, block.causal, block.cross_attention])]
    return weights


def decoder_block_forward(x: Any, weights: Mapping[str, Sequence[Any]], context: Any = None,
                          self_mask: Any = None, context_mask: Any = None,
                          ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One decoder block in NumPy: returns (output (B, T, d), attention scores by name). Introduced in notebook 41.

    ``weights`` comes from ``block_weights``. The causal mask (when the block is causal) is
    combined with ``self_mask``; ``context_mask`` masks the encoder's positions.
    """
    if "config" not in weights:
        raise ValueError("weights must come from block_weights(block)")
    heads, causal, cross = (int(v) for v in np.asarray(weights["config"][0]))
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"x must be 3-D (batch, time, width), got shape {x.shape}")
    width = np.shape(weights["norm_1"][0])[0]
    if x.shape[-1] != width:
        raise ValueError(f"x has {x.shape[-1]} features, the block expects {width}")
    length = x.shape[1]
    mask = None
    if causal:
        mask = core.causal_mask(length)[None]  # (1, T, T)
    if self_mask is not None:
        self_mask = np.asarray(self_mask, dtype=bool)
        mask = self_mask if mask is None else np.logical_and(mask, self_mask)
    if mask is not None:
        mask = np.broadcast_to(mask, (x.shape[0], length, length))
    attended, self_scores = core.multi_head_attention(x, x, weights["self_attention"], heads,
                                                      mask=mask)
    x = core.layer_norm(x + attended, *weights["norm_1"])
    scores = {"self_attention": self_scores}
    if cross:
        if context is None:
            raise ValueError("this block has cross-attention: pass the encoder's output as context")
        context = np.asarray(context, dtype=np.float64)
        if context.ndim != 3 or context.shape[0] != x.shape[0]:
            raise ValueError(f"context must be (batch {x.shape[0]}, S, width), got {context.shape}")
        cmask = None
        if context_mask is not None:
            cmask = np.broadcast_to(np.asarray(context_mask, dtype=bool),
                                    (x.shape[0], length, context.shape[1]))
        crossed, cross_scores = core.multi_head_attention(x, context, weights["cross_attention"],
                                                          heads, mask=cmask)
        x = core.layer_norm(x + crossed, *weights["norm_2"])
        scores["cross_attention"] = cross_scores
    hidden_kernel, hidden_bias = weights["ff_hidden"]
    out_kernel, out_bias = weights["ff_out"]
    hidden = np.maximum(x @ hidden_kernel + hidden_bias, 0.0)
    x = core.layer_norm(x + hidden @ out_kernel + out_bias, *weights["norm_3"])
    return x, scores


def _embedding_weights(layer: PositionalEmbedding) -> tuple[np.ndarray, np.ndarray]:
    return (np.asarray(layer.tokens.get_weights()[0], dtype=np.float64),
            np.asarray(layer.positions.get_weights()[0], dtype=np.float64))


def gpt_weights(model: keras.Model) -> dict[str, Any]:
    """A model from ``build_gpt``'s weights (embeddings, blocks, output layer) as NumPy. Introduced in notebook 41."""
    try:
        embedding = model.get_layer("embedding")
        output = model.get_layer("logits")
    except (ValueError, AttributeError):
        raise ValueError("model must be built by build_gpt") from None
    tokens, positions = _embedding_weights(embedding)
    blocks = [block_weights(layer) for layer in model.layers if isinstance(layer, DecoderBlock)]
    kernel, bias = (np.asarray(w, dtype=np.float64) for w in output.get_weights())
    return {"tokens": tokens, "positions": positions, "blocks": blocks,
            "kernel": kernel, "bias": bias}


def gpt_forward(weights: Mapping[str, Any], ids: Any, return_scores: bool = False) -> Any:
    """Next-token logits (B, T, V) of the tiny GPT in NumPy; with ``return_scores`` also each block's attention.

    Introduced in notebook 41. ``ids`` (B, T) or (T,), T ≤ the context length.
    """
    tokens, positions = weights["tokens"], weights["positions"]
    ids = _ids_2d(ids, "ids", len(tokens))
    if ids.shape[1] > len(positions):
        raise ValueError(f"ids has {ids.shape[1]} positions, the model's context is {len(positions)}")
    x = tokens[ids] + positions[: ids.shape[1]]
    all_scores = []
    for block in weights["blocks"]:
        x, scores = decoder_block_forward(x, block)
        all_scores.append(scores["self_attention"])
    logits = x @ weights["kernel"] + weights["bias"]
    return (logits, all_scores) if return_scores else logits


def translator_weights(model: keras.Model) -> dict[str, Any]:
    """A model from ``build_translator``'s weights as NumPy. Introduced in notebook 41."""
    try:
        source = _embedding_weights(model.get_layer("source_embedding"))
        target = _embedding_weights(model.get_layer("target_embedding"))
        kernel, bias = (np.asarray(w, dtype=np.float64) for w in model.get_layer("logits").get_weights())
    except (ValueError, AttributeError):
        raise ValueError("model must be built by build_translator") from None
    blocks = [layer for layer in model.layers if isinstance(layer, DecoderBlock)]
    return {"source": source, "target": target, "kernel": kernel, "bias": bias,
            "encoder": [block_weights(b) for b in blocks if not b.cross_attention],
            "decoder": [block_weights(b) for b in blocks if b.cross_attention]}


def translator_forward(weights: Mapping[str, Any], source_ids: Any, target_in: Any,
                       ) -> tuple[np.ndarray, list[np.ndarray]]:
    """Encoder–decoder in NumPy: (logits (B, T, V), cross-attention scores (B, H, T, S) per decoder block).

    Introduced in notebook 41. Source id 0 is padding: masked in every attention over the source.
    """
    (source_tokens, source_positions), (target_tokens, target_positions) = (
        weights["source"], weights["target"])
    source_ids = _ids_2d(source_ids, "source_ids", len(source_tokens))
    target_in = _ids_2d(target_in, "target_in", len(target_tokens))
    if source_ids.shape[0] != target_in.shape[0]:
        raise ValueError(f"source_ids {source_ids.shape} and target_in {target_in.shape} must "
                         "share the batch axis")
    if source_ids.shape[1] > len(source_positions) or target_in.shape[1] > len(target_positions):
        raise ValueError("a sequence is longer than the model's positions: source "
                         f"{source_ids.shape[1]} > {len(source_positions)} or target "
                         f"{target_in.shape[1]} > {len(target_positions)}")
    source_mask = core.padding_mask(source_ids, pad_id=0)  # (B, 1, S)
    x = source_tokens[source_ids] + source_positions[: source_ids.shape[1]]
    for block in weights["encoder"]:
        x, _ = decoder_block_forward(x, block, self_mask=source_mask)
    y = target_tokens[target_in] + target_positions[: target_in.shape[1]]
    cross = []
    for block in weights["decoder"]:
        y, scores = decoder_block_forward(y, block, context=x, context_mask=source_mask)
        cross.append(scores["cross_attention"])
    return y @ weights["kernel"] + weights["bias"], cross


# ---------------------------------------------------------------------------------------------
# Teacher forcing, top-k, sampling
# ---------------------------------------------------------------------------------------------


def shift_right(targets: Any, start_id: int) -> np.ndarray:
    """Teacher forcing's decoder input: ``start_id`` then the targets without their last token. Introduced in notebook 41."""
    targets = _ids_2d(targets, "targets")
    start = np.full((targets.shape[0], 1), int(start_id), dtype=targets.dtype)
    return np.concatenate([start, targets[:, :-1]], axis=1)


def top_k_logits(logits: Any, k: int) -> np.ndarray:
    """``logits`` with all but the k largest of each row (last axis) set to −∞. Introduced in notebook 41."""
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim == 0 or not np.all(np.isfinite(z)):
        raise ValueError("logits must be a finite array with at least one axis")
    k = core.whole_number(k, "k", 1)
    if k >= z.shape[-1]:
        return z.copy()
    kth = np.sort(z, axis=-1)[..., -k][..., None]  # ties at the k-th value are all kept
    return np.where(z >= kth, z, -np.inf)


def next_token_probabilities(logits: Any, temperature: float = 1.0, top_k: int | None = None,
                             ) -> np.ndarray:
    """softmax(top-k(logits) / T) along the last axis; ``top_k=None`` keeps every token. Introduced in notebook 41."""
    from utils.sequences.language_model import softmax_with_temperature

    z = np.asarray(logits, dtype=np.float64)
    if z.ndim == 0 or not np.all(np.isfinite(z)):
        raise ValueError("logits must be a finite array with at least one axis")
    if top_k is None:
        return softmax_with_temperature(z, temperature)
    if isinstance(top_k, (bool, np.bool_)) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise ValueError(f"top_k must be None or a whole number >= 1, got {top_k!r}")
    kept = np.isfinite(top_k_logits(z, top_k))
    p = softmax_with_temperature(np.where(kept, z, z.min(axis=-1, keepdims=True)), temperature)
    p = np.where(kept, p, 0.0)
    return p / p.sum(axis=-1, keepdims=True)


def generate(logits_fn: Callable[[np.ndarray], np.ndarray], prompt: Any, length: int,
             context_length: int, temperature: float = 1.0, top_k: int | None = None,
             seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sample ``length`` ids after ``prompt``, one at a time: returns (ids, first next-token probabilities).

    Introduced in notebook 41. ``logits_fn`` maps ids (1, T) to logits (1, T, V); the model sees the
    last ``context_length`` ids. ``temperature=0`` decodes greedily (always the likeliest id).
    """
    prompt = np.asarray(prompt)
    if prompt.ndim != 1 or prompt.size == 0 or prompt.dtype.kind not in "iu":
        raise ValueError("prompt must be a non-empty 1-D sequence of integer ids")
    length = core.whole_number(length, "length", 1)
    context_length = core.whole_number(context_length, "context_length", 1)
    if not np.isscalar(temperature) or not np.isfinite(temperature) or temperature < 0:
        raise ValueError(f"temperature must be a number >= 0, got {temperature!r}")
    if top_k is not None and (isinstance(top_k, (bool, np.bool_))
                              or not isinstance(top_k, (int, np.integer)) or top_k < 1):
        raise ValueError(f"top_k must be None or a whole number >= 1, got {top_k!r}")
    rng = np.random.default_rng(seed)
    ids = [int(i) for i in prompt]
    out, first = [], None
    for _ in range(length):
        window = np.array(ids[-context_length:], dtype=np.int64)[None]
        logits = np.asarray(logits_fn(window))[0, -1]
        if temperature == 0:
            p = np.zeros_like(logits, dtype=np.float64)
            p[int(np.argmax(logits))] = 1.0
        else:
            p = next_token_probabilities(logits, temperature, top_k)
        if first is None:
            first = p
        token = int(rng.choice(len(p), p=p))
        ids.append(token)
        out.append(token)
    return np.array(out, dtype=np.int64), first


# ---------------------------------------------------------------------------------------------
# A toy translation: dates written in words → ISO dates
# ---------------------------------------------------------------------------------------------

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL_ONES = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                 "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
                 "sixteenth", "seventeenth", "eighteenth", "nineteenth"]
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"]

# Every word the generator writes; id 0 is the padding.
DATE_WORDS: tuple[str, ...] = ("<pad>", *sorted(
    set(_ONES) | set(_TENS[2:]) | set(_ORDINAL_ONES[1:]) | set(_MONTHS)
    | {"twentieth", "thirtieth", "of", "the", "oh", "hundred", "thousand", "and"}))
# The decoder's tokens: a start token, then the ten digits and the dash.
TARGET_TOKENS: tuple[str, ...] = ("<start>", *"0123456789-")


def _cardinal(n: int) -> str:
    """0..99 in words ("forty-two")."""
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")


def _ordinal(n: int) -> str:
    """1..31 as an ordinal in words ("twenty-first")."""
    if n < 20:
        return _ORDINAL_ONES[n]
    tens, ones = divmod(n, 10)
    if ones == 0:
        return {2: "twentieth", 3: "thirtieth"}[tens]
    return f"{_TENS[tens]}-{_ORDINAL_ONES[ones]}"


def _year(year: int, style: int) -> str:
    """A year in words, as people say it: "nineteen oh five", "two thousand and eight"."""
    century, rest = divmod(year, 100)
    if century == 20 and rest < 10 or (century == 20 and style == 1 and rest < 20):
        tail = "" if rest == 0 else (" and " if style == 1 else " ") + _cardinal(rest)
        return "two thousand" + tail
    if rest == 0:
        return f"{_cardinal(century)} hundred"
    if rest < 10:
        return f"{_cardinal(century)} oh {_ONES[rest]}"
    return f"{_cardinal(century)} {_cardinal(rest)}"


def date_in_words(date: _dt.date, style: int = 0) -> str:
    """A date written out in words in one of four styles ("the third of may, nineteen ninety-nine"). Introduced in notebook 41."""
    if not isinstance(date, _dt.date):
        raise ValueError(f"date must be a datetime.date, got {type(date).__name__}")
    if style not in (0, 1, 2, 3):
        raise ValueError(f"style must be 0, 1, 2 or 3, got {style!r}")
    day, month, year = _ordinal(date.day), _MONTHS[date.month - 1], _year(date.year, style % 2)
    return [f"the {day} of {month} {year}", f"{month} the {day} {year}",
            f"{day} of {month} {year}", f"{month} {day} {year}"][style]


def date_pairs(n: int, seed: int = 0, first_year: int = 1900, last_year: int = 2099,
               exclude: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """``n`` distinct random dates: (texts in words, ISO dates "YYYY-MM-DD"), seeded. Introduced in notebook 41.

    Dates whose ISO form is in ``exclude`` are never drawn (keeps held-out dates unseen).
    """
    n = core.whole_number(n, "n", 1)
    if not 1 <= first_year <= last_year <= 9999:
        raise ValueError(f"need 1 <= first_year <= last_year <= 9999, got {first_year}, {last_year}")
    start = _dt.date(first_year, 1, 1).toordinal()
    days = _dt.date(last_year, 12, 31).toordinal() - start + 1
    banned = set(exclude)
    if n > days - len(banned):
        raise ValueError(f"only {days - len(banned)} dates are available, asked for {n}")
    rng = np.random.default_rng(seed)
    texts, isos, seen = [], [], set(banned)
    while len(isos) < n:
        date = _dt.date.fromordinal(start + int(rng.integers(days)))
        iso = date.isoformat()
        if iso in seen:
            continue
        seen.add(iso)
        texts.append(date_in_words(date, int(rng.integers(4))))
        isos.append(iso)
    return texts, isos


def encode_dates(texts: Sequence[str], isos: Sequence[str] | None = None, source_length: int = 12,
                 ) -> Any:
    """Source ids (n, source_length) padded with 0, and when ``isos`` is given target ids (n, 10). Introduced in notebook 41."""
    index = {word: k for k, word in enumerate(DATE_WORDS)}
    source = np.zeros((len(texts), source_length), dtype=np.int32)
    for row, text in enumerate(texts):
        words = text.replace("-", " ").replace(",", " ").split()
        unknown = [w for w in words if w not in index]
        if unknown:
            raise ValueError(f"words not in DATE_WORDS: {unknown}")
        if len(words) > source_length:
            raise ValueError(f"{text!r} has {len(words)} words, more than source_length {source_length}")
        source[row, : len(words)] = [index[w] for w in words]
    if isos is None:
        return source
    if len(isos) != len(texts):
        raise ValueError(f"texts ({len(texts)}) and isos ({len(isos)}) must have the same length")
    tokens = {t: k for k, t in enumerate(TARGET_TOKENS)}
    if any(len(iso) != 10 or set(iso) - set("0123456789-") for iso in isos):
        raise ValueError("every ISO date must be 10 characters of digits and dashes")
    target = np.array([[tokens[c] for c in iso] for iso in isos], dtype=np.int32)
    return source, target


def greedy_translate(model: keras.Model, source_ids: Any, length: int = 10,
                     ) -> tuple[list[str], np.ndarray]:
    """Decode greedily with a trained translator: (ISO strings, predicted ids (n, length)). Introduced in notebook 41.

    Starts from ``<start>`` and appends the likeliest token ``length`` times, one model call per step
    for the whole batch.
    """
    source_ids = _ids_2d(source_ids, "source_ids")
    length = core.whole_number(length, "length", 1)
    decoded = np.zeros((len(source_ids), 1), dtype=np.int32)  # <start> is id 0
    for _ in range(length):
        logits = np.asarray(model([source_ids, decoded], training=False))
        decoded = np.concatenate([decoded, logits[:, -1].argmax(-1)[:, None].astype(np.int32)], 1)
    ids = decoded[:, 1:]
    return ["".join(TARGET_TOKENS[i] if i else "?" for i in row) for row in ids], ids


def exact_match(predicted: Sequence[str], expected: Sequence[str]) -> float:
    """The share of predictions equal to the expected string, character for character. Introduced in notebook 41."""
    if len(predicted) != len(expected) or not expected:
        raise ValueError(f"need two non-empty lists of the same length, got {len(predicted)} "
                         f"and {len(expected)}")
    return float(np.mean([p == e for p, e in zip(predicted, expected)]))


# ---------------------------------------------------------------------------------------------
# Figures and the prompt explorer
# ---------------------------------------------------------------------------------------------


def draw_mask(ax: Any, mask: Any, labels: Sequence[str], title: str = "") -> Any:
    """A boolean attention mask as a grid (dark = may attend), queries down, keys across. Introduced in notebook 41."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2 or mask.shape != (len(labels), len(labels)):
        raise ValueError(f"mask must be ({len(labels)}, {len(labels)}) for {len(labels)} labels, "
                         f"got {mask.shape}")
    ax.imshow(mask, cmap="Blues", vmin=-0.3, vmax=1.0)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xticks(np.arange(-0.5, len(labels)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(labels)), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="minor", length=0)
    ax.set(xlabel="key (position attended to)", ylabel="query (position attending)", title=title)
    return ax


def draw_attention(ax: Any, weights: Any, query_labels: Sequence[str], key_labels: Sequence[str],
                   title: str = "") -> Any:
    """Attention weights (Tq, Tk) as a heatmap with token labels; returns the image. Introduced in notebook 41."""
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (len(query_labels), len(key_labels)):
        raise ValueError(f"weights must be ({len(query_labels)}, {len(key_labels)}) for the labels, "
                         f"got {weights.shape}")
    image = ax.imshow(weights, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(key_labels)), key_labels, rotation=60, ha="right")
    ax.set_yticks(range(len(query_labels)), query_labels)
    ax.grid(False)
    ax.set(title=title)
    return image


def prompt_explorer(weights: Mapping[str, Any], vocabulary: Any, prompts: Sequence[str],
                    prompt: str | None = None, temperature: float = 0.8, top_k: int = 10,
                    length: int = 120, seed: int = 41, shown: int = 12) -> Any:
    """Type a prompt, pick T and top-k: the next-character distribution and a sampled continuation.

    Introduced in notebook 41. ``weights`` comes from ``gpt_weights`` (the NumPy forward pass
    samples fast); ``vocabulary`` is a ``CharVocabulary``; ``prompts`` are suggestions (any text
    in the vocabulary's characters can be typed).
    """
    import ipywidgets as ipw

    from utils.sequences.language_model import shown_char, wrap_overlay
    from utils.widgets import Explorer

    if not prompts:
        raise ValueError("prompts must hold at least one suggested prompt")
    for text in prompts:
        vocabulary.encode(text)  # an unknown character is an error that names it
    context = len(weights["positions"])
    size = len(weights["tokens"])
    if size != len(vocabulary):
        raise ValueError(f"the model has {size} tokens, the vocabulary {len(vocabulary)}")
    forward = lambda ids: gpt_forward(weights, ids)  # noqa: E731
    parts: dict[str, Any] = {}
    cache: dict[tuple, tuple[np.ndarray, np.ndarray, str]] = {}

    def compute(text: str, t: float, k: int) -> tuple[np.ndarray, np.ndarray, str]:
        key = (text, round(t, 3), k)
        if key not in cache:
            ids = vocabulary.encode(text)
            logits = forward(ids[-context:][None])[0, -1]
            sampled, _ = generate(forward, ids, length, context, temperature=t,
                                  top_k=k if k < size else None, seed=seed)
            p = next_token_probabilities(logits, t, k if k < size else None)
            cache[key] = (logits, p, vocabulary.decode(sampled))
        return cache[key]

    def build(fig: Figure) -> None:
        bars_ax, text_ax = fig.subplots(1, 2, width_ratios=(1.0, 1.3))
        parts["bars"] = bars_ax.bar(np.arange(shown), np.zeros(shown), color=PALETTE[0])
        # the characters change with the prompt: drawn as (animated) text, not as tick labels
        parts["labels"] = [bars_ax.text(i, 0.0, "", ha="center", va="bottom", fontsize=10,
                                        family="monospace") for i in range(shown)]
        bars_ax.set_xticks(np.arange(shown), [f"{i + 1}" for i in range(shown)])
        bars_ax.set(ylim=(0, 1.08), xlabel="rank of the next character (character on its bar)",
                    ylabel="probability after T and top-k", title="Next-character distribution")
        text_ax.axis("off")
        text_ax.set_title("A sampled continuation (prompt in grey)")
        parts["prompt"] = text_ax.text(0.0, 1.0, "", va="top", ha="left", family="monospace",
                                       fontsize=9, color="grey", transform=text_ax.transAxes)
        parts["text"] = text_ax.text(0.0, 1.0, "", va="top", ha="left", family="monospace",
                                     fontsize=9, transform=text_ax.transAxes)
        for artist in (*parts["bars"], *parts["labels"], parts["text"], parts["prompt"]):
            artist.set_animated(True)

    def draw(fig: Figure, prompt: str, temperature: float, top_k: int) -> str:
        if not parts:
            build(fig)
        try:
            vocabulary.encode(prompt)
        except ValueError:
            return "The prompt may use only lower-case letters, digits, spaces and .,;:!?'\"()-"
        if not prompt:
            return "Type a prompt (at least one character)."
        logits, p, sample = compute(prompt, float(temperature), int(top_k))
        order = np.argsort(-logits)[:shown]
        for bar, label, value, token in zip(parts["bars"], parts["labels"], p[order], order):
            bar.set_height(value)
            bar.set_color(PALETTE[0] if value > 0 else PALETTE[3])
            label.set_text(shown_char(vocabulary.chars[token]))
            label.set_y(value + 0.01)
        first, second = wrap_overlay(prompt[-60:], sample, width=58, lines=10)
        parts["prompt"].set_text(first)
        parts["text"].set_text(second)
        best = int(order[0])
        return (f"after “…{prompt[-24:]}” the likeliest next character is "
                f"“{shown_char(vocabulary.chars[best])}” (p = {p[best]:.2f} at T = {temperature:g}, "
                f"top-k = {top_k}); {int((p > 0).sum())} of {size} characters can be drawn")

    first_prompt = prompt if prompt is not None else prompts[0]
    controls = {
        "prompt": ipw.Combobox(value=first_prompt, options=list(prompts), description="prompt",
                               ensure_option=False, continuous_update=False,
                               layout=ipw.Layout(width="380px")),
        "temperature": ipw.FloatSlider(value=temperature, min=0.1, max=2.0, step=0.1,
                                       description="temperature T", continuous_update=False),
        "top_k": ipw.IntSlider(value=top_k, min=1, max=size, description="top-k",
                               continuous_update=False),
    }
    return Explorer(controls, draw, figsize=(11.0, 3.9), rebuild=False)
