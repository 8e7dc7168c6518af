"""Box helpers against hand-computed cases: IoU, conversions, NMS, YOLO grids, AP/mAP, drawing, explorer."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.vision import boxes as bx  # noqa: E402
from utils.vision import detection_widgets, shapes  # noqa: E402

# ---------------------------------------------------------------- IoU and conversions


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ([0, 0, 2, 2], [1, 1, 3, 3], 1 / 7),  # overlap 1, union 4 + 4 - 1
        ([0, 0, 4, 4], [0, 0, 4, 4], 1.0),
        ([0, 0, 4, 4], [1, 1, 3, 3], 4 / 16),  # one inside the other
        ([0, 0, 2, 2], [2, 0, 4, 2], 0.0),  # touching edges
        ([0, 0, 2, 2], [5, 6, 9, 9], 0.0),  # apart in both directions (unclamped would be positive)
        ([0, 0, 3, 3], [5, 0.5, 9, 2.5], 0.0),  # apart in x only
        ([10, 10, 30, 20], [15, 5, 25, 40], 100 / 450),  # a cross: 10 x 10 overlap, 200 + 350 - 100
        ([0, 0, 0, 0], [0, 0, 0, 0], 0.0),  # empty boxes: union 0 gives 0, not NaN
    ],
)
def test_iou_hand_cases(a, b, expected):
    assert bx.iou(a, b) == pytest.approx(expected)
    assert bx.iou(b, a) == pytest.approx(expected)


def test_iou_matrix_matches_pairwise():
    rng = np.random.default_rng(0)
    corners = np.sort(rng.uniform(0, 50, size=(7, 2, 2)), axis=1).reshape(-1, 4)
    a, b = corners[:4], corners[4:]
    matrix = bx.iou_matrix(a, b)
    assert matrix.shape == (4, 3)
    for i in range(4):
        for j in range(3):
            assert matrix[i, j] == pytest.approx(bx.iou(a[i], b[j]))


def test_conversions_round_trip_and_hand_case():
    assert np.allclose(bx.corners_to_centre([0, 0, 4, 2]), [2, 1, 4, 2])
    assert np.allclose(bx.centre_to_corners([[2, 1, 4, 2]]), [[0, 0, 4, 2]])
    boxes = np.array([[1.5, 2, 10, 30], [0, 0, 64, 64]])
    assert np.allclose(bx.centre_to_corners(bx.corners_to_centre(boxes)), boxes)
    assert np.allclose(bx.box_area(boxes), [8.5 * 28, 64 * 64])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: bx.iou([4, 0, 2, 2], [0, 0, 1, 1]), "negative width"),
        (lambda: bx.iou([0, 4, 2, 2], [0, 0, 1, 1]), "negative height"),
        (lambda: bx.iou([0, 0, 2], [0, 0, 1, 1]), "shape"),
        (lambda: bx.iou([[0, 0, 2, 2]] * 2, [0, 0, 1, 1]), "one box"),
        (lambda: bx.iou([0, np.nan, 2, 2], [0, 0, 1, 1]), "NaN"),
        (lambda: bx.iou_matrix(np.zeros((2, 3)), np.zeros((1, 4))), "shape"),
        (lambda: bx.iou_matrix(np.zeros((2, 2, 4)), np.zeros((1, 4))), "shape"),
        (lambda: bx.corners_to_centre([[5, 5, 1, 9]]), "negative width"),
        (lambda: bx.centre_to_corners([[5, 5, -1, 9]]), "negative width or height"),
        (lambda: bx.centre_to_corners([[5, 5, 1]]), "shape"),
    ],
)
def test_bad_boxes_are_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- NMS

CLUSTER = np.array([[10, 10, 30, 30], [12, 11, 31, 32], [40, 40, 60, 58], [9, 12, 28, 29], [41, 38, 62, 60]], float)
SCORES = np.array([0.9, 0.75, 0.8, 0.6, 0.7])


def test_nms_hand_case():
    assert bx.non_max_suppression(CLUSTER, SCORES, 0.5).tolist() == [0, 2]
    steps = bx.nms_steps(CLUSTER, SCORES, 0.5)
    assert steps[0] == {"kept": 0, "suppressed": [1, 3], "remaining": [2, 4]}
    assert steps[1] == {"kept": 2, "suppressed": [4], "remaining": []}


def test_nms_threshold_extremes_and_score_threshold():
    assert sorted(bx.non_max_suppression(CLUSTER, SCORES, 1.0).tolist()) == [0, 1, 2, 3, 4]
    assert bx.non_max_suppression(CLUSTER, SCORES, 0.5, score_threshold=0.85).tolist() == [0]
    assert bx.non_max_suppression(np.zeros((0, 4)), np.zeros(0)).tolist() == []


def test_nms_chain_keeps_the_box_only_its_suppressed_neighbour_overlapped():
    chain = np.array([[0, 0, 10, 10], [4, 0, 14, 10], [8, 0, 18, 10]], float)
    assert bx.non_max_suppression(chain, [0.9, 0.8, 0.7], 0.3).tolist() == [0, 2]


def test_nms_per_class():
    labels = np.array([0, 1, 0, 0, 0])
    kept = bx.non_max_suppression(CLUSTER, SCORES, 0.5, labels=labels)
    assert kept.tolist() == [0, 2, 1]  # box 1 overlaps box 0 but is another class


def test_nms_properties_on_random_boxes():
    """Kept boxes never overlap above the threshold; every dropped box overlaps a better kept one.

    (The notebook also checks equality with ``tf.image.non_max_suppression``; TensorFlow is not
    imported here to keep the unit tests fast.)
    """
    rng = np.random.default_rng(1)
    corners = np.sort(rng.uniform(0, 40, size=(30, 2, 2)), axis=1).reshape(-1, 4)
    scores = rng.uniform(size=30)
    kept = bx.non_max_suppression(corners, scores, 0.4)
    assert np.all(np.diff(scores[kept]) <= 0)
    overlaps = bx.iou_matrix(corners, corners)
    assert np.all(overlaps[np.ix_(kept, kept)] - np.eye(len(kept)) <= 0.4)
    for dropped in set(range(30)) - set(kept.tolist()):
        assert any(overlaps[dropped, k] > 0.4 and scores[k] >= scores[dropped] for k in kept)


def test_nms_bad_input():
    with pytest.raises(ValueError, match="scores"):
        bx.non_max_suppression(CLUSTER, SCORES[:3])
    with pytest.raises(ValueError, match="iou_threshold"):
        bx.non_max_suppression(CLUSTER, SCORES, 1.5)
    with pytest.raises(ValueError, match="labels"):
        bx.non_max_suppression(CLUSTER, SCORES, labels=[0, 1])
    with pytest.raises(ValueError, match="NaN"):
        bx.nms_steps(CLUSTER, [0.1, np.nan, 0.2, 0.3, 0.4])


# ---------------------------------------------------------------- YOLO grids


def test_grid_cell_hand_cases():
    assert bx.grid_cell([40, 4, 56, 20], 4, 64) == (0, 3)  # centre (48, 12), cells of 16
    assert bx.grid_cell([2, 30, 20, 60], 8, 64) == (5, 1)  # centre (11, 45), cells of 8
    assert bx.grid_cell([56, 56, 72, 72], 8, 64) == (7, 7)  # centre exactly on the far edge
    with pytest.raises(ValueError, match="outside"):
        bx.grid_cell([60, 60, 80, 80], 8, 64)
    with pytest.raises(ValueError, match="grid_size"):
        bx.grid_cell([0, 0, 4, 4], 0, 64)


def test_encode_grid_hand_case():
    target = bx.encode_grid(np.array([[40.0, 4, 56, 20]]), np.array([2]), 4, 64, 3)
    assert target.shape == (4, 4, 8)
    assert np.allclose(target[0, 3], [1, 0.0, 0.75, 0.25, 0.25, 0, 0, 1])  # centre (48, 12): offsets (0, 0.75)
    assert target.sum() == pytest.approx(target[0, 3].sum())  # every other cell is empty


def test_encode_decode_round_trip():
    _, boxes, labels = shapes.make_shapes(50, seed=9)
    for b, l in zip(boxes, labels):
        decoded, scores, decoded_labels = bx.decode_grid(bx.encode_grid(b, l, 8, 64, 3), 64)
        assert np.allclose(np.sort(decoded, axis=0), np.sort(b, axis=0), atol=1e-4)
        assert sorted(decoded_labels.tolist()) == sorted(l.tolist()) and np.allclose(scores, 1)


def test_encode_keeps_the_larger_box_when_two_share_a_cell():
    target = bx.encode_grid(np.array([[0, 0, 30, 30], [10, 10, 20, 20.0]]), np.array([0, 1]), 2, 64, 2)
    assert target[0, 0, 3] == pytest.approx(30 / 64) and target[0, 0, 5] == 1


def test_decode_threshold_and_scores():
    grid = np.zeros((2, 2, 7))
    grid[0, 1] = [0.9, 0.5, 0.5, 0.25, 0.5, 0.2, 0.8]  # score 0.72, class 1, centre (48, 16)
    grid[1, 0] = [0.3, 0.5, 0.5, 0.1, 0.1, 1.0, 0.0]  # score 0.3
    found, scores, labels = bx.decode_grid(grid, 64, confidence_threshold=0.5)
    assert np.allclose(found, [[40, 0, 56, 32]]) and np.allclose(scores, [0.72]) and labels.tolist() == [1]
    assert len(bx.decode_grid(grid, 64, confidence_threshold=0.2)[0]) == 2


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: bx.encode_grid([[0, 0, 4, 4]], [0, 1], 4, 64, 3), "labels"),
        (lambda: bx.encode_grid([[0, 0, 4, 4]], [3], 4, 64, 3), "labels"),
        (lambda: bx.encode_grid([[0, 0, 4, 4]], [0], 4, 64, 0), "num_classes"),
        (lambda: bx.encode_grid([[4, 0, 0, 4]], [0], 4, 64, 3), "negative width"),
        (lambda: bx.encode_grid([[0, 0, 4, 4]], [0], 4, -1, 3), "image_size"),
        (lambda: bx.decode_grid(np.zeros((4, 3, 8)), 64), "shape"),
        (lambda: bx.decode_grid(np.full((4, 4, 8), np.nan), 64), "NaN"),
        (lambda: bx.decode_grid(np.zeros((4, 4, 8)), 64, confidence_threshold=2), "confidence_threshold"),
        (lambda: bx.encode_grids([[[0, 0, 4, 4]]], [], 4, 64, 3), "labels"),
    ],
)
def test_grid_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- AP and mAP


def test_average_precision_hand_case():
    recall = np.array([1, 1, 2, 3, 3]) / 4
    precision = np.array([1, 1 / 2, 2 / 3, 3 / 4, 3 / 5])
    assert bx.average_precision(recall, precision) == pytest.approx(0.625)
    assert bx.average_precision([1 / 3, 2 / 3, 1], [1, 1, 1]) == pytest.approx(1.0)
    assert bx.average_precision([], []) == 0.0
    with pytest.raises(ValueError, match="same length"):
        bx.average_precision([0.5], [1, 1])
    with pytest.raises(ValueError, match="non-decreasing"):
        bx.average_precision([0.5, 0.2], [1, 1])


def test_match_detections_counts_duplicates_as_false():
    truth = np.array([[0, 0, 10, 10], [20, 0, 30, 10]], float)
    found = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [50, 50, 60, 60]], float)
    assert bx.match_detections(found, [0.9, 0.8, 0.7], truth).tolist() == [True, False, False]
    assert bx.match_detections(found, [0.9, 0.8, 0.7], np.zeros((0, 4))).tolist() == [False] * 3


def test_mean_average_precision_hand_case_and_classes():
    truth = [(np.array([[0, 0, 10, 10], [20, 0, 30, 10], [40, 0, 50, 10], [0, 40, 10, 50]], float), np.zeros(4, int))]
    found = [(np.array([[0, 0, 10, 10], [1, 0, 11, 10], [20, 1, 30, 11], [41, 0, 51, 10], [30, 30, 40, 40]], float),
              np.array([0.9, 0.8, 0.7, 0.6, 0.5]), np.zeros(5, int))]
    value, per_class = bx.mean_average_precision(found, truth, num_classes=3)
    assert value == pytest.approx(0.625) and list(per_class) == [0]  # classes with no objects are left out
    wrong_class = [(found[0][0], found[0][1], np.ones(5, int))]
    assert bx.mean_average_precision(wrong_class, truth, num_classes=2)[0] == 0.0
    perfect = [(truth[0][0], np.ones(4), truth[0][1])]
    assert bx.mean_average_precision(perfect, truth, 1)[0] == pytest.approx(1.0)


def test_precision_recall_and_map_bad_input():
    truth = [(np.array([[0, 0, 10, 10]], float), np.array([0]))]
    with pytest.raises(ValueError, match="images"):
        bx.precision_recall([], truth, 0)
    with pytest.raises(ValueError, match="one score"):
        bx.precision_recall([(np.zeros((2, 4)), np.ones(1), np.zeros(2, int))], truth, 0)
    with pytest.raises(ValueError, match="no objects"):
        bx.mean_average_precision([(np.zeros((0, 4)), [], [])], [(np.zeros((0, 4)), [])], 2)
    with pytest.raises(ValueError, match="num_classes"):
        bx.mean_average_precision([], [], 0)


# ---------------------------------------------------------------- drawing and the explorer


def test_draw_boxes_adds_patches_and_captions():
    fig, ax = plt.subplots()
    out = bx.draw_boxes(ax, CLUSTER[:2], labels=[0, 2], scores=[0.9, 0.5], class_names=shapes.CLASS_NAMES,
                        image=np.zeros((64, 64, 3)))
    assert out is ax and len(ax.patches) == 2
    assert sorted(t.get_text() for t in ax.texts) == ["rectangle 0.90", "triangle 0.50"]
    with pytest.raises(ValueError, match="labels"):
        bx.draw_boxes(ax, CLUSTER[:2], labels=[0])
    with pytest.raises(ValueError, match="image"):
        bx.draw_boxes(ax, CLUSTER[:2], image=np.zeros(5))
    plt.close(fig)


def _fake_predictions():
    images, boxes, labels = shapes.make_shapes(3, objects=2, seed=4)
    grids = bx.encode_grids(boxes, labels, 8, 64, 3)
    grids[..., 0] *= 0.95  # every true cell: score 0.95
    grids[0, 0, 0] = [0.6, 0.5, 0.5, 0.1, 0.1, 1, 0, 0]  # a false box in a corner, score 0.6
    return images, grids, boxes, labels


def test_threshold_detections_counts():
    images, grids, boxes, labels = _fake_predictions()
    state = detection_widgets.threshold_detections(grids, boxes, labels, 64, 0.5, 0.5)
    assert (state["correct"], state["false"], state["missed"]) == (6, 1, 0)
    strict = detection_widgets.threshold_detections(grids, boxes, labels, 64, 0.99, 0.5)
    assert (strict["correct"], strict["false"], strict["missed"]) == (0, 0, 6)
    with pytest.raises(ValueError, match="ground truth"):
        detection_widgets.threshold_detections(grids, boxes[:1], labels, 64, 0.5, 0.5)
    with pytest.raises(ValueError, match="grids"):
        detection_widgets.threshold_detections(grids[0], boxes, labels, 64, 0.5, 0.5)


def test_detection_explorer_redraws():
    images, grids, boxes, labels = _fake_predictions()
    explorer = detection_widgets.detection_explorer(images, grids, boxes, labels, shapes.CLASS_NAMES)
    before_image, before_status = explorer.view.value, explorer.status.value
    assert "6 correct, 1 false, 0 objects missed" in before_status
    explorer.set(confidence=0.97)
    assert explorer.view.value != before_image and "0 correct" in explorer.status.value
    explorer.controls["nms_iou"].value = 0.1
    assert explorer.draw_count == 3
    with pytest.raises(ValueError, match="images"):
        detection_widgets.detection_explorer(images[0], grids, boxes, labels, shapes.CLASS_NAMES)


def test_interpolated_precision_is_the_running_maximum_from_the_right():
    assert np.allclose(bx.interpolated_precision([1.0, 0.5, 2 / 3, 0.75, 0.6]), [1.0, 0.75, 0.75, 0.75, 0.6])
    with pytest.raises(ValueError, match="NaN"):
        bx.interpolated_precision([1.0, np.nan])


def test_draw_boxes_puts_the_best_scoring_caption_on_top():
    """Overlapping duplicates: the caption of the box NMS keeps (highest score) is drawn above the others."""
    fig, ax = plt.subplots()
    duplicates = np.array([[10.0, 10, 30, 30], [11, 10, 31, 30], [10, 11, 30, 31]])
    bx.draw_boxes(ax, duplicates, labels=[0, 0, 0], scores=[0.6, 0.9, 0.3], class_names=shapes.CLASS_NAMES)
    captions = sorted(ax.texts, key=lambda text: text.get_zorder())
    assert captions[-1].get_text().endswith("0.90")
    assert all(text.get_zorder() > patch.get_zorder() for text in ax.texts for patch in ax.patches)
    plt.close(fig)
