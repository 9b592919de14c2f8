"""The fixed camera mount received as a message (/camera/extrinsics: translation + quaternion), checked before
it is used: a bad one is refused with a diagnostic naming the cause, and the previous mount (if any) stays.

Plausible means: seven finite values, a unit quaternion (| ‖q‖ − 1 | ≤ QUATERNION_NORM_TOLERANCE: a message
carries a rotation, never a scaled one), and the camera within MAX_MOUNT_DISTANCE_M of base_link.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from visuomotor.camera.extrinsics import transform_from_xyz_quat
from visuomotor.localization.diagnostics import Diagnostic

QUATERNION_NORM_TOLERANCE = 1e-3
MAX_MOUNT_DISTANCE_M = 10.0


def mount_from_message(xyz: Sequence[float], quat_xyzw: Sequence[float]) -> np.ndarray | Diagnostic:
    """xyz (3,) m + quaternion (x, y, z, w) of camera_color_optical_frame in base_link → T_base_camera (4×4),
    or why it cannot be used."""
    translation, quat = np.asarray(xyz, dtype=float), np.asarray(quat_xyzw, dtype=float)
    if not (np.all(np.isfinite(translation)) and np.all(np.isfinite(quat))):
        return Diagnostic(
            "bad_extrinsics", f"camera mount {translation.tolist()} {quat.tolist()} is not finite: ignored"
        )
    norm = float(np.linalg.norm(quat))
    if abs(norm - 1.0) > QUATERNION_NORM_TOLERANCE:
        return Diagnostic(
            "bad_extrinsics",
            f"camera mount quaternion {quat.tolist()} has norm {norm:.4g}, not 1: publish a unit quaternion "
            "(0 0 0 1 for no rotation); ignored",
        )
    if np.linalg.norm(translation) > MAX_MOUNT_DISTANCE_M:
        return Diagnostic(
            "bad_extrinsics",
            f"camera mount at {translation.tolist()} m is more than {MAX_MOUNT_DISTANCE_M:g} m from base_link: ignored",
        )
    return transform_from_xyz_quat(translation.tolist(), quat.tolist())
