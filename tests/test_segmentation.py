"""utils.vision.segmentation: masks of the synthetic shapes, transposed convolution vs Keras, pixel metrics, explorer."""

import numpy as np
import pytest

from utils.vision import segmentation as sg
from utils.vision import shapes


# --- data ------------------------------------------------------------------------------------

def test_masks_match_the_generators_shapes_and_leave_it_unchanged():
    images, masks = sg.make_segmentation_data(20, 32, seed=5)
    again, boxes, labels = shapes.make_shapes(20, 32, (1, 3), (8.0, 16.0), 0.05, seed=5)
    np.testing.assert_array_equal(images, again)  # the same scenes, byte for byte
    assert masks.shape == (20, 32, 32) and masks.dtype == np.int64
    assert set(np.unique(masks)) <= {0, 1, 2, 3}
    for mask, image_boxes, image_labels in zip(masks, boxes, labels):
        for box, label in zip(image_boxes, image_labels):
            x0, y0, x1, y1 = box
            centre = mask[int((y0 + y1) / 2), int((x0 + x1) / 2)]
            assert centre == label + 1  # the shape's centre pixel carries its class
        # pixels outside every box are background
        inside = np.zeros(mask.shape, bool)
        for x0, y0, x1, y1 in image_boxes:
            inside[int(np.floor(y0)):int(np.ceil(y1)), int(np.floor(x0)):int(np.ceil(x1))] = True
        assert np.all(mask[~inside] == 0)


def test_masks_cover_the_painted_pixels():
    """On a noise-free scene, background pixels keep the background colour and shape pixels do not."""
    images, masks = sg.make_segmentation_data(5, 32, noise=0.0, seed=3)
    for image, mask in zip(images, masks):
        background = image[mask == 0]
        assert np.allclose(background, background[0])
        assert not np.any(np.all(np.isclose(image[mask > 0], background[0]), axis=1))


def test_masks_from_boxes_bad_input():
    with pytest.raises(ValueError, match="one label array per box"):
        sg.masks_from_boxes([np.zeros((1, 4))], [], 32)
    with pytest.raises(ValueError, match="image_size"):
        sg.masks_from_boxes([], [], 0)
    assert sg.masks_from_boxes([], [], 8).shape == (0, 8, 8)


# --- transposed convolution ------------------------------------------------------------------

def test_scatter_add_by_hand():
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    kernel = np.array([[1.0, 2.0], [0.0, 1.0]])
    out = sg.conv_transpose2d(x[..., None], kernel[..., None, None], stride=1)[..., 0]
    expected = np.array([[1.0, 4.0, 4.0], [3.0, 6.0, 0.0], [0.0, 3.0, -1.0]])
    np.testing.assert_allclose(out, expected)


