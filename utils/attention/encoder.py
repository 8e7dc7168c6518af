"""The transformer encoder: BERT's masking rule, an encoder block as a Keras layer, a tiny BERT.

Data for the masked-token objective (``word_windows``, ``mask_tokens``, ``masked_copies``), its
scores (``masked_accuracy``, ``most_frequent_accuracy``), and readings of trained heads
(``attention_by_offset``, ``attention_lift``, ``draw_attention``, ``masked_word_explorer``).

The block (multi-head self-attention, residual + layer norm, position-wise feed-forward, residual +
layer norm) is a serialisable ``keras.layers.Layer``; its NumPy forward pass is built from
``utils.attention.core``'s attention and layer norm and reads a trained model's weights, so the
heads' attention maps and the masked-word explorer need no TensorFlow. Introduced in notebook 40.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE

MASK_TOKEN = "[mask]"
# BERT's rule for a position chosen for prediction: 80% [mask], 10% a random word, 10% unchanged
MASK_RATE, RANDOM_RATE = 0.8, 0.1

# ---------------------------------------------------------------------------------------------
# The masked-token objective: choosing positions and corrupting them
# ---------------------------------------------------------------------------------------------


def _id_array(ids: Any, name: str = "ids") -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim not in (1, 2) or ids.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a 1-D or 2-D array of integer token ids, got shape "
                         f"{ids.shape}, dtype {ids.dtype}")
    return ids


def apply_masking_rule(ids: Any, chosen: Any, draws: Any, random_ids: Any, mask_id: int) -> np.ndarray:
    """BERT's 80/10/10 rule: a chosen position becomes ``mask_id`` (draw < 0.8), a random id
    (0.8 <= draw < 0.9) or stays itself (draw >= 0.9); positions not chosen never change.

    ``chosen`` (bool), ``draws`` (uniform in [0, 1)) and ``random_ids`` have the shape of ``ids``.
    """
    ids = _id_array(ids)
    chosen, draws, random_ids = (np.asarray(a) for a in (chosen, draws, random_ids))
    for name, array in (("chosen", chosen), ("draws", draws), ("random_ids", random_ids)):
        if array.shape != ids.shape:
            raise ValueError(f"{name} must have the shape of ids {ids.shape}, got {array.shape}")
    if chosen.dtype != bool:
        raise ValueError(f"chosen must be a boolean array, got dtype {chosen.dtype}")
    if not np.all(np.isfinite(draws)) or draws.min(initial=0.0) < 0 or draws.max(initial=0.0) >= 1:
        raise ValueError("draws must be uniform numbers in [0, 1) (no NaN)")
    corrupted = ids.copy()
    to_mask = chosen & (draws < MASK_RATE)
    to_random = chosen & (draws >= MASK_RATE) & (draws < MASK_RATE + RANDOM_RATE)
    corrupted[to_mask] = mask_id
    corrupted[to_random] = random_ids[to_random]
    return corrupted


def mask_tokens(ids: Any, mask_id: int, vocabulary_size: int, seed: int = 0, rate: float = 0.15,
                maskable: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """``(inputs, chosen)``: each maskable position is chosen with probability ``rate`` and
    corrupted by the 80/10/10 rule; random replacements are ids 1..vocabulary_size-1 other than
    ``mask_id`` (never ``<unk>``, id 0). ``maskable`` (bool, default all) marks allowed positions.
    """
    ids = _id_array(ids)
    if not isinstance(vocabulary_size, (int, np.integer)) or vocabulary_size < 3:
        raise ValueError(f"vocabulary_size must be an int >= 3, got {vocabulary_size!r}")
    if not 0 <= mask_id < vocabulary_size:
        raise ValueError(f"mask_id must be an id in 0..{vocabulary_size - 1}, got {mask_id!r}")
    if ids.size and (ids.min() < 0 or ids.max() >= vocabulary_size):
        raise ValueError(f"ids must lie in 0..{vocabulary_size - 1}, got {ids.min()}..{ids.max()}")
    if not np.isscalar(rate) or not 0 < rate < 1:
        raise ValueError(f"rate must be a number between 0 and 1, got {rate!r}")
    maskable = np.ones(ids.shape, bool) if maskable is None else np.asarray(maskable)
    if maskable.shape != ids.shape or maskable.dtype != bool:
        raise ValueError(f"maskable must be a boolean array of shape {ids.shape}")
    rng = np.random.default_rng(seed)
    chosen = maskable & (rng.random(ids.shape) < rate)
    draws = rng.random(ids.shape)
    others = np.array([i for i in range(1, vocabulary_size) if i != mask_id])
    random_ids = others[rng.integers(0, len(others), ids.shape)]
    return apply_masking_rule(ids, chosen, draws, random_ids, mask_id), chosen


def word_windows(ids: Any, length: int) -> np.ndarray:
    """A long 1-D id sequence cut into non-overlapping windows (n, length); the tail is dropped."""
    ids = _id_array(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be one long 1-D sequence, got shape {ids.shape}")
    if not isinstance(length, (int, np.integer)) or length < 2:
        raise ValueError(f"length must be an int >= 2, got {length!r}")
    count = len(ids) // int(length)
    if count == 0:
        raise ValueError(f"ids holds {len(ids)} tokens, fewer than one window of {length}")
    return ids[: count * int(length)].reshape(count, int(length))


def masked_copies(windows: Any, mask_id: int, vocabulary_size: int, copies: int = 1, seed: int = 0,
                  rate: float = 0.15) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(inputs, targets, weights)`` for the masked-token objective: ``copies`` stacked copies of
    ``windows``, each masked afresh (seed, seed + 1, ...) by :func:`mask_tokens` with ``<unk>``
    (id 0) never chosen; ``targets`` are the original ids; ``weights`` (float32) are 1 / (share
    chosen) at chosen positions and 0 elsewhere, so Keras's mean over all positions is the mean
    loss over the chosen ones."""
    windows = _id_array(windows, "windows")
    if windows.ndim != 2:
        raise ValueError(f"windows must be 2-D (examples, length), got shape {windows.shape}")
    if not isinstance(copies, (int, np.integer)) or copies < 1:
        raise ValueError(f"copies must be a positive int, got {copies!r}")
    inputs, chosen = zip(*(mask_tokens(windows, mask_id, vocabulary_size, seed=seed + k, rate=rate,
                                       maskable=windows != 0) for k in range(int(copies))))
    chosen_all = np.concatenate(chosen)
    if not chosen_all.any():
        raise ValueError("no position was chosen: use more windows or a higher rate")
    weights = (chosen_all / chosen_all.mean()).astype(np.float32)
    return np.concatenate(inputs), np.tile(windows, (int(copies), 1)), weights


