"""Camera mounts as geometry_msgs/TransformStamped."""

from __future__ import annotations

import numpy as np
from geometry_msgs.msg import TransformStamped

from visuomotor.camera.extrinsics import xyz_quat_from_transform
from visuomotor.camera.frame import BASE_FRAME
from visuomotor.nodes.msgs.image import header


def extrinsics_msg(T_base_camera: np.ndarray, stamp_ns: int, camera_frame: str) -> TransformStamped:
    """The mount as TransformStamped: header.frame_id base_link, child = camera optical frame (§29.2.3)."""
    xyz, quat = xyz_quat_from_transform(T_base_camera)
    message = TransformStamped(header=header(stamp_ns, BASE_FRAME), child_frame_id=camera_frame)
    t, r = message.transform.translation, message.transform.rotation
    t.x, t.y, t.z = (float(v) for v in xyz)
    r.x, r.y, r.z, r.w = (float(v) for v in quat)
    return message