@pytest.mark.parametrize("kernel_size", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_transpose_equals_keras(kernel_size, stride, padding):
    import keras

    rng = np.random.default_rng(kernel_size * 10 + stride)
    x = rng.normal(size=(2, 4, 5, 3)).astype("float32")
    layer = keras.layers.Conv2DTranspose(2, kernel_size, strides=stride, padding=padding,
                                         bias_initializer="random_normal")
    theirs = keras.ops.convert_to_numpy(layer(x))
    kernel, bias = layer.get_weights()
    ours = sg.conv_transpose2d(x, kernel, stride, padding, bias)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
    assert sg.transposed_output_size(4, kernel_size, stride, padding) == theirs.shape[1]
    assert sg.transposed_output_size(5, kernel_size, stride, padding) == theirs.shape[2]


def test_unbatched_input_gives_unbatched_output():
    x = np.ones((3, 3, 2))
    out = sg.conv_transpose2d(x, np.ones((2, 2, 4, 2)), stride=2)
    assert out.shape == (6, 6, 4)


def test_output_size_integer_padding_and_bad_input():
    assert sg.transposed_output_size(5, 4, 3, 1) == 14
    assert sg.transposed_output_size(16, 2, 2) == 32
    assert sg.transposed_output_size(16, 3, 2, "same") == 32
    with pytest.raises(ValueError, match="padding"):
        sg.transposed_output_size(4, 3, 2, "full")
    with pytest.raises(ValueError, match="crops away"):
        sg.transposed_output_size(1, 2, 1, 1)
    with pytest.raises(ValueError, match="stride"):
        sg.transposed_output_size(4, 3, 0)


def test_conv_transpose_bad_input():
    with pytest.raises(ValueError, match="kernel must have shape"):
        sg.conv_transpose2d(np.ones((3, 3, 2)), np.ones((3, 3, 1, 1)))
    with pytest.raises(ValueError, match="x must have shape"):
        sg.conv_transpose2d(np.ones((3, 3)), np.ones((3, 3, 1, 1)))
    with pytest.raises(ValueError, match="finite"):
        sg.conv_transpose2d(np.full((2, 2, 1), np.nan), np.ones((3, 3, 1, 1)))
    with pytest.raises(ValueError, match="padding"):
        sg.conv_transpose2d(np.ones((2, 2, 1)), np.ones((3, 3, 1, 1)), padding="full")
    with pytest.raises(ValueError, match="bias"):
        sg.conv_transpose2d(np.ones((2, 2, 1)), np.ones((3, 3, 2, 1)), bias=np.ones(3))


def test_overlap_counts_show_the_checkerboard():
    uneven = sg.overlap_counts(6, 3, 2)
    assert uneven.shape == (13, 13)
    assert set(np.unique(uneven[1:-1, 1:-1])) == {1.0, 2.0, 4.0}
    even = sg.overlap_counts(6, 4, 2)
    assert np.all(even[2:-2, 2:-2] == 4.0)


# --- metrics ---------------------------------------------------------------------------------

def test_metrics_by_hand_and_against_keras():
    import keras

    y_true = np.array([[0, 0, 1, 1], [0, 2, 2, 1], [3, 3, 2, 0]])
    y_pred = np.array([[0, 1, 1, 1], [0, 2, 0, 1], [3, 0, 2, 0]])
    matrix = sg.confusion_matrix(y_true, y_pred, 4)
    assert matrix.sum() == 12 and matrix[0, 1] == 1 and matrix[2, 0] == 1
    assert sg.pixel_accuracy(y_true, y_pred) == pytest.approx(9 / 12)
    ious = sg.iou_per_class(y_true, y_pred, 4)
    np.testing.assert_allclose(ious, [3 / 6, 3 / 4, 2 / 3, 1 / 2])
    for class_id in range(4):
        metric = keras.metrics.IoU(num_classes=4, target_class_ids=[class_id])
        metric.update_state(y_true.ravel(), y_pred.ravel())
        assert float(metric.result()) == pytest.approx(ious[class_id], abs=1e-6)
    mean = keras.metrics.MeanIoU(num_classes=4)
    mean.update_state(y_true.ravel(), y_pred.ravel())
    assert sg.mean_iou(y_true, y_pred, 4) == pytest.approx(float(mean.result()), abs=1e-6)


def test_absent_class_is_nan_and_left_out_of_the_mean():
    y = np.array([[0, 1], [1, 0]])
    ious = sg.iou_per_class(y, y, 4)
    assert np.isnan(ious[2]) and np.isnan(ious[3])
    assert sg.mean_iou(y, y, 4) == 1.0


def test_metrics_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        sg.iou_per_class(np.zeros((2, 2), int), np.zeros((3, 2), int), 2)
    with pytest.raises(ValueError, match="integer class ids"):
        sg.iou_per_class(np.zeros((2, 2)), np.zeros((2, 2)), 2)
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        sg.confusion_matrix(np.full((2, 2), 5), np.zeros((2, 2), int), 2)
    with pytest.raises(ValueError, match="num_classes"):
        sg.confusion_matrix(np.zeros((2, 2), int), np.zeros((2, 2), int), 0)
    with pytest.raises(ValueError, match="same shape"):
        sg.pixel_accuracy(np.zeros(3), np.zeros(4))


# --- pictures and explorer ---------------------------------------------------------------------

def test_colour_mask_and_error_picture():
    mask = np.array([[0, 1], [2, 3]])
    picture = sg.colour_mask(mask)
    assert picture.shape == (2, 2, 3)
    np.testing.assert_allclose(picture[1, 1], sg.MASK_COLOURS[3])
    with pytest.raises(ValueError, match="integer class ids"):
        sg.colour_mask(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        sg.colour_mask(np.full((2, 2), 4))
    errors = sg.error_picture(mask, np.array([[0, 1], [1, 3]]))
    assert np.allclose(errors[1, 0], (0.84, 0.15, 0.16)) and np.allclose(errors[0, 0], 0.93)
    one = sg.error_picture(mask, np.array([[1, 1], [1, 3]]), class_id=1)
    assert np.allclose(one[0, 1], (0.17, 0.63, 0.17)) and np.allclose(one[0, 0], (0.84, 0.15, 0.16))
    with pytest.raises(ValueError, match="2-D maps"):
        sg.error_picture(mask, mask[None])


def _explorer_data():
    images, masks = sg.make_segmentation_data(6, 32, seed=9)
    rng = np.random.default_rng(0)
    predicted = np.where(rng.random(masks.shape) < 0.9, masks, rng.integers(0, 4, masks.shape))
    return images, masks, predicted


def test_explorer_redraws_picture_and_text():
    images, masks, predicted = _explorer_data()
    explorer = sg.segmentation_explorer(images, masks, predicted)
    first_picture, first_text = explorer.view.value, explorer.status.value
    assert "pixel accuracy" in first_text
    explorer.set(scene=3)
    assert explorer.view.value != first_picture and explorer.status.value != first_text
    explorer.set(focus="ellipse")
    assert "ellipse" in explorer.status.value
    assert "IoU" in explorer.status.value
    assert explorer.draw_count == 3
    assert "starting state" in explorer.snapshot_html()


def test_explorer_bad_input():
    images, masks, predicted = _explorer_data()
    with pytest.raises(ValueError, match="images must have shape"):
        sg.segmentation_explorer(images[..., 0], masks, predicted)
    with pytest.raises(ValueError, match="y_true and y_pred"):
        sg.segmentation_explorer(images, masks[:3], predicted)
    with pytest.raises(ValueError, match="focus"):
        sg.segmentation_explorer(images, masks, predicted, focus="circle")
    with pytest.raises(ValueError, match="scene"):
        sg.segmentation_explorer(images, masks, predicted, scene=6)
    with pytest.raises(ValueError, match="same shape"):
        sg.scene_summaries(masks, predicted[:2], 4)