def masked_accuracy(logits: Any, targets: Any, chosen: Any) -> float:
    """Share of the chosen positions where the highest logit is the true id: logits (..., V),
    targets and chosen (...)."""
    logits = np.asarray(logits)
    targets, chosen = np.asarray(targets), np.asarray(chosen)
    if logits.shape[:-1] != targets.shape or chosen.shape != targets.shape:
        raise ValueError(f"logits {logits.shape} must be targets' shape {targets.shape} plus a "
                         f"vocabulary axis, and chosen {chosen.shape} targets' shape")
    if chosen.dtype != bool or not chosen.any():
        raise ValueError("chosen must be a boolean array with at least one True")
    return float(np.mean(np.argmax(logits, axis=-1)[chosen] == targets[chosen]))


def most_frequent_accuracy(train_ids: Any, targets: Any, exclude: Sequence[int] = (0,)) -> tuple[int, float]:
    """``(id, accuracy)``: the most frequent training id (ids in ``exclude`` left out) and the share
    of ``targets`` it gets right when it is guessed every time: the frequency baseline."""
    train_ids, targets = np.ravel(_id_array(train_ids, "train_ids")), np.ravel(_id_array(targets, "targets"))
    if targets.size == 0 or train_ids.size == 0:
        raise ValueError("train_ids and targets must not be empty")
    counts = np.bincount(train_ids, minlength=int(max(train_ids.max(), targets.max())) + 1)
    counts[[i for i in exclude if i < len(counts)]] = -1
    best = int(np.argmax(counts))
    return best, float(np.mean(targets == best))


