"""Offline datasets bundled with the course, plus the seeded generators of the small tables.

Every loader works with no network. Sources, licences and the derivation script are described
in ``utils/data/README.md``; ``scripts/derive_data.sh`` rebuilds the files.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:  # pandas is imported lazily: plotting-only notebooks do not need it
    import pandas as pd

ImageSplit = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class TableInfo:
    """What a bundled table holds: its file, its feature columns and its target column."""

    filename: str
    features: tuple[str, ...]
    target: str
    description: str


TABLES: dict[str, TableInfo] = {
    "insurance": TableInfo(
        "insurance.csv.gz",
        ("age", "affordability"),
        "bought_insurance",
        "Seeded: did a person buy life insurance, given age (years) and affordability (0/1).",
    ),
    "home_prices": TableInfo(
        "home_prices.csv.gz",
        ("area", "bedrooms"),
        "price",
        "Seeded: home price (thousand $) from area (square feet) and number of bedrooms.",
    ),
    "sonar": TableInfo(
        "sonar.csv.gz",
        tuple(f"V{i}" for i in range(1, 61)),
        "mine",
        "Sonar returns bounced off a metal cylinder (mine=1) or a rock (mine=0); 208 x 60.",
    ),
    "churn": TableInfo(
        "churn.csv.gz",
        (
            "female", "senior_citizen", "partner", "dependents", "tenure", "phone_service",
            "multiple_lines", "internet_service", "online_security", "online_backup",
            "device_protection", "tech_support", "streaming_tv", "streaming_movies",
            "contract", "paperless_billing", "payment_method", "monthly_charges",
            "total_charges",
        ),
        "churn",
        "IBM Watson telco customers: did the customer leave (churn=1)? 7,043 rows.",
    ),
    "credit": TableInfo(
        "credit.csv.gz",
        (
            "seniority", "home", "time", "age", "marital", "records", "job", "expenses",
            "income", "assets", "debt", "amount", "price",
        ),
        "default",
        "Credit scoring (modeldata's credit_data): did the loan go bad (default=1)? 4,454 rows.",
    ),
}

IMAGE_SETS: dict[str, str] = {
    "mnist": "mnist_subset.npz",
    "fashion_mnist": "fashion_mnist_subset.npz",
}

TEXT_SETS: dict[str, str] = {
    "fine_foods": "fine_foods.csv.gz",
    "austen": "austen.csv.gz",
}

AUSTEN_BOOKS: tuple[str, ...] = (
    "Sense & Sensibility", "Pride & Prejudice", "Mansfield Park",
    "Emma", "Northanger Abbey", "Persuasion",
)

TextSplit = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

FASHION_CLASSES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)


def available() -> list[str]:
    """Names of every bundled dataset (tables, image sets and texts)."""
    return sorted([*TABLES, *IMAGE_SETS, *TEXT_SETS])


def _unknown(kind: str, name: object, choices: Sequence[str]) -> ValueError:
    return ValueError(f"unknown {kind} {name!r}; choose one of: {', '.join(sorted(choices))}")


def _data_file(filename: str) -> bytes:
    return resources.files("utils").joinpath("data", filename).read_bytes()


def load_frame(name: str) -> "pd.DataFrame":
    """Load a bundled table as a pandas DataFrame (``name`` from ``TABLES``)."""
    import pandas as pd

    if name not in TABLES:
        raise _unknown("table", name, list(TABLES))
    raw = gzip.decompress(_data_file(TABLES[name].filename))
    return pd.read_csv(io.BytesIO(raw))


def train_test_indices(
    n: int, test_size: float = 0.25, seed: int = 0, stratify: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic train/test row indices, optionally stratified by ``stratify`` labels."""
    if not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be strictly between 0 and 1, got {test_size!r}")
    rng = np.random.default_rng(seed)
    if stratify is None:
        order = rng.permutation(n)
        n_test = max(1, round(n * test_size))
        return np.sort(order[n_test:]), np.sort(order[:n_test])
    labels = np.asarray(stratify)
    if labels.shape != (n,):
        raise ValueError(f"stratify must have shape ({n},), got {labels.shape}")
    test_parts = []
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        test_parts.append(rows[: max(1, round(len(rows) * test_size))])
    test = np.sort(np.concatenate(test_parts))
    train = np.setdiff1d(np.arange(n), test)
    return train, test


