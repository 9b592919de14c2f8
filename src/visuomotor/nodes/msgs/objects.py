"""3D object messages (visuomotor_ros/Object3D, Object3DArray) from ROS-free records."""

from __future__ import annotations

import numpy as np
from geometry_msgs.msg import PoseWithCovariance, Vector3
from visuomotor_ros.msg import Object3D, Object3DArray, ObjectHypothesis

from visuomotor.camera.frame import BASE_FRAME
from visuomotor.nodes.msgs.image import header

UNKNOWN_ROTATION_VARIANCE = -1.0  # docs/interfaces.md: rotation variances −1 when orientation is unknown


def pose_with_covariance(
    position_m: np.ndarray, quat_xyzw: np.ndarray | None, position_covariance: np.ndarray
) -> PoseWithCovariance:
    """Position (3,) m, unit quaternion (x, y, z, w) or None (unknown: identity, rotation variances −1),
    3×3 position covariance m² → PoseWithCovariance with its 6×6 row-major covariance."""
    message = PoseWithCovariance()
    p, q = message.pose.position, message.pose.orientation
    p.x, p.y, p.z = (float(v) for v in position_m)
    q.x, q.y, q.z, q.w = (float(v) for v in (quat_xyzw if quat_xyzw is not None else (0.0, 0.0, 0.0, 1.0)))
    covariance = np.zeros((6, 6))
    covariance[:3, :3] = position_covariance
    if quat_xyzw is None:
        covariance[3:, 3:] = np.diag([UNKNOWN_ROTATION_VARIANCE] * 3)
    message.covariance = covariance.ravel().tolist()
    return message


def object3d_msg(
    stamp_ns: int,
    object_id: str,
    class_name: str,
    score: float,
    position_m: np.ndarray,
    quat_xyzw: np.ndarray | None,
    position_covariance: np.ndarray,
    size_m: np.ndarray,
) -> Object3D:
    message = Object3D(
        header=header(stamp_ns, BASE_FRAME),
        id=object_id,
        results=[ObjectHypothesis(class_id=class_name, score=float(score))],
        pose=pose_with_covariance(position_m, quat_xyzw, position_covariance),
    )
    message.size = Vector3(x=float(size_m[0]), y=float(size_m[1]), z=float(size_m[2]))
    return message


def ground_truth_msg(ground_truth) -> Object3DArray:
    """visuomotor.sim SceneGroundTruth → Object3DArray in base_link (score 1, exact poses, zero covariance)."""
    stamp = ground_truth.stamp_ns
    return Object3DArray(
        header=header(stamp, BASE_FRAME),
        objects=[
            object3d_msg(
                stamp, str(o.object_id), o.class_name, 1.0, o.position_m, o.quat_xyzw, np.zeros((3, 3)), o.size_m
            )
            for o in ground_truth.objects
        ],
    )
