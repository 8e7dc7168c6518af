"""Face-verification helpers of notebook 28: pairs, losses (NumPy vs TensorFlow), mining, thresholds, explorer."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.vision import verification  # noqa: E402


def _batch(seed=0, identities=4, per=3, size=5):
    rng = np.random.default_rng(seed)
    e = rng.normal(size=(identities * per, size))
    return e / np.linalg.norm(e, axis=1, keepdims=True), np.repeat(np.arange(identities), per)


def test_make_pairs_is_balanced_seeded_and_correct():
    labels = np.repeat(np.arange(5), 4)
    first, second, same = verification.make_pairs(labels, 40, seed=3)
    assert same.mean() == 0.5 and np.all(first != second)
    assert np.array_equal(labels[first] == labels[second], same)
    again = verification.make_pairs(labels, 40, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip((first, second, same), again))


@pytest.mark.parametrize("labels, n, match", [
    (np.zeros(5, dtype=int), 4, "two identities"),
    (np.arange(5), 4, "two identities"),
    (np.array([0, 1, 1]), 0, "n_pairs"),
    (np.array([0.0, 1.0]), 2, "integers"),
])
def test_make_pairs_bad_inputs(labels, n, match):
    with pytest.raises(ValueError, match=match):
        verification.make_pairs(labels, n)


def test_identity_batches_hold_p_identities_of_k_images():
    labels = np.repeat(np.arange(6), 10)
    order = verification.identity_batches(labels, 3, 4, steps=5, seed=0)
    assert order.shape == (60,)
    for batch in order.reshape(5, 12):
        counts = np.unique(labels[batch], return_counts=True)[1]
        assert len(counts) == 3 and np.all(counts == 4) and len(set(batch)) == 12
    with pytest.raises(ValueError, match="only 6 identities"):
        verification.identity_batches(labels, 7, 2, 1)
    with pytest.raises(ValueError, match="only 10 images"):
        verification.identity_batches(labels, 2, 11, 1)


def test_contrastive_loss_by_hand_and_against_tensorflow():
    d, same = np.array([0.5, 0.3, 1.5]), np.array([1, 0, 0])
    expected = (0.25 + 0.49 + 0.0) / 3
    assert verification.contrastive_loss(d, same, 1.0) == pytest.approx(expected)
    assert float(verification.contrastive_loss_tf(d, same, 1.0)) == pytest.approx(expected)
    with pytest.raises(ValueError, match="equal length"):
        verification.contrastive_loss(d, same[:2])
    with pytest.raises(ValueError, match="margin"):
        verification.contrastive_loss(d, same, -1.0)


def test_triplet_loss_by_hand_and_against_tensorflow():
    a, p, n = np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]]), np.array([[0.0, 2.0]])
    assert verification.triplet_loss(a, p, n, 0.2) == 0.0  # 1 - 4 + 0.2 < 0
    assert verification.triplet_loss(a, n, p, 0.2) == pytest.approx(3.2)
    e, _ = _batch(1)
    args = (e[:4], e[4:8], e[8:12])
    assert verification.triplet_loss(*args, margin=0.5) == pytest.approx(
        float(verification.triplet_loss_tf(*args, margin=0.5)), rel=1e-6)
    with pytest.raises(ValueError, match="same shape"):
        verification.triplet_loss(e[:4], e[:3], e[:4])
    with pytest.raises(ValueError, match="NaN"):
        verification.triplet_loss(np.full((1, 2), np.nan), a, a)


def test_negative_categories():
    kinds = verification.negative_categories(0.5, np.array([0.4, 0.5, 0.6, 0.7, 0.9]), 0.2)
    assert kinds.tolist() == [verification.HARD, verification.HARD, verification.SEMI_HARD,
                              verification.EASY, verification.EASY]


def test_semi_hard_mining_picks_the_closest_farther_negative():
    e = np.array([[0.0], [1.0], [1.5], [3.0], [0.5]])
    labels = np.array([0, 0, 1, 1, 2])
    triplets = verification.semi_hard_triplets(e, labels, 0.2)
    row = triplets[(triplets[:, 0] == 0) & (triplets[:, 1] == 1)][0]
    assert row[2] == 2  # d_ap = 1; negatives at 0.25 (closer), 2.25, 9: the closest farther one
    row = triplets[(triplets[:, 0] == 1) & (triplets[:, 1] == 0)][0]
    assert row[2] == 3  # d_ap = 1; negatives at 0.25, 0.25, 4: only 3 is farther
    with pytest.raises(ValueError, match="two images of one identity"):
        verification.semi_hard_triplets(e[:3], np.array([0, 1, 2]))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_semi_hard_loss_numpy_equals_tensorflow(seed):
    e, labels = _batch(seed, identities=5, per=4, size=8)
    ours = verification.semi_hard_loss(e, labels, 0.2)
    theirs = float(verification.semi_hard_loss_tf(labels, e.astype("float32"), 0.2))
    assert ours == pytest.approx(theirs, abs=1e-5)


def test_thresholds_accuracy_roc_and_auc():
    d = np.array([0.1, 0.4, 0.6, 0.9])
    same = np.array([1, 1, 0, 0])
    assert verification.accuracy_at(d, same, [0.5, 0.05, 1.0]).tolist() == [1.0, 0.5, 0.5]
    threshold, accuracy = verification.choose_threshold(d, same)
    assert accuracy == 1.0 and threshold == pytest.approx(0.5)
    fpr, tpr, _ = verification.roc_points(d, same)
    assert verification.area_under(fpr, tpr) == 1.0
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    d, same = rng.uniform(size=200), rng.integers(0, 2, size=200)
    fpr, tpr, _ = verification.roc_points(d, same)
    assert verification.area_under(fpr, tpr) == pytest.approx(roc_auc_score(same, -d))
    with pytest.raises(ValueError, match="both same and different"):
        verification.roc_points(d, np.ones(200))
    with pytest.raises(ValueError, match="NaN"):
        verification.accuracy_at(np.array([np.nan]), np.array([1]), 0.5)


def test_split_and_compose_numbers():
    train, val, test = verification.split_numbers(seed=0)
    assert len(train) == 70 and len(val) == 15 and len(test) == 15
    assert len(set(train) | set(val) | set(test)) == 100
    images = np.arange(20)[:, None, None] * np.ones((20, 2, 3), dtype=np.uint8)
    labels = np.tile(np.arange(10), 2)
    pictures, names = verification.compose_numbers(images, labels, [37, 5], 3, seed=0)
    assert pictures.shape == (6, 2, 6) and names.tolist() == [37, 37, 37, 5, 5, 5]
    assert np.all(labels[pictures[:3, 0, 0]] == 3) and np.all(labels[pictures[:3, 0, 3]] == 7)
    with pytest.raises(ValueError, match="0-99"):
        verification.compose_numbers(images, labels, [100], 1)
    with pytest.raises(ValueError, match="digits \\[9\\]"):
        verification.compose_numbers(images[:9], labels[:9], [19], 1)
    with pytest.raises(ValueError, match="leave test"):
        verification.split_numbers(train=90, validation=10)


def test_siamese_shares_the_embedding_and_outputs_the_distance():
    import keras

    keras.utils.set_random_seed(0)
    embedding = verification.build_embedding(input_shape=(28, 56, 1), size=8)
    siamese = verification.build_siamese(embedding)
    assert siamese.count_params() == embedding.count_params()
    x = np.random.default_rng(0).uniform(size=(3, 28, 56, 1)).astype("float32")
    ours = verification.distance(verification.embed(embedding, x), verification.embed(embedding, x[::-1]))
    assert np.allclose(siamese([x, x[::-1]]).numpy(), ours, atol=1e-5)
    assert np.allclose(np.linalg.norm(verification.embed(embedding, x), axis=1), 1.0, atol=1e-5)


def test_explorer_redraws_and_says_the_decision():
    e, labels = _batch(0, identities=3, per=2, size=4)
    images = np.zeros((6, 28, 56), dtype=np.uint8)
    explorer = verification.verification_explorer(images, labels, e, threshold=10.0, first=0, second=1)
    assert "says same" in explorer.status.value and "(right)" in explorer.status.value
    picture = explorer.view.value
    explorer.set(second=2)
    assert "says same" in explorer.status.value and "(wrong)" in explorer.status.value
    assert explorer.view.value != picture or explorer.draw_count == 2
    explorer = verification.verification_explorer(images, labels, e, threshold=0.0, pair_distances=[0.5, 1.0],
                                                  pair_same=[1, 0])
    assert "says different" in explorer.status.value
    with pytest.raises(ValueError, match="index 0..5"):
        verification.verification_explorer(images, labels, e, 1.0, first=6)
    with pytest.raises(ValueError, match="one row each"):
        verification.verification_explorer(images[:3], labels, e, 1.0)
