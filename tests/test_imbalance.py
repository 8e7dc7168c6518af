"""utils.training.imbalance (notebook 18): resampling, SMOTE against imbalanced-learn, class weights,
balanced subsets, focal loss against Keras, the classifier's repeatable refits, and the explorer."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from utils.training import imbalance  # noqa: E402


def _data(n=300, rate=0.2, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(int)
    X = rng.normal(size=(n, 4)) + y[:, None]
    return X, y


def test_encode_table_one_hot_and_numeric():
    frame = pd.DataFrame({"t": [0, 1, 0], "a": [1.5, 2.0, 3.0], "c": ["x", "y", "x"]})
    X, y, names = imbalance.encode_table(frame, "t")
    assert names == ["a", "c=x", "c=y"]
    np.testing.assert_array_equal(X, [[1.5, 1, 0], [2.0, 0, 1], [3.0, 1, 0]])
    np.testing.assert_array_equal(y, [0, 1, 0])


def test_encode_table_bad_input_is_named():
    frame = pd.DataFrame({"t": [0, 1], "a": [1.0, np.nan]})
    with pytest.raises(ValueError, match="missing values"):
        imbalance.encode_table(frame, "t")
    with pytest.raises(ValueError, match="target 'nope'"):
        imbalance.encode_table(frame, "nope")


def test_standardize_uses_training_statistics_and_keeps_constant_columns():
    train = np.array([[1.0, 5.0], [3.0, 5.0]])
    scaled_train, scaled_test = imbalance.standardize(train, np.array([[5.0, 5.0]]))
    np.testing.assert_allclose(scaled_train, [[-1, 0], [1, 0]])
    np.testing.assert_allclose(scaled_test, [[3, 0]])
    with pytest.raises(ValueError, match="columns"):
        imbalance.standardize(train, np.ones((1, 3)))


def test_under_and_over_sampling_balance_the_classes():
    X, y = _data()
    Xu, yu = imbalance.random_undersample(X, y, seed=1)
    Xo, yo = imbalance.random_oversample(X, y, seed=1)
    assert np.bincount(yu)[0] == np.bincount(yu)[1] == np.sum(y == 1)
    assert np.bincount(yo)[0] == np.bincount(yo)[1] == np.sum(y == 0)
    assert len(np.unique(Xu, axis=0)) == len(Xu)  # under-sampling draws without replacement
    # every over-sampled row is a copy of a real minority row
    minority = {tuple(r) for r in X[y == 1]}
    assert all(tuple(r) in minority for r in Xo[len(X):])


def test_nearest_neighbours_match_scikit_learn_distances():
    from sklearn.neighbors import NearestNeighbors

    X, _ = _data(80)
    ours = imbalance.nearest_neighbours(X, 5)
    distances, table = NearestNeighbors(n_neighbors=6).fit(X).kneighbors(X)
    np.testing.assert_array_equal(ours, table[:, 1:])  # no ties in continuous data
    with pytest.raises(ValueError, match="k must be"):
        imbalance.nearest_neighbours(X, 80)


def test_smote_equals_imbalanced_learn_on_the_same_neighbours():
    imblearn = pytest.importorskip("imblearn")
    from sklearn.neighbors import NearestNeighbors

    X, y = _data(400)
    minority = X[y == 1]
    table = NearestNeighbors(n_neighbors=6).fit(minority).kneighbors(minority, return_distance=False)[:, 1:]
    n_new = int(np.sum(y == 0) - np.sum(y == 1))
    ours = imbalance.smote_samples(minority, n_new, k=5, random_state=3, neighbours=table)
    X_lib, _ = imblearn.over_sampling.SMOTE(k_neighbors=5, random_state=3).fit_resample(X, y)
    np.testing.assert_allclose(ours, X_lib[len(X):], rtol=0, atol=1e-12)
    X_all, y_all = imbalance.smote(X, y, k=5, random_state=3)
    np.testing.assert_allclose(X_all[len(X):], ours, atol=1e-12)
    assert np.bincount(y_all)[0] == np.bincount(y_all)[1]


def test_smote_rows_lie_on_segments_between_minority_rows():
    X, y = _data(200)
    minority = X[y == 1]
    table = imbalance.nearest_neighbours(minority, 3)
    state = np.random.RandomState(0)
    pair = state.randint(0, table.size, size=10)
    gaps = state.uniform(size=10)
    rows = imbalance.smote_samples(minority, 10, k=3, random_state=0)
    start, end = minority[pair // 3], minority[table[pair // 3, pair % 3]]
    np.testing.assert_allclose(rows, start + gaps[:, None] * (end - start))


def test_class_weights_match_scikit_learn_balanced():
    from sklearn.utils.class_weight import compute_class_weight

    _, y = _data()
    weights = imbalance.class_weights(y)
    np.testing.assert_allclose([weights[0], weights[1]], compute_class_weight("balanced", classes=np.array([0, 1]), y=y))
    with pytest.raises(ValueError, match="both classes"):
        imbalance.class_weights(np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match="0/1"):
        imbalance.class_weights(np.array([0, 1, 2]))


def test_balanced_subsets_hold_all_minority_rows_and_fresh_majority_draws():
    _, y = _data()
    subsets = imbalance.balanced_subsets(y, 3, seed=0)
    for rows in subsets:
        assert set(np.flatnonzero(y == 1)) <= set(rows)
        assert np.sum(y[rows] == 0) == np.sum(y == 1)
    assert not np.array_equal(subsets[0], subsets[1])


@pytest.mark.parametrize("gamma, alpha", [(2.0, 0.25), (0.0, 0.5), (3.5, 0.9)])
@pytest.mark.parametrize("from_logits", [False, True])
def test_focal_loss_equals_keras(gamma, alpha, from_logits):
    import keras

    rng = np.random.default_rng(1)
    y = (rng.random((50, 1)) < 0.3).astype("float64")
    p = rng.uniform(0.01, 0.99, (50, 1))
    given = np.log(p) - np.log1p(-p) if from_logits else p
    loss = keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=alpha, gamma=gamma,
                                                from_logits=from_logits, dtype="float64")
    assert abs(imbalance.focal_loss(y, p, gamma, alpha) - float(loss(y, given))) < 1e-10


def test_focal_loss_without_alpha_is_keras_default_and_gamma_zero_is_cross_entropy():
    import keras

    rng = np.random.default_rng(2)
    y = (rng.random((40, 1)) < 0.5).astype("float64")
    p = rng.uniform(0.05, 0.95, (40, 1))
    keras_default = keras.losses.BinaryFocalCrossentropy(alpha=0.9, gamma=2.0, dtype="float64")
    assert abs(imbalance.focal_loss(y, p, 2.0, None) - float(keras_default(y, p))) < 1e-10
    bce = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert abs(imbalance.focal_loss(y, p, 0.0, None) - bce) < 1e-12
    with pytest.raises(ValueError, match="must match"):
        imbalance.focal_loss(y, p[:3], 2.0, 0.5)
    with pytest.raises(ValueError, match="probabilities"):
        imbalance.focal_loss(y, p + 2, 2.0, 0.5)


def test_minority_scores_match_scikit_learn():
    from sklearn import metrics

    rng = np.random.default_rng(3)
    truth, pred = (rng.random(100) < 0.3).astype(int), (rng.random(100) < 0.4).astype(int)
    s = imbalance.minority_scores(truth, pred)
    assert s.precision == pytest.approx(metrics.precision_score(truth, pred))
    assert s.recall == pytest.approx(metrics.recall_score(truth, pred))
    assert s.f1 == pytest.approx(metrics.f1_score(truth, pred))
    assert s.accuracy == pytest.approx(metrics.accuracy_score(truth, pred))
    assert imbalance.minority_scores(truth, np.zeros(100, dtype=int)).f1 == 0.0
    assert "SMOTE" in imbalance.method_table([("SMOTE", s)])


def test_classifier_refits_from_the_same_start():
    X, y = _data(200)
    net = imbalance.Classifier(4, hidden=4, seed=0)
    first = net.fit(X, y, epochs=3, batch_size=64).predict_proba(X)
    net.fit(X[:100], y[:100], epochs=2, batch_size=64)
    again = net.fit(X, y, epochs=3, batch_size=64).predict_proba(X)
    np.testing.assert_array_equal(first, again)
    assert first.shape == (200,) and np.all((first > 0) & (first < 1))
    with pytest.raises(ValueError, match="columns"):
        net.fit(X[:, :3], y)


def test_focal_explorer_redraws_and_shares_are_consistent():
    X, y = _data(200)
    p = 1 / (1 + np.exp(-(X.sum(axis=1) - 1)))
    base = imbalance.loss_shares(y, p, 0.0, None)
    focused = imbalance.loss_shares(y, p, 3.0, None)
    assert focused["misclassified"] > base["misclassified"]
    explorer = imbalance.focal_explorer(y, p)
    before = explorer.view.value
    explorer.set(gamma=4.0)
    assert explorer.view.value != before and "γ = 4.0" in explorer.status.value
    with pytest.raises(ValueError, match="labels"):
        imbalance.focal_explorer(y, p[:10])
