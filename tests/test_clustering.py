"""Clustering helpers of notebook 50 against scikit-learn; bad inputs; the k-means stepper."""

import numpy as np
import pytest
from sklearn.cluster import DBSCAN, KMeans
from sklearn.datasets import load_iris, make_blobs, make_moons
from sklearn.metrics import silhouette_samples

from utils.toolbox import clustering


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_equals_scikit_learn_from_the_same_centres(seed):
    X = load_iris().data
    start = X[np.random.default_rng(seed).choice(len(X), 3, replace=False)]
    ours = clustering.kmeans(X, start)
    theirs = KMeans(3, init=start, n_init=1, algorithm="lloyd", tol=0.0).fit(X)
    np.testing.assert_allclose(ours.centres, theirs.cluster_centers_, atol=1e-12)
    assert np.array_equal(ours.labels, theirs.labels_)
    assert ours.inertia == pytest.approx(theirs.inertia_, rel=1e-12)
    assert theirs.n_iter_ == ours.iterations + 1  # scikit-learn also counts its first assignment


def test_kmeans_never_increases_the_inertia():
    X, _ = make_blobs(200, centers=4, random_state=3)
    run = clustering.kmeans(X, X[np.argsort(X[:, 0])[:4]])
    values = [clustering.inertia(X, labels, centres) for centres, labels in run.history]
    assert np.all(np.diff(values) <= 1e-9) and run.iterations > 5


def test_update_keeps_an_empty_centre():
    X = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 10.0]])
    centres = np.array([[1.0, 0.0], [9.0, 9.0], [50.0, 50.0]])
    new = clustering.update(X, np.array([0, 0, 1]), centres)
    np.testing.assert_array_equal(new, [[1.0, 0.0], [10.0, 10.0], [50.0, 50.0]])


def test_kmeans_plus_plus_spreads_the_centres():
    X, truth = make_blobs(400, centers=5, cluster_std=0.5, random_state=0)
    rng = np.random.default_rng(0)
    seeded = [len(set(truth[np.argmin(clustering.squared_distances(X, clustering.kmeans_plus_plus(X, 5, rng)),
                                      axis=0)])) for _ in range(40)]
    uniform = [len(set(truth[rng.choice(len(X), 5, replace=False)])) for _ in range(40)]
    assert np.mean(seeded) >= np.mean(uniform) + 0.5  # blobs covered: about 4.5 of 5 against 3.5


def test_silhouettes_and_dbscan_equal_scikit_learn():
    X = load_iris().data
    labels = clustering.kmeans(X, X[[0, 50, 100]]).labels
    np.testing.assert_allclose(clustering.silhouette_samples(X, labels), silhouette_samples(X, labels), atol=1e-12)
    moons, _ = make_moons(300, noise=0.06, random_state=0)
    for eps, minimum in ((0.2, 5), (0.1, 4), (0.3, 10)):
        assert np.array_equal(clustering.dbscan(moons, eps, minimum),
                              DBSCAN(eps=eps, min_samples=minimum).fit(moons).labels_)


@pytest.mark.parametrize("call, match", [
    (lambda: clustering.assign(np.ones(3), np.ones((2, 3))), "matrix"),
    (lambda: clustering.assign(np.ones((3, 2)), np.ones((2, 3))), "features"),
    (lambda: clustering.assign(np.array([[np.nan, 1.0]]), np.ones((1, 2))), "NaN"),
    (lambda: clustering.update(np.ones((3, 2)), np.zeros(2), np.ones((1, 2))), "shape"),
    (lambda: clustering.kmeans(np.ones((2, 2)), np.ones((3, 2))), "more centres"),
    (lambda: clustering.kmeans_plus_plus(np.ones((3, 2)), 0, np.random.default_rng(0)), "k must lie"),
    (lambda: clustering.silhouette_samples(np.ones((3, 2)), np.zeros(3)), "2 … n - 1"),
    (lambda: clustering.dbscan(np.ones((3, 2)), 0.0, 3), "eps"),
    (lambda: clustering.kmeans_explorer(np.ones((5, 3)), {}), "2-D"),
    (lambda: clustering.kmeans_explorer(np.ones((5, 2)), {}), "runs"),
])
def test_bad_inputs_say_what_is_wrong(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_stepper_moves_through_assign_and_update():
    X, _ = make_blobs(120, centers=3, random_state=1)
    run = clustering.kmeans(X, X[:3])
    explorer = clustering.kmeans_explorer(X, {"first three": run})
    first = explorer.png()
    assert "assignment" in explorer.status.value
    explorer.set(step=1)
    assert "update" in explorer.status.value and explorer.png() != first
    explorer.set(step=2 * len(run.history) - 1)
    assert "converged" in explorer.status.value
