"""Refuse RGB-D frames whose RGB, depth and camera_info disagree (the cause of decimetre errors).

Each check returns Diagnostics instead of raising, so a node can log them and publish nothing.
"""

from __future__ import annotations

import numpy as np

from visuomotor.camera.frame import DEPTH_SCALE_M, RGBDFrame
from visuomotor.localization.diagnostics import Diagnostic


def check_frame(frame: RGBDFrame, detections_frame_id: str | None = None) -> list[Diagnostic]:
    """All reasons to refuse `frame` as a whole; [] when it is usable.

    detections_frame_id: the frame_id of the image the detector ran on (its header), when known;
    it must equal the depth frame (depth aligned to colour).
    """
    problems: list[Diagnostic] = []
    depth = np.asarray(frame.depth)
    if depth.ndim != 2:
        return [
            Diagnostic(
                "depth_shape", f"depth has shape {depth.shape}; expected (H, W): publish a single-channel depth image"
            )
        ]
    if frame.depth_encoding not in DEPTH_SCALE_M:
        problems.append(
            Diagnostic(
                "depth_encoding",
                f"depth encoding {frame.depth_encoding!r} is unknown: use 16UC1 (millimetres) or 32FC1 (metres)",
            )
        )
    elif frame.depth_encoding == "16UC1" and depth.dtype != np.uint16:
        problems.append(
            Diagnostic(
                "depth_encoding",
                f"16UC1 depth must be uint16 millimetres, got {depth.dtype}: "
                "fix the encoding field or convert the image",
            )
        )
    elif frame.depth_encoding == "32FC1" and depth.dtype.kind != "f":
        problems.append(
            Diagnostic(
                "depth_encoding",
                f"32FC1 depth must be float metres, got {depth.dtype}: fix the encoding field or convert the image",
            )
        )
    depth_h, depth_w = depth.shape
    color = np.asarray(frame.color)
    if color.ndim < 2 or color.shape[:2] != (depth_h, depth_w):
        problems.append(
            Diagnostic(
                "size_mismatch",
                f"RGB is {_size(color.shape)} but depth is {depth_w}×{depth_h}: "
                "align depth to colour (RealSense align_depth) so both share "
                "one pixel grid",
            )
        )
    if frame.segmentation is not None and np.shape(frame.segmentation) != (depth_h, depth_w):
        problems.append(
            Diagnostic(
                "size_mismatch",
                f"instance labels are {_size(np.shape(frame.segmentation))} but "
                f"depth is {depth_w}×{depth_h}: render or align them together",
            )
        )
    intrinsics = frame.intrinsics
    if intrinsics is None:
        problems.append(
            Diagnostic(
                "missing_intrinsics",
                "no camera_info for the depth image: subscribe to the aligned depth stream's camera_info",
            )
        )
    else:
        if (
            not all(np.isfinite([intrinsics.fx, intrinsics.fy, intrinsics.cx, intrinsics.cy]))
            or intrinsics.fx <= 0
            or intrinsics.fy <= 0
        ):
            problems.append(
                Diagnostic(
                    "missing_intrinsics",
                    f"camera_info has fx={intrinsics.fx}, fy={intrinsics.fy}: "
                    "the camera is uncalibrated; publish a valid K",
                )
            )
        if (intrinsics.width, intrinsics.height) != (depth_w, depth_h):
            problems.append(
                Diagnostic(
                    "intrinsics_mismatch",
                    f"camera_info is for {intrinsics.width}×{intrinsics.height} "
                    f"but depth is {depth_w}×{depth_h}: use the camera_info "
                    "published with the aligned depth image",
                )
            )
    if detections_frame_id is not None and detections_frame_id != frame.frame_id:
        problems.append(
            Diagnostic(
                "frame_mismatch",
                f"detections are in frame {detections_frame_id!r} but depth is "
                f"in {frame.frame_id!r}: run the detector on the colour image "
                "the depth is aligned to",
            )
        )
    return problems


def check_transform(T_base_camera: np.ndarray | None) -> list[Diagnostic]:
    """Refuse a missing or non-rigid 4×4 camera pose (p_base = T @ [p_cam, 1], seed 004 §29.2.3)."""
    if T_base_camera is None:
        return [
            Diagnostic(
                "no_transform",
                "no base_link←camera transform at the image stamp: give "
                "T_base_camera (static calibration) or joint states + FK for a wrist camera",
            )
        ]
    T = np.asarray(T_base_camera, dtype=float)
    if T.shape != (4, 4) or not np.all(np.isfinite(T)):
        return [Diagnostic("bad_transform", f"T_base_camera must be a finite 4×4 matrix, got shape {T.shape}")]
    R = T[:3, :3]
    orthonormal = np.abs(R @ R.T - np.eye(3)).max() < 1e-6
    (a, b, c), (d, e, f), (g, h, i) = R.tolist()
    right_handed = abs(a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g) - 1.0) < 1e-6  # det R = +1
    if not (orthonormal and right_handed and np.array_equal(T[3], [0.0, 0.0, 0.0, 1.0])):
        return [
            Diagnostic(
                "bad_transform",
                "T_base_camera is not a rigid transform (R must be a rotation, last row "
                "[0 0 0 1]): check the calibration",
            )
        ]
    return []


def _size(shape: tuple[int, ...]) -> str:
    return f"{shape[1]}×{shape[0]}" if len(shape) >= 2 else str(shape)
