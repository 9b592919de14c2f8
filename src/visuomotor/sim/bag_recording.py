"""Record a simulated pick-and-place episode into a rosbag2 in the layout `visuomotor record` produces,
ROS-free: the fixed camera's colour, aligned depth, both camera_infos and /camera/extrinsics (via
camera.bag_source.write_frames), /sim/ground_truth (visuomotor_ros/Object3DArray, header stamp = the
image stamp, as sim_node publishes it) and /joint_states at the control rate. The scripted expert moves
the arm towards the red cube, so the arm sweeps over the scene and occludes objects.

    record_sim_bag(Path("episode"), SimBagConfig(seed=3, frames=100))

Used by the `eval bag` tests and to make the bags of docs/replay.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from visuomotor.camera import topics
from visuomotor.camera.bag import BagWriter, typestore
from visuomotor.camera.bag_source import write_frames
from visuomotor.camera.image_codec import ns_to_sec_nanosec
from visuomotor.robot.joints import GRIPPER_JOINT, JOINT_NAMES
from visuomotor.sim.ground_truth import ObjectState


@dataclass(frozen=True)
class SimBagConfig:
    """seed: scene layout; frames: camera frames recorded; frame_hz: camera rate (sim time, must divide
    the 50 Hz control rate); camera: which simulated camera; storage: "mcap" or "sqlite3"."""

    seed: int = 0
    frames: int = 20
    frame_hz: float = 10.0
    camera: str = "fixed"
    storage: str = "mcap"


def ground_truth_message(objects: Iterable[ObjectState], stamp_ns: int):
    """Ground-truth objects (SceneGroundTruth.objects) → rosbags visuomotor_ros/msg/Object3DArray in base_link,
    as sim_node publishes it: id = instance id, class name with score 1, exact pose, zero covariance, full size."""
    store = typestore()
    t = store.types
    sec, nanosec = ns_to_sec_nanosec(stamp_ns)
    header = t["std_msgs/msg/Header"](
        stamp=t["builtin_interfaces/msg/Time"](sec=sec, nanosec=nanosec), frame_id="base_link"
    )
    items = []
    for o in objects:
        hypothesis = t["visuomotor_ros/msg/ObjectHypothesis"](class_id=o.class_name, score=1.0)
        pose = t["geometry_msgs/msg/Pose"](
            position=t["geometry_msgs/msg/Point"](*(float(v) for v in o.position_m)),
            orientation=t["geometry_msgs/msg/Quaternion"](*(float(v) for v in o.quat_xyzw)),
        )
        source = t["visuomotor_ros/msg/Detection2D"](
            header=header,
            id="",
            results=[],
            bbox=t["visuomotor_ros/msg/BoundingBox2D"](center_x=0.0, center_y=0.0, size_x=0.0, size_y=0.0),
            mask_label=0,
        )
        items.append(
            t["visuomotor_ros/msg/Object3D"](
                header=header,
                id=str(o.object_id),
                results=[hypothesis],
                pose=t["geometry_msgs/msg/PoseWithCovariance"](pose=pose, covariance=np.zeros(36)),
                size=t["geometry_msgs/msg/Vector3"](*(float(v) for v in o.size_m)),
                source=source,
            )
        )
    return t["visuomotor_ros/msg/Object3DArray"](header=header, objects=items)


def joint_state_message(names: list[str], positions: np.ndarray, velocities: np.ndarray, stamp_ns: int):
    t = typestore().types
    sec, nanosec = ns_to_sec_nanosec(stamp_ns)
    header = t["std_msgs/msg/Header"](stamp=t["builtin_interfaces/msg/Time"](sec=sec, nanosec=nanosec), frame_id="")
    return t["sensor_msgs/msg/JointState"](
        header=header,
        name=names,
        position=np.asarray(positions, float),
        velocity=np.asarray(velocities, float),
        effort=np.zeros(0),
    )


def record_sim_bag(path: Path, config: SimBagConfig = SimBagConfig()) -> int:
    """Run the expert for config.frames camera frames and record them into a new bag at `path`;
    returns the number of frames written. Stamps are sim time (ns)."""
    from visuomotor.sim.expert import ExpertConfig, PickPlaceExpert
    from visuomotor.sim.task import PickPlaceTask, TaskConfig

    task_config = TaskConfig(time_limit_s=1e6)
    steps_per_frame = task_config.control_hz / config.frame_hz
    if config.frames < 1 or steps_per_frame < 1 or abs(steps_per_frame - round(steps_per_frame)) > 1e-9:
        raise ValueError(
            f"frames ({config.frames}) must be ≥ 1 and frame_hz ({config.frame_hz}) must divide "
            f"the control rate {task_config.control_hz:g} Hz"
        )
    task = PickPlaceTask(task_config)
    observation = task.reset(config.seed)
    expert = PickPlaceExpert(
        ExpertConfig(bin_center_m=task_config.scene.bin_center_m, control_hz=task_config.control_hz)
    )
    names = [*JOINT_NAMES, GRIPPER_JOINT]
    written = 0
    with BagWriter(path, storage=config.storage, split_s=None) as writer:  # offline: one file (rerun if interrupted)
        writer.add_topic(topics.JOINT_STATES, topics.RECORDED_TOPIC_TYPES[topics.JOINT_STATES])
        writer.add_topic(topics.GROUND_TRUTH, topics.RECORDED_TOPIC_TYPES[topics.GROUND_TRUTH])
        step = 0
        while written < config.frames:
            sim = task.sim
            stamp = sim.stamp_ns
            writer.write(
                topics.JOINT_STATES,
                joint_state_message(
                    names, np.r_[sim.joint_positions(), sim.gripper_state()], np.r_[sim.joint_velocities(), 0.0], stamp
                ),
                stamp,
            )
            if step % round(steps_per_frame) == 0:
                frame = sim.render(config.camera, with_segmentation=False)
                write_frames(writer, [frame])
                writer.write(topics.GROUND_TRUTH, ground_truth_message(sim.ground_truth().objects, stamp), stamp)
                written += 1
            observation = task.step(expert.act(observation))
            step += 1
    task.sim.close()
    return written
