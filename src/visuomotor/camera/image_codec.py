"""Exact numpy ↔ sensor_msgs/Image and CameraInfo field conversions, ROS-free.

Works on any object with the message's fields (an rclpy message or a `rosbags` message), so the bag
source (ROS-free) and the nodes (rclpy) share one implementation. Encodings: rgb8 (H, W, 3) uint8,
16UC1 (H, W) uint16 millimetres, 32FC1 (H, W) float32 metres; anything else is refused.
CameraInfo for an undistorted-or-not pinhole camera (seed 004 §29.2.1): K = [fx 0 cx; 0 fy cy; 0 0 1],
R = I (monocular), P = [K | 0], D = the distortion coefficients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from visuomotor.camera.frame import CameraIntrinsics

# ROS encoding -> (numpy dtype, channels)
IMAGE_ENCODINGS: dict[str, tuple[np.dtype, int]] = {
    "rgb8": (np.dtype(np.uint8), 3),
    "16UC1": (np.dtype(np.uint16), 1),
    "32FC1": (np.dtype(np.float32), 1),
}


class ImageEncodingError(ValueError):
    """An image whose encoding, shape, dtype or buffer size does not fit the supported encodings."""


@dataclass(frozen=True)
class ImageFields:
    """The data fields of a sensor_msgs/Image (everything but the header)."""

    height: int
    width: int
    encoding: str
    is_bigendian: int
    step: int
    data: bytes


def _check_encoding(encoding: str) -> tuple[np.dtype, int]:
    if encoding not in IMAGE_ENCODINGS:
        raise ImageEncodingError(f"unsupported image encoding {encoding!r}: use one of {', '.join(IMAGE_ENCODINGS)}")
    return IMAGE_ENCODINGS[encoding]


def encode_image(array: np.ndarray, encoding: str) -> ImageFields:
    """(H, W[, C]) array -> Image fields; little-endian, tightly packed (step = W·C·itemsize bytes)."""
    dtype, channels = _check_encoding(encoding)
    expected_ndim = 3 if channels > 1 else 2
    if array.dtype != dtype or array.ndim != expected_ndim or (channels > 1 and array.shape[2] != channels):
        shape = "(H, W, 3)" if channels > 1 else "(H, W)"
        raise ImageEncodingError(f"{encoding} needs a {shape} {dtype} array, got {array.shape} {array.dtype}")
    height, width = array.shape[:2]
    data = np.ascontiguousarray(array, dtype=dtype.newbyteorder("<")).tobytes()
    return ImageFields(
        height=height, width=width, encoding=encoding, is_bigendian=0, step=width * channels * dtype.itemsize, data=data
    )


def decode_image(message: Any) -> np.ndarray:
    """Image message (any object with height/width/encoding/is_bigendian/step/data) -> a new array.

    Honours row padding (step > W·C·itemsize) and big-endian data; raises ImageEncodingError naming the
    problem for an unsupported encoding or a buffer that does not match height × step.
    """
    dtype, channels = _check_encoding(message.encoding)
    height, width, step = int(message.height), int(message.width), int(message.step)
    row_bytes = width * channels * dtype.itemsize
    buffer = np.frombuffer(memoryview(message.data).cast("B"), dtype=np.uint8)
    if step < row_bytes or buffer.size != height * step:
        raise ImageEncodingError(
            f"{message.encoding} image {width}x{height} step {step} needs {height * step} bytes of "
            f"data with step >= {row_bytes}, got {buffer.size} bytes"
        )
    rows = buffer.reshape(height, step)[:, :row_bytes]
    byte_order: Literal[">", "<"] = ">" if message.is_bigendian else "<"
    pixels = np.ascontiguousarray(rows).view(dtype.newbyteorder(byte_order)).astype(dtype)
    return pixels.reshape((height, width, channels) if channels > 1 else (height, width))


@dataclass(frozen=True)
class CameraInfoFields:
    """The calibration fields of a sensor_msgs/CameraInfo (binning 0 and a zero ROI = full image)."""

    height: int
    width: int
    distortion_model: str
    d: tuple[float, ...]
    k: tuple[float, ...]  # 3×3 row-major
    r: tuple[float, ...]  # 3×3 row-major
    p: tuple[float, ...]  # 3×4 row-major


def camera_info_fields(intrinsics: CameraIntrinsics) -> CameraInfoFields:
    """Intrinsics -> CameraInfo fields: K, R = I, P = [K | 0] (monocular), D, distortion model."""
    k = intrinsics.K
    p = np.hstack([k, np.zeros((3, 1))])
    return CameraInfoFields(
        height=intrinsics.height,
        width=intrinsics.width,
        distortion_model=intrinsics.distortion_model,
        d=tuple(float(x) for x in intrinsics.distortion),
        k=tuple(float(x) for x in k.ravel()),
        r=tuple(float(x) for x in np.eye(3).ravel()),
        p=tuple(float(x) for x in p.ravel()),
    )


def intrinsics_from_camera_info(message: Any) -> CameraIntrinsics:
    """CameraInfo message (any object with its fields) -> CameraIntrinsics, from K (seed §29.2.1).

    Raises ValueError when K is not a pinhole matrix (zero focal length, non-zero skew or last row)."""
    k = np.asarray(message.k, dtype=np.float64).reshape(3, 3)
    if k[0, 0] <= 0 or k[1, 1] <= 0 or k[0, 1] != 0 or not np.array_equal(k[2], [0.0, 0.0, 1.0]):
        raise ValueError(f"CameraInfo K {k.ravel().tolist()} is not a pinhole matrix [fx 0 cx; 0 fy cy; 0 0 1]")
    return CameraIntrinsics(
        width=int(message.width),
        height=int(message.height),
        fx=float(k[0, 0]),
        fy=float(k[1, 1]),
        cx=float(k[0, 2]),
        cy=float(k[1, 2]),
        distortion_model=str(message.distortion_model),
        distortion=tuple(float(x) for x in message.d),
    )


def stamp_to_ns(stamp: Any) -> int:
    """builtin_interfaces/Time (sec, nanosec) -> ns."""
    return int(stamp.sec) * 1_000_000_000 + int(stamp.nanosec)


def ns_to_sec_nanosec(stamp_ns: int) -> tuple[int, int]:
    """ns -> (sec, nanosec) of builtin_interfaces/Time, nanosec in [0, 1e9)."""
    return divmod(int(stamp_ns), 1_000_000_000)