def load_split(
    name: str,
    features: Sequence[str] | None = None,
    test_size: float = 0.25,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X_train, X_test, y_train, y_test`` of a bundled table; numeric columns only, stratified for classes."""
    if name not in TABLES:
        raise _unknown("table", name, list(TABLES))
    info = TABLES[name]
    frame = load_frame(name)
    chosen = list(info.features if features is None else features)
    bad = [column for column in chosen if column not in info.features]
    if bad or not chosen:
        raise ValueError(
            f"unknown feature(s) {bad} for {name!r}; choose from: {', '.join(info.features)}"
        )
    from pandas.api.types import is_numeric_dtype

    non_numeric = [c for c in chosen if not is_numeric_dtype(frame[c])]
    if non_numeric:
        raise ValueError(
            f"feature(s) {non_numeric} of {name!r} are categorical; use load_frame({name!r}) "
            "and encode them first"
        )
    X = frame[chosen].to_numpy(dtype=np.float64)
    y = frame[info.target].to_numpy()
    is_class = np.issubdtype(y.dtype, np.integer) and len(np.unique(y)) <= 20
    train, test = train_test_indices(len(y), test_size, seed, stratify=y if is_class else None)
    return X[train], X[test], y[train], y[test]


def load_images(name: str, source: str = "bundled") -> ImageSplit:
    """``(x_train, y_train), (x_test, y_test)`` uint8 images of ``"mnist"`` or ``"fashion_mnist"``.

    ``source="bundled"`` (default) reads the 10,000-image subset shipped with the course, offline.
    ``source="online"`` downloads the full 70,000-image set with ``keras.datasets`` (needs network;
    never used by the tests).
    """
    if name not in IMAGE_SETS:
        raise _unknown("image set", name, list(IMAGE_SETS))
    if source == "bundled":
        with np.load(io.BytesIO(_data_file(IMAGE_SETS[name]))) as data:
            return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])
    if source == "online":  # pragma: no cover - needs the network
        import keras

        loader = keras.datasets.mnist if name == "mnist" else keras.datasets.fashion_mnist
        return loader.load_data()
    raise _unknown("source", source, ["bundled", "online"])


@lru_cache(maxsize=None)
def _text_rows(name: str) -> tuple[tuple[str, ...], ...]:
    import csv

    raw = gzip.decompress(_data_file(TEXT_SETS[name])).decode("utf-8")
    return tuple(tuple(row) for row in csv.reader(io.StringIO(raw, newline="")))[1:]


def load_reviews() -> TextSplit:
    """``(texts_train, y_train), (texts_test, y_test)``: 4,000 / 1,000 Amazon fine-food reviews.

    ``y`` is 1 for a "great" (5-star) review and 0 otherwise; the split is modeldata's own.
    Texts are a NumPy array of Python ``str`` (dtype ``object``), raw as written (with the
    site's ``<br />`` line breaks).
    """
    rows = _text_rows("fine_foods")  # review, great, split
    parts = []
    for split in ("train", "test"):
        chosen = [row for row in rows if row[2] == split]
        texts = np.empty(len(chosen), dtype=object)
        texts[:] = [row[0] for row in chosen]
        labels = np.array([int(row[1]) for row in chosen], dtype=np.int64)
        parts.append((texts, labels))
    return parts[0], parts[1]


def load_austen(books: str | Sequence[str] = "Pride & Prejudice") -> str:
    """The text of one or more of Jane Austen's novels, lines joined by ``"\\n"``.

    ``books`` is a title from ``AUSTEN_BOOKS``, a list of titles (joined in the order given)
    or ``"all"`` (the six novels in publication order of janeaustenr).
    """
    if isinstance(books, str):
        chosen = list(AUSTEN_BOOKS) if books == "all" else [books]
    elif isinstance(books, (list, tuple)):
        chosen = list(books)
    else:
        raise TypeError(f"books must be a title, a list of titles or 'all', got {books!r}")
    if not chosen:
        raise ValueError("books must name at least one novel")
    for title in chosen:
        if not isinstance(title, str) or title not in AUSTEN_BOOKS:
            raise _unknown("book", title, [*AUSTEN_BOOKS, "all"])
    lines: dict[str, list[str]] = {title: [] for title in AUSTEN_BOOKS}
    for book, text in _text_rows("austen"):
        lines[book].append(text)
    return "\n".join("\n".join(lines[title]) for title in chosen)


def make_insurance(n: int = 300, seed: int = 42) -> "pd.DataFrame":
    """Seeded insurance table: older people and those who can afford it buy more often."""
    import pandas as pd

    if n < 10:
        raise ValueError(f"n must be at least 10, got {n!r}")
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 73, size=n)
    affordability = (rng.random(n) < 0.75).astype(int)
    logit = 0.45 * (age - 38) + 2.0 * (affordability - 0.75)
    bought = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"age": age, "affordability": affordability, "bought_insurance": bought})


def make_home_prices(n: int = 200, seed: int = 7) -> "pd.DataFrame":
    """Seeded home prices (thousand $) that grow with area (sq ft) and bedrooms, plus noise."""
    import pandas as pd

    if n < 10:
        raise ValueError(f"n must be at least 10, got {n!r}")
    rng = np.random.default_rng(seed)
    area = rng.integers(60, 400, size=n) * 10
    bedrooms = np.clip(np.round(area / 800 + rng.normal(0, 0.6, n)), 1, 6).astype(int)
    price = 40 + 0.12 * area + 15 * bedrooms + rng.normal(0, 20, n)
    return pd.DataFrame({"area": area, "bedrooms": bedrooms, "price": np.round(price, 1)})
