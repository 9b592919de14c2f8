"""Image and CameraInfo field codec: exact round trips, padded rows, big-endian data, refused encodings."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from visuomotor.camera.frame import CameraIntrinsics
from visuomotor.camera.image_codec import (
    ImageEncodingError,
    camera_info_fields,
    decode_image,
    encode_image,
    intrinsics_from_camera_info,
    ns_to_sec_nanosec,
    stamp_to_ns,
)

RNG = np.random.default_rng(3)
ARRAYS = {
    "rgb8": RNG.integers(0, 256, (5, 7, 3), dtype=np.uint8),
    "16UC1": RNG.integers(0, 65536, (5, 7), dtype=np.uint16),
    "32FC1": np.array([[np.nan, 0.0, 1.5e-3, 65.535, np.inf, -1.0, 3.0]] * 5, dtype=np.float32),
}


@pytest.mark.parametrize("encoding", ARRAYS)
def test_encode_decode_round_trip_is_exact(encoding):
    array = ARRAYS[encoding]
    fields = encode_image(array, encoding)
    assert (fields.height, fields.width, fields.is_bigendian) == (5, 7, 0)
    assert fields.step == 7 * array.itemsize * (3 if array.ndim == 3 else 1) and len(fields.data) == 5 * fields.step
    decoded = decode_image(fields)
    assert decoded.dtype == array.dtype
    np.testing.assert_array_equal(decoded, array)  # NaN == NaN for assert_array_equal


def test_decode_honours_row_padding_and_big_endian():
    depth = ARRAYS["16UC1"]
    rows = np.zeros((5, 7 * 2 + 4), np.uint8)
    rows[:, :14] = depth.astype(">u2").view(np.uint8).reshape(5, 14)
    message = SimpleNamespace(height=5, width=7, encoding="16UC1", is_bigendian=1, step=18, data=rows.tobytes())
    np.testing.assert_array_equal(decode_image(message), depth)


@pytest.mark.parametrize("encoding", ["bgr8", "mono8", "16SC1", "8UC3"])
def test_unknown_encodings_are_refused_in_one_line(encoding):
    with pytest.raises(
        ImageEncodingError, match=rf"unsupported image encoding '{encoding}': use one of rgb8, 16UC1, 32FC1"
    ):
        decode_image(SimpleNamespace(height=1, width=1, encoding=encoding, is_bigendian=0, step=3, data=b"abc"))
    with pytest.raises(ImageEncodingError, match="unsupported image encoding"):
        encode_image(np.zeros((1, 1, 3), np.uint8), encoding)


def test_wrong_array_or_buffer_is_refused():
    with pytest.raises(ImageEncodingError, match=r"16UC1 needs a \(H, W\) uint16 array, got \(2, 2\) float32"):
        encode_image(np.zeros((2, 2), np.float32), "16UC1")
    with pytest.raises(
        ImageEncodingError, match=r"rgb8 image 2x2 step 6 needs 12 bytes of data with step >= 6, got 11"
    ):
        decode_image(SimpleNamespace(height=2, width=2, encoding="rgb8", is_bigendian=0, step=6, data=b"x" * 11))


def test_camera_info_fields_round_trip():
    intrinsics = CameraIntrinsics(
        width=848,
        height=480,
        fx=615.25,
        fy=614.75,
        cx=421.5,
        cy=239.25,
        distortion_model="plumb_bob",
        distortion=(0.1, -0.2, 0.001, 0.002, 0.03),
    )
    fields = camera_info_fields(intrinsics)
    assert fields.k == (615.25, 0.0, 421.5, 0.0, 614.75, 239.25, 0.0, 0.0, 1.0)
    assert fields.p == (615.25, 0.0, 421.5, 0.0, 0.0, 614.75, 239.25, 0.0, 0.0, 0.0, 1.0, 0.0)
    assert fields.r == (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
    assert intrinsics_from_camera_info(fields) == intrinsics


def test_non_pinhole_camera_info_is_refused():
    fields = camera_info_fields(CameraIntrinsics())
    bad = SimpleNamespace(**{**fields.__dict__, "k": (0.0,) * 9})
    with pytest.raises(ValueError, match="is not a pinhole matrix"):
        intrinsics_from_camera_info(bad)


@pytest.mark.parametrize("stamp_ns", [0, 1, 999_999_999, 1_763_700_000_123_456_789])
def test_stamps_round_trip(stamp_ns):
    sec, nanosec = ns_to_sec_nanosec(stamp_ns)
    assert 0 <= nanosec < 1_000_000_000
    assert stamp_to_ns(SimpleNamespace(sec=sec, nanosec=nanosec)) == stamp_ns
