"""The camera contract every source (RealSense, simulation, rosbag) produces, ROS-free.

Pinhole model, seed 004 §29.2.1: K = [[fx, 0, cx], [0, fy, cy], [0, 0, 1]], pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

COLOR_OPTICAL_FRAME = "camera_color_optical_frame"
BASE_FRAME = "base_link"
DEPTH_SCALE_M = {"16UC1": 1e-3, "32FC1": 1.0}  # metres per depth unit, by ROS image encoding


@dataclass(frozen=True)
class CameraIntrinsics:
    """Pinhole intrinsics of an image of width×height pixels (seed 004 §29.2.1).

    Defaults: RealSense D455 colour at 640×480, fx = fy = 600 px, (cx, cy) = (320, 240) (seed §29.3).
    """

    width: int = 640
    height: int = 480
    fx: float = 600.0
    fy: float = 600.0
    cx: float = 320.0
    cy: float = 240.0
    distortion_model: str = "plumb_bob"
    distortion: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0, 0.0)

    @property
    def K(self) -> np.ndarray:
        """3×3 intrinsic matrix, pixels."""
        return np.array([[self.fx, 0.0, self.cx], [0.0, self.fy, self.cy], [0.0, 0.0, 1.0]])


@dataclass
class RGBDFrame:
    """One aligned RGB-D capture.

    color: (H, W, 3) uint8 RGB. depth: (H, W), uint16 millimetres ("16UC1", RealSense's native
    format) or float32 metres ("32FC1"); 0 (or NaN) marks an invalid pixel. Depth is aligned to the
    colour image, so both share `intrinsics` and `frame_id`. stamp_ns: capture time, ns since epoch
    (or sim time). T_base_camera: optional 4×4 pose of the camera optical frame in base_link, i.e.
    p_base = T_base_camera @ [p_cam, 1] (seed §29.2.3), valid at stamp_ns.
    """

    color: np.ndarray
    depth: np.ndarray
    intrinsics: CameraIntrinsics
    stamp_ns: int
    depth_encoding: str = "16UC1"
    frame_id: str = COLOR_OPTICAL_FRAME
    T_base_camera: np.ndarray | None = None
    segmentation: np.ndarray | None = field(default=None, repr=False)  # (H, W) int32 instance ids, sim only

    def depth_m(self) -> np.ndarray:
        """Depth in metres as float32; invalid pixels become NaN."""
        scale = DEPTH_SCALE_M.get(self.depth_encoding)
        if scale is None:
            raise ValueError(f"unknown depth encoding {self.depth_encoding!r}: use 16UC1 (mm) or 32FC1 (m)")
        depth = self.depth.astype(np.float32) * np.float32(scale)
        depth[~np.isfinite(depth) | (depth <= 0)] = np.nan
        return depth
