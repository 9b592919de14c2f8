"""The fixed camera mount: pose of the camera optical frame in base_link (seed 004 §29.2.3).

T_base_camera (4×4) maps camera points to the robot base: p_base = R · p_cam + t. It is carried as
translation xyz (m) + unit quaternion (x, y, z, w) — the fields of geometry_msgs/Transform with
header.frame_id = base_link and child_frame_id = camera_color_optical_frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.spatial.transform import Rotation


def transform_from_xyz_quat(xyz: Sequence[float], quat_xyzw: Sequence[float]) -> np.ndarray:
    """xyz (3,) m + quaternion (4,) x, y, z, w (normalized here; zero norm refused) → 4×4 T."""
    position, quat = np.asarray(xyz, dtype=np.float64), np.asarray(quat_xyzw, dtype=np.float64)
    if position.shape != (3,) or quat.shape != (4,) or not np.all(np.isfinite(np.r_[position, quat])):
        raise ValueError(
            f"camera mount needs finite xyz (3 values) + quaternion x y z w (4 values), "
            f"got {position.tolist()} and {quat.tolist()}"
        )
    if np.linalg.norm(quat) < 1e-9:
        raise ValueError("camera mount quaternion has zero norm: give a rotation, e.g. 0 0 0 1 for identity")
    transform = np.eye(4)
    transform[:3, :3] = Rotation.from_quat(quat / np.linalg.norm(quat)).as_matrix()
    transform[:3, 3] = position
    return transform


def xyz_quat_from_transform(transform: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """4×4 rigid T → (xyz (3,) m, unit quaternion (4,) x, y, z, w with w ≥ 0)."""
    quat = Rotation.from_matrix(transform[:3, :3]).as_quat()
    return transform[:3, 3].copy(), quat if quat[3] >= 0 else -quat
