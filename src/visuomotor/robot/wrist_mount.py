"""The wrist camera's mount on the flange: where it sits and where it looks (a D455-like camera on the gripper).

T_base_camera(q) = link_frames(q)[-1] @ wrist_camera_in_flange() for joint angles q (seed 004 §29.2.3, with the
flange pose from the arm's forward kinematics). Optical frames follow REP-103: z forward, x right, y down.
"""

from __future__ import annotations

import numpy as np

WRIST_CAMERA_POS_M = (0.07, 0.0, 0.06)  # in the flange frame
WRIST_CAMERA_AIM_M = (0.0, 0.0, 0.32)  # the point (flange frame) the wrist camera looks at


def look_at_optical(eye: np.ndarray, target: np.ndarray) -> np.ndarray:
    """R (3×3) of a REP-103 optical frame at `eye` looking at `target`: z forward, x right, y down (world up = +z)."""
    z = np.asarray(target, float) - np.asarray(eye, float)
    z /= np.linalg.norm(z)
    x = np.cross(z, [0.0, 0.0, 1.0])
    x /= np.linalg.norm(x)
    return np.column_stack([x, np.cross(z, x), z])


def wrist_camera_optical_rotation() -> np.ndarray:
    """R (3×3) of the wrist camera's optical frame in the flange frame: looks at WRIST_CAMERA_AIM_M, x = flange y."""
    z = np.subtract(WRIST_CAMERA_AIM_M, WRIST_CAMERA_POS_M)
    z /= np.linalg.norm(z)
    x = np.array([0.0, 1.0, 0.0])
    return np.column_stack([x, np.cross(z, x), z])


def wrist_camera_in_flange() -> np.ndarray:
    """T_flange_camera (4×4): the wrist camera's optical frame in the flange frame (DH frame 6), so that
    T_base_camera = link_frames(q)[-1] @ wrist_camera_in_flange() for joint angles q."""
    T = np.eye(4)
    T[:3, :3] = wrist_camera_optical_rotation()
    T[:3, 3] = WRIST_CAMERA_POS_M
    return T
