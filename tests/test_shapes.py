"""The synthetic-shapes generator: seeded, fast, boxes that match the painted pixels, clear errors."""

import time

import numpy as np
import pytest

from utils.vision import boxes as bx
from utils.vision import shapes


def test_shapes_and_ranges():
    images, boxes, labels = shapes.make_shapes(20, objects=(1, 3), seed=0)
    assert images.shape == (20, 64, 64, 3) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert len(boxes) == len(labels) == 20
    for b, l in zip(boxes, labels):
        assert b.shape == (len(l), 4) and 1 <= len(l) <= 3
        assert np.all(b[:, :2] >= 0) and np.all(b[:, 2:] <= 64)
        assert np.all((b[:, 2] - b[:, 0] >= 12) & (b[:, 2] - b[:, 0] <= 28))
        assert set(l.tolist()) <= {0, 1, 2}


def test_seeded_and_reproducible():
    first = shapes.make_shapes(5, seed=3)
    second = shapes.make_shapes(5, seed=3)
    other = shapes.make_shapes(5, seed=4)
    assert np.array_equal(first[0], second[0])
    assert all(np.array_equal(a, b) for a, b in zip(first[1], second[1]))
    assert not np.array_equal(first[0], other[0])


def test_objects_never_overlap_so_no_two_share_a_grid_cell():
    _, boxes, _ = shapes.make_shapes(200, objects=3, seed=1)
    for b in boxes:
        overlaps = bx.iou_matrix(b, b) - np.eye(len(b))
        assert np.all(overlaps == 0)
        cells = {bx.grid_cell(box, 8, 64) for box in b}
        assert len(cells) == len(b)


def test_single_shapes():
    images, boxes, labels = shapes.make_single_shapes(10, seed=2)
    assert images.shape == (10, 64, 64, 3) and boxes.shape == (10, 4) and labels.shape == (10,)


def test_render_rectangle_fills_its_box_exactly():
    image = np.zeros((16, 16, 3))
    shapes.render_shape(image, 0, [2, 3, 6, 10], [1.0, 0.5, 0.0])
    painted = image[..., 0] > 0
    rows, cols = np.nonzero(painted)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (3, 9, 2, 5)
    assert np.allclose(image[5, 3], [1.0, 0.5, 0.0])


def test_ellipse_and_triangle_stay_inside_their_box_and_differ():
    masks = []
    for kind in (1, 2):
        image = np.zeros((32, 32, 3))
        shapes.render_shape(image, kind, [4, 4, 28, 28], [1, 1, 1])
        mask = image[..., 0] > 0
        rows, cols = np.nonzero(mask)
        assert rows.min() >= 4 and rows.max() < 28 and cols.min() >= 4 and cols.max() < 28
        masks.append(mask)
    assert masks[0].sum() > masks[1].sum() > 0  # an ellipse covers more of the box than a triangle
    assert masks[1][5].sum() < masks[1][26].sum()  # the triangle widens towards its base


def test_segmentation_mask_matches_labels():
    images, boxes, labels = shapes.make_shapes(3, objects=2, seed=5)
    mask = shapes.segmentation_mask(boxes[0], labels[0])
    assert mask.shape == (64, 64) and mask.min() == -1
    assert set(np.unique(mask)) - {-1} == set(labels[0].tolist())
    assert np.all(shapes.segmentation_mask(np.zeros((0, 4)), np.zeros(0, int)) == -1)


def test_fast_enough():
    start = time.perf_counter()
    shapes.make_shapes(500, seed=0)
    assert time.perf_counter() - start < 3.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_images": 0}, "n_images"),
        ({"n_images": 2, "image_size": -3}, "image_size"),
        ({"n_images": 2, "objects": (3, 1)}, "low <= high"),
        ({"n_images": 2, "objects": 0}, "objects"),
        ({"n_images": 2, "size_range": (30, 10)}, "size_range"),
        ({"n_images": 2, "size_range": (10, 100)}, "size_range"),
        ({"n_images": 2, "noise": -0.1}, "noise"),
        ({"n_images": 2, "classes": ("hexagon",)}, "classes"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        shapes.make_shapes(**kwargs)


def test_render_bad_arguments():
    with pytest.raises(ValueError, match="image"):
        shapes.render_shape(np.zeros((8, 8)), 0, [1, 1, 4, 4], [1, 1, 1])
    with pytest.raises(ValueError, match="kind"):
        shapes.render_shape(np.zeros((8, 8, 3)), 5, [1, 1, 4, 4], [1, 1, 1])
    with pytest.raises(ValueError, match="positive width"):
        shapes.render_shape(np.zeros((8, 8, 3)), 0, [4, 1, 1, 4], [1, 1, 1])
    with pytest.raises(ValueError, match="labels"):
        shapes.segmentation_mask(np.array([[1.0, 1, 4, 4]]), np.array([0, 1]))
    with pytest.raises(ValueError, match="labels"):
        shapes.segmentation_mask(np.array([[1.0, 1, 4, 4]]), np.array([7]))
