"""Ground-truth records the simulator exposes (all in base_link, metres, radians)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ObjectState:
    """One object: instance id (the value of its pixels in RGBDFrame.segmentation), class id (index in
    CLASS_NAMES) and name, shape, pose (position (3,) m and unit quaternion (4,) in ROS order x, y, z, w)
    in base_link, and size_m (3,): full extents along the object's own x, y, z axes."""

    object_id: int
    class_id: int
    class_name: str
    shape: str
    position_m: np.ndarray
    quat_xyzw: np.ndarray
    size_m: np.ndarray


@dataclass(frozen=True)
class SceneGroundTruth:
    """Everything true about the scene at sim time `stamp_ns`: objects, arm joints (rad, rad/s),
    gripper opening state (0 = open … 1 = fully closed), TCP pose and each camera's optical-frame pose
    (4×4, base_link ← optical, REP-103: z forward, x right, y down)."""

    stamp_ns: int
    objects: tuple[ObjectState, ...]
    joint_positions: np.ndarray
    joint_velocities: np.ndarray
    gripper_state: float
    T_base_tcp: np.ndarray
    T_base_cameras: dict[str, np.ndarray]

    def object(self, object_id: int) -> ObjectState:
        """The object with this instance id; unknown ids raise a KeyError naming the valid ones."""
        for obj in self.objects:
            if obj.object_id == object_id:
                return obj
        raise KeyError(f"no object with id {object_id}; ids are {[o.object_id for o in self.objects]}")
