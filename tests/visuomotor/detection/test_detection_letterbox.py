"""Letterbox forward/inverse exactness at several image sizes and aspect ratios."""

import numpy as np
import pytest

from visuomotor.detection.letterbox import PAD_VALUE, Letterbox

SIZES = [(640, 480), (480, 640), (641, 479), (1280, 320), (100, 700), (320, 320), (37, 53)]


def _bright_extent(image: np.ndarray) -> np.ndarray:
    """xyxy pixel-corner extent of pixels brighter than half (the painted rectangle)."""
    ys, xs = np.nonzero(image[..., 0] > 127)
    return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.float64)


@pytest.mark.parametrize("width,height", SIZES)
@pytest.mark.parametrize("canvas", [320, 640])
def test_letterbox_maps_a_painted_box_to_where_the_pixels_land(width, height, canvas):
    rng = np.random.default_rng(width * height + canvas)
    x1, x2 = sorted(rng.choice(np.arange(1, width), 2, replace=False))
    y1, y2 = sorted(rng.choice(np.arange(1, height), 2, replace=False))
    if (x2 - x1) * canvas / max(width, height) < 4:  # keep the box ≥ a few canvas pixels wide
        x1, x2 = 0, width
    if (y2 - y1) * canvas / max(width, height) < 4:
        y1, y2 = 0, height
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[y1:y2, x1:x2] = 255
    box = np.array([[x1, y1, x2, y2]], dtype=np.float64)
    letterbox = Letterbox(width, height, canvas)

    canvas_image = letterbox.apply_image(image)
    mapped = letterbox.apply_boxes(box)[0]
    # Bilinear resampling blurs an edge over at most one canvas pixel: the rounded mapped box is where
    # the >50 % pixels are.
    assert canvas_image.shape == (canvas, canvas, 3)
    np.testing.assert_allclose(_bright_extent(canvas_image), mapped, atol=1.0)
    # Inverse of forward is the identity (exact up to float rounding).
    np.testing.assert_allclose(letterbox.invert_boxes(letterbox.apply_boxes(box)), box, atol=1e-9)
    # The content region is exactly the image, the rest is padding.
    left, top = letterbox.offset
    resized_w, resized_h = letterbox.resized_size
    assert max(resized_w, resized_h) == canvas
    np.testing.assert_allclose(
        letterbox.invert_boxes([[left, top, left + resized_w, top + resized_h]]), [[0, 0, width, height]], atol=1e-9
    )
    padding = canvas_image.copy()
    padding[top : top + resized_h, left : left + resized_w] = PAD_VALUE
    assert (padding == PAD_VALUE).all()


def test_letterbox_is_pixel_exact_for_an_integer_scale():
    # 320×240 → 640 canvas: scale exactly 2, top padding (640 − 2·240) / 2 = 80.
    letterbox = Letterbox(320, 240, 640)
    assert letterbox.scale == (2.0, 2.0) and letterbox.offset == (0, 80)
    np.testing.assert_array_equal(letterbox.apply_boxes([[10, 20, 50, 60]]), [[20, 120, 100, 200]])


def test_inverse_clips_to_the_original_image():
    letterbox = Letterbox(640, 480, 320)
    np.testing.assert_allclose(letterbox.invert_boxes([[-50, -50, 400, 400]]), [[0, 0, 640, 480]])