# ---------------------------------------------------------------------------------------------
# Keras layers: token + position embedding, the encoder block; a tiny BERT
# ---------------------------------------------------------------------------------------------


def _keras() -> Any:
    import keras

    return keras


def _register(cls: type) -> type:
    return _keras().saving.register_keras_serializable(package="course")(cls)


_LAYER_CLASSES: dict[str, type] = {}  # filled on first use, so importing this module needs no Keras


def _layer_classes() -> dict[str, type]:
    """The two layer classes by name, defined (and registered for saving) on first use."""
    if _LAYER_CLASSES:
        return _LAYER_CLASSES
    keras = _keras()

    @_register
    class TokenAndPositionEmbedding(keras.layers.Layer):
        """A learned embedding of each token id, times √width, plus the fixed sinusoidal encoding
        of its position (the scaling of Vaswani et al., 2017: token vectors of about unit size,
        not drowned by the positions).

        Introduced in notebook 40.
        """

        def __init__(self, vocabulary_size: int, length: int, width: int, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            for name, value in (("vocabulary_size", vocabulary_size), ("length", length), ("width", width)):
                if not isinstance(value, (int, np.integer)) or value < 1:
                    raise ValueError(f"{name} must be a positive int, got {value!r}")
            self.vocabulary_size, self.length, self.width = int(vocabulary_size), int(length), int(width)
            self.tokens = keras.layers.Embedding(
                self.vocabulary_size, self.width, name="tokens",
                embeddings_initializer=keras.initializers.RandomNormal(stddev=self.width ** -0.5))

        def build(self, input_shape: Any) -> None:
            from utils.attention import core

            self.tokens.build(input_shape)
            self.positions = np.asarray(core.sinusoidal_positions(self.length, self.width), np.float32)
            self.built = True

        def call(self, ids: Any) -> Any:
            length = keras.ops.shape(ids)[1]
            scale = float(np.sqrt(self.width))
            return self.tokens(ids) * scale + keras.ops.convert_to_tensor(self.positions)[None, :length]

        def compute_output_shape(self, input_shape: Any) -> tuple:
            return (*tuple(input_shape), self.width)

        def get_config(self) -> dict:
            return {**super().get_config(), "vocabulary_size": self.vocabulary_size,
                    "length": self.length, "width": self.width}

    @_register
    class EncoderBlock(keras.layers.Layer):
        """One post-norm transformer encoder block (as in BERT): x → LN(x + MHA(x)) → LN(· + FFN(·)).

        The feed-forward network is Dense(ff_dim, relu) then Dense(width), applied at every position.
        Introduced in notebook 40.
        """

        def __init__(self, num_heads: int, key_dim: int, ff_dim: int, dropout: float = 0.0,
                     epsilon: float = 1e-3, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            for name, value in (("num_heads", num_heads), ("key_dim", key_dim), ("ff_dim", ff_dim)):
                if not isinstance(value, (int, np.integer)) or value < 1:
                    raise ValueError(f"{name} must be a positive int, got {value!r}")
            if not 0 <= dropout < 1:
                raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
            self.num_heads, self.key_dim, self.ff_dim = int(num_heads), int(key_dim), int(ff_dim)
            self.dropout, self.epsilon = float(dropout), float(epsilon)
            self.attention = keras.layers.MultiHeadAttention(self.num_heads, self.key_dim,
                                                             dropout=self.dropout, name="attention")
            self.norm1 = keras.layers.LayerNormalization(epsilon=self.epsilon, name="norm1")
            self.norm2 = keras.layers.LayerNormalization(epsilon=self.epsilon, name="norm2")
            self.hidden = keras.layers.Dense(self.ff_dim, activation="relu", name="ffn_hidden")
            self.drop = keras.layers.Dropout(self.dropout)
            self.out = None  # Dense(width): the width is known once the block sees its input

        def build(self, input_shape: Any) -> None:
            if len(input_shape) != 3:
                raise ValueError(f"an encoder block takes (batch, length, width) inputs, got {input_shape}")
            width = int(input_shape[-1])
            self.out = keras.layers.Dense(width, name="ffn_output")
            self.attention.build(input_shape, input_shape)
            self.norm1.build(input_shape)
            self.hidden.build(input_shape)
            self.out.build((*input_shape[:-1], self.ff_dim))
            self.norm2.build(input_shape)
            self.built = True

        def call(self, x: Any, attention_mask: Any = None, training: Any = None,
                 return_attention_scores: bool = False) -> Any:
            attended, scores = self.attention(x, x, attention_mask=attention_mask, training=training,
                                              return_attention_scores=True)
            x = self.norm1(x + self.drop(attended, training=training))
            x = self.norm2(x + self.drop(self.out(self.hidden(x)), training=training))
            return (x, scores) if return_attention_scores else x

        def compute_output_shape(self, input_shape: Any) -> tuple:
            return tuple(input_shape)

        def get_config(self) -> dict:
            return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                    "ff_dim": self.ff_dim, "dropout": self.dropout, "epsilon": self.epsilon}

    _LAYER_CLASSES.update(TokenAndPositionEmbedding=TokenAndPositionEmbedding, EncoderBlock=EncoderBlock)
    return _LAYER_CLASSES


def __getattr__(name: str) -> Any:
    """``encoder.EncoderBlock`` and ``encoder.TokenAndPositionEmbedding``, defined on first access."""
    if name in ("EncoderBlock", "TokenAndPositionEmbedding"):
        return _layer_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def encoder_block(num_heads: int, key_dim: int, ff_dim: int, dropout: float = 0.0,
                  epsilon: float = 1e-3, name: str | None = None) -> Any:
    """A new :class:`EncoderBlock` layer (multi-head self-attention, add & norm, FFN, add & norm)."""
    return _layer_classes()["EncoderBlock"](num_heads, key_dim, ff_dim, dropout=dropout, epsilon=epsilon, name=name)


def token_and_position_embedding(vocabulary_size: int, length: int, width: int,
                                 name: str | None = None) -> Any:
    """A new :class:`TokenAndPositionEmbedding` layer (learned tokens + sinusoidal positions)."""
    return _layer_classes()["TokenAndPositionEmbedding"](vocabulary_size, length, width, name=name)


def build_tiny_bert(vocabulary_size: int, length: int, width: int = 64, num_heads: int = 4,
                    ff_dim: int = 128, num_layers: int = 2, dropout: float = 0.0) -> Any:
    """ids (batch, length) → embeddings + positions → ``num_layers`` encoder blocks → logits over
    the vocabulary at every position (batch, length, vocabulary_size)."""
    keras = _keras()
    if not isinstance(num_layers, (int, np.integer)) or num_layers < 1:
        raise ValueError(f"num_layers must be a positive int, got {num_layers!r}")
    if width % num_heads:
        raise ValueError(f"width ({width}) must be divisible by num_heads ({num_heads})")
    ids = keras.Input(shape=(length,), dtype="int32", name="ids")
    x = token_and_position_embedding(vocabulary_size, length, width, name="embedding")(ids)
    for layer in range(num_layers):
        x = encoder_block(num_heads, width // num_heads, ff_dim, dropout=dropout,
                          name=f"encoder_{layer + 1}")(x)
    logits = keras.layers.Dense(vocabulary_size, name="logits")(x)
    return keras.Model(ids, logits, name="tiny_bert")


# ---------------------------------------------------------------------------------------------
# The same forward pass in NumPy, from core's attention and layer norm
# ---------------------------------------------------------------------------------------------

BLOCK_PARTS = ("attention", "norm1", "ffn", "norm2")


def block_weights(block: Any) -> dict[str, Any]:
    """An :class:`EncoderBlock`'s weights as NumPy arrays (float64): ``attention`` (the 8 arrays of
    ``MultiHeadAttention.get_weights()``), ``norm1``/``norm2`` (gamma, beta), ``ffn`` (W1, b1, W2, b2),
    and its ``num_heads`` and ``epsilon``."""
    if not hasattr(block, "attention") or not getattr(block, "built", False):
        raise ValueError("block must be a built EncoderBlock (call it on an input first)")
    f64 = lambda arrays: [np.asarray(a, np.float64) for a in arrays]  # noqa: E731
    return {"attention": f64(block.attention.get_weights()), "norm1": f64(block.norm1.get_weights()),
            "ffn": f64([*block.hidden.get_weights(), *block.out.get_weights()]),
            "norm2": f64(block.norm2.get_weights()), "num_heads": block.num_heads,
            "epsilon": block.epsilon}


def _check_block(block: Mapping[str, Any]) -> None:
    missing = [part for part in (*BLOCK_PARTS, "num_heads") if part not in block]
    if missing:
        raise ValueError(f"block weights lack {missing}; build them with block_weights(layer)")


def encoder_block_stages(x: Any, block: Mapping[str, Any], mask: Any = None) -> dict[str, np.ndarray]:
    """Every intermediate of one encoder block in NumPy, by name, in order:
    input, attention (MHA output), scores (batch, heads, T, T), add_norm_1, ffn_hidden, ffn_output,
    output. ``mask`` (batch or 1, T or 1, T), True where attending is allowed."""
    from utils.attention import core

    _check_block(block)
    x = np.asarray(x, dtype=np.float64)
    width = np.shape(block["norm1"][0])[-1]
    if x.ndim != 3 or x.shape[-1] != width:
        raise ValueError(f"x must be (batch, length, {width}), got shape {x.shape}")
    epsilon = float(block.get("epsilon", 1e-3))
    attended, scores = core.multi_head_attention(x, x, block["attention"], int(block["num_heads"]),
                                                 mask=mask)
    add_norm_1 = core.layer_norm(x + attended, *block["norm1"], epsilon=epsilon)
    w1, b1, w2, b2 = block["ffn"]
    hidden = np.maximum(add_norm_1 @ w1 + b1, 0.0)
    ffn_output = hidden @ w2 + b2
    output = core.layer_norm(add_norm_1 + ffn_output, *block["norm2"], epsilon=epsilon)
    return {"input": x, "attention": np.asarray(attended), "scores": np.asarray(scores),
            "add_norm_1": add_norm_1, "ffn_hidden": hidden, "ffn_output": ffn_output,
            "output": output}


def encoder_block_forward(x: Any, block: Mapping[str, Any], mask: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """``(output, scores)`` of one encoder block in NumPy: output (batch, T, width), scores
    (batch, heads, T, T)."""
    stages = encoder_block_stages(x, block, mask)
    return stages["output"], stages["scores"]


def bert_weights(model: Any) -> dict[str, Any]:
    """A :func:`build_tiny_bert` model's weights in NumPy: ``embedding`` (V, width), ``positions``
    (length, width), ``blocks`` (one :func:`block_weights` each), ``kernel`` and ``bias`` of the
    output layer."""
    try:
        embedding = model.get_layer("embedding")
        blocks = [layer for layer in model.layers if hasattr(layer, "ff_dim")]
        kernel, bias = model.get_layer("logits").get_weights()
    except (ValueError, AttributeError) as error:
        raise ValueError(f"model must come from build_tiny_bert ({error})") from None
    return {"embedding": np.asarray(embedding.tokens.get_weights()[0], np.float64),
            "positions": np.asarray(embedding.positions, np.float64),
            "blocks": [block_weights(block) for block in blocks],
            "kernel": np.asarray(kernel, np.float64), "bias": np.asarray(bias, np.float64)}


def bert_forward(weights: Mapping[str, Any], ids: Any, mask: Any = None) -> tuple[np.ndarray, list[np.ndarray]]:
    """``(logits, scores)``: logits (batch, T, V) of the tiny BERT in NumPy and each layer's
    attention weights (batch, heads, T, T)."""
    missing = [k for k in ("embedding", "positions", "blocks", "kernel", "bias") if k not in weights]
    if missing:
        raise ValueError(f"weights lack {missing}; build them with bert_weights(model)")
    ids = np.atleast_2d(_id_array(ids))
    vocabulary_size, length = len(weights["embedding"]), len(weights["positions"])
    if ids.shape[1] > length:
        raise ValueError(f"sequences can hold at most {length} tokens, got {ids.shape[1]}")
    if ids.size and (ids.min() < 0 or ids.max() >= vocabulary_size):
        raise ValueError(f"ids must lie in 0..{vocabulary_size - 1}")
    width = weights["embedding"].shape[1]
    x = weights["embedding"][ids] * np.sqrt(width) + weights["positions"][None, : ids.shape[1]]
    all_scores = []
    for block in weights["blocks"]:
        x, scores = encoder_block_forward(x, block, mask)
        all_scores.append(scores)
    return x @ weights["kernel"] + weights["bias"], all_scores


def _softmax(logits: np.ndarray) -> np.ndarray:
    from utils.attention import core

    return np.asarray(core.softmax(logits, axis=-1))


def predict_masked(weights: Mapping[str, Any], ids: Any, position: int,
                   mask_id: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Put ``mask_id`` at ``position`` of one sequence; return the predicted distribution over the
    vocabulary there (V,) and each layer's attention weights (heads, T, T)."""
    ids = _id_array(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be one sequence (1-D), got shape {ids.shape}")
    if not isinstance(position, (int, np.integer)) or not 0 <= position < len(ids):
        raise ValueError(f"position must be an index in 0..{len(ids) - 1}, got {position!r}")
    masked = ids.copy()
    masked[position] = mask_id
    logits, scores = bert_forward(weights, masked)
    return _softmax(logits[0, position]), [s[0] for s in scores]


def attention_by_offset(scores: Any, max_offset: int = 4, queries: Any = None) -> np.ndarray:
    """Mean attention weight each head gives to the token ``d`` places away (d = -max..max):
    scores (batch, heads, T, T) → (heads, 2·max_offset + 1). ``queries`` (batch, T) bool, if
    given, keeps only those query positions (the masked ones, say); an offset no kept query has
    gets NaN."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 4 or scores.shape[-1] != scores.shape[-2]:
        raise ValueError(f"scores must be (batch, heads, T, T), got shape {scores.shape}")
    batch, heads, length = scores.shape[0], scores.shape[1], scores.shape[-1]
    if not isinstance(max_offset, (int, np.integer)) or not 0 < max_offset < length:
        raise ValueError(f"max_offset must be an int in 1..{length - 1}, got {max_offset!r}")
    if queries is None:
        queries = np.ones((batch, length), bool)
    queries = np.asarray(queries)
    if queries.shape != (batch, length) or queries.dtype != bool:
        raise ValueError(f"queries must be a boolean array of shape {(batch, length)}, got "
                         f"{queries.shape} {queries.dtype}")
    rows, steps = np.nonzero(queries)
    table = np.zeros((heads, 2 * max_offset + 1))
    for k, offset in enumerate(range(-max_offset, max_offset + 1)):
        keep = (steps + offset >= 0) & (steps + offset < length)
        if not keep.any():
            table[:, k] = np.nan  # no chosen query has a key that far away
            continue
        picked = scores[rows[keep], :, steps[keep], steps[keep] + offset]  # (pairs, heads)
        table[:, k] = picked.mean(axis=0)
    return table


def attention_lift(scores: Any, ids: Any, key_ids: Sequence[int]) -> np.ndarray:
    """How much each head prefers keys holding each id in ``key_ids``: the mean weight a query
    gives to such keys, divided by their share of the positions (what a uniform head would give).
    scores (batch, heads, T, T), ids (batch, T) → (heads, len(key_ids)); 1 = no preference."""
    scores = np.asarray(scores, dtype=np.float64)
    ids = _id_array(ids)
    if scores.ndim != 4 or scores.shape[-1] != scores.shape[-2]:
        raise ValueError(f"scores must be (batch, heads, T, T), got shape {scores.shape}")
    if ids.shape != (scores.shape[0], scores.shape[-1]):
        raise ValueError(f"ids must have shape (batch, T) = {(scores.shape[0], scores.shape[-1])}, "
                         f"got {ids.shape}")
    table = np.zeros((scores.shape[1], len(key_ids)))
    for k, key_id in enumerate(key_ids):
        holds = ids == key_id  # (batch, T): the keys holding this id
        if not holds.any():
            raise ValueError(f"key id {key_id} does not occur in ids")
        received = np.einsum("bhqk,bk->bhq", scores, holds.astype(np.float64))
        table[:, k] = received.mean(axis=(0, 2)) / holds.mean()
    return table


# ---------------------------------------------------------------------------------------------
# Figures and the masked-word explorer
# ---------------------------------------------------------------------------------------------


def draw_attention(ax: Any, weights: Any, words: Sequence[str], title: str = "",
                   labels: bool = True) -> Any:
    """One head's attention weights (queries down, keys across) as a heatmap; returns the image."""
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 2 or weights.shape != (len(words), len(words)):
        raise ValueError(f"weights must be ({len(words)}, {len(words)}) for {len(words)} words, "
                         f"got {weights.shape}")
    image = ax.imshow(weights, cmap="magma", vmin=0.0, vmax=1.0)
    ticks = np.arange(len(words))
    ax.set_xticks(ticks, list(words) if labels else [], rotation=90, fontsize=7)
    ax.set_yticks(ticks, list(words) if labels else [], fontsize=7)
    ax.set(title=title, xlabel="attends to (key)", ylabel="word (query)")
    ax.grid(False)
    return image


def masked_word_explorer(weights: Mapping[str, Any], sentences: Sequence[Any], vocabulary: Sequence[str],
                         mask_id: int, sentence: int = 0, position: int = 5, layer: int = 1,
                         top: int = 8) -> Any:
    """Pick a sentence, a position to mask and a layer: the tiny BERT's top guesses there and where
    each head of that layer looks from the masked position. Runs the NumPy forward pass on each
    redraw.

    Introduced in notebook 40.
    """
    import ipywidgets as ipw

    from utils.widgets import Explorer

    for key in ("embedding", "blocks"):
        if key not in weights:
            raise ValueError(f"weights lack {key!r}; build them with bert_weights(model)")
    sentences = [np.asarray(s) for s in sentences]
    if not sentences or any(s.ndim != 1 or len(s) < 2 or s.dtype.kind not in "iu" for s in sentences):
        raise ValueError("sentences must be a non-empty list of 1-D integer id arrays of at least 2 ids")
    length = len(sentences[0])
    if any(len(s) != length for s in sentences):
        raise ValueError("every sentence must have the same number of ids")
    if len(vocabulary) != len(weights["embedding"]):
        raise ValueError(f"vocabulary has {len(vocabulary)} words, the model {len(weights['embedding'])}")
    if not 0 <= sentence < len(sentences):
        raise ValueError(f"sentence must be in 0..{len(sentences) - 1}, got {sentence!r}")
    if not 0 <= position < length:
        raise ValueError(f"position must be in 0..{length - 1}, got {position!r}")
    layers = len(weights["blocks"])
    if not 1 <= layer <= layers:
        raise ValueError(f"layer must be one of the model's layers 1..{layers}, got {layer!r}")
    if not isinstance(top, (int, np.integer)) or not 1 <= top <= len(vocabulary):
        raise ValueError(f"top must be an int in 1..{len(vocabulary)}, got {top!r}")
    heads = int(weights["blocks"][0]["num_heads"])
    parts: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        grid = fig.add_gridspec(heads, 2, width_ratios=(1.0, 1.8))
        bars_ax = fig.add_subplot(grid[:, 0])
        parts["guesses"] = bars_ax.barh(np.arange(top), np.zeros(top), color=PALETTE[0])
        bars_ax.set_yticks(np.arange(top), [""] * top)
        bars_ax.set(xlabel="predicted probability", title=f"Top {top} guesses for [mask]")
        parts["bars_ax"] = bars_ax
        parts["heads"], parts["marks"], parts["head_axes"] = [], [], []
        for h in range(heads):
            head_ax = fig.add_subplot(grid[h, 1])
            parts["heads"].append(head_ax.bar(np.arange(length), np.zeros(length),
                                              color=PALETTE[2 + h % (len(PALETTE) - 2)]))
            parts["marks"].append(head_ax.axvline(0, color="grey", linestyle=":"))
            head_ax.set(ylim=(0, 1), xlim=(-0.6, length - 0.4))
            head_ax.set_ylabel(f"head {h + 1}", fontsize=8)
            head_ax.set_xticks(np.arange(length), [""] * length, rotation=90, fontsize=8)
            parts["head_axes"].append(head_ax)
        parts["head_axes"][-1].set_xlabel("word attended to (key)")

    def draw(fig: Figure, sentence: int, position: int, layer: int) -> str:
        if not parts:
            build(fig)
        ids = sentences[sentence]
        probabilities, scores = predict_masked(weights, ids, position, mask_id)
        words = [vocabulary[i] for i in ids]
        order = np.argsort(-probabilities)[:top][::-1]
        for bar, i in zip(parts["guesses"], order):
            bar.set_width(probabilities[i])
            bar.set_color(PALETTE[1] if i == ids[position] else PALETTE[0])
        parts["bars_ax"].set_yticklabels([vocabulary[i] for i in order])
        parts["bars_ax"].set_xlim(0, max(0.2, float(probabilities[order].max()) * 1.15))
        row = scores[layer - 1][:, position, :]  # (heads, T): where each head looks from the mask
        for h in range(heads):
            for bar, weight in zip(parts["heads"][h], row[h]):
                bar.set_height(weight)
            parts["marks"][h].set_xdata([position, position])
        shown = [MASK_TOKEN if k == position else w for k, w in enumerate(words)]
        parts["head_axes"][-1].set_xticklabels(shown)
        parts["head_axes"][0].set_title(f"Layer {layer}: attention from [mask] to each word")
        best = int(np.argmax(probabilities))
        rank = int(np.sum(probabilities > probabilities[ids[position]])) + 1
        return (f"masked “{words[position]}”: the model's first guess is “{vocabulary[best]}” "
                f"(p = {probabilities[best]:.2f}); the true word has p = "
                f"{probabilities[ids[position]]:.3f}, rank {rank} of {len(vocabulary)}")

    controls = {
        "sentence": ipw.IntSlider(value=sentence, min=0, max=len(sentences) - 1,
                                  description="sentence", continuous_update=False),
        "position": ipw.IntSlider(value=position, min=0, max=length - 1,
                                  description="masked position", continuous_update=False),
        "layer": ipw.IntSlider(value=layer, min=1, max=layers, description="layer",
                               continuous_update=False),
    }
    return Explorer(controls, draw, figsize=(9.0, 1.4 + 0.9 * heads), rebuild=False)
