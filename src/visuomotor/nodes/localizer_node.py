"""localizer_node: /detections + aligned depth (+ camera_info, /camera/extrinsics or /joint_states for a
wrist camera) -> /objects (visuomotor_ros/Object3DArray in base_link, seed 004 §29.2).

Detections are paired with the depth frame of the SAME stamp (the detector copies the image header),
waiting at most max_pair_wait_s for it; the camera pose is the one valid at that stamp. A frame or
detection that cannot be localized (size/frame/intrinsics mismatch, a box beyond the image, a score outside
[0, 1], no valid depth) is refused with a diagnostic; nothing is guessed. A camera mount that is not a rigid
transform (NaN, a quaternion of norm ≠ 1; visuomotor.localization.camera_mount) and joint states beyond the
arm's limits (wrist camera) are refused the same way, and the previous mount stays in use. The colour
image's geometry is taken from its camera_info: its pixels are not needed here, so they are never transferred
to this node. In composed mode (visuomotor.harness.composition) whole RGBDFrames arrive in-process instead of
over the depth topics.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

import numpy as np
from geometry_msgs.msg import TransformStamped
from sensor_msgs.msg import CameraInfo, Image, JointState
from visuomotor_ros.msg import Detection2DArray, Object3DArray

from visuomotor.camera.frame import RGBDFrame
from visuomotor.camera.image_codec import ImageEncodingError, decode_image, intrinsics_from_camera_info, stamp_to_ns
from visuomotor.localization.camera_mount import mount_from_message
from visuomotor.localization.camera_pose import JointStateHistory, WristCameraPose
from visuomotor.localization.detection_queue import DetectionQueue
from visuomotor.localization.diagnostics import Diagnostic
from visuomotor.localization.localizer import Localizer, LocalizerConfig
from visuomotor.localization.stamp_pairing import StampPairer
from visuomotor.nodes import qos
from visuomotor.nodes.base import VisuomotorNode
from visuomotor.nodes.msgs.detection import detection_from_msg
from visuomotor.nodes.msgs.image import header
from visuomotor.nodes.msgs.objects import object3d_msg
from visuomotor.nodes.roles import FrameConsumer, FrameSink
from visuomotor.nodes.runner import run_node
from visuomotor.robot.joint_checks import limit_violation
from visuomotor.robot.joints import JOINT_NAMES
from visuomotor.robot.kinematics import link_frames
from visuomotor.robot.wrist_mount import wrist_camera_in_flange
from visuomotor.sim.objects import CLASS_NAMES, HALF_EXTENTS_M

SIM_SIZE_PRIORS = {name: tuple(2 * h for h in HALF_EXTENTS_M[name.split("_", 1)[1]]) for name in CLASS_NAMES}


@dataclass(frozen=True)
class LocalizerNodeOptions:
    max_pair_wait_s: float = 0.1
    "how long detections wait for the depth frame of their stamp before they are dropped, s"
    stamp_tolerance_s: float = 0.002
    "largest stamp difference between detections and a depth frame taken as the same image, s"
    camera_mount: str = "fixed"
    "fixed (the mount on camera/extrinsics) or wrist (the pose from joint_states and forward kinematics)"
    size_prior_classes: tuple[str, ...] = tuple(SIM_SIZE_PRIORS)
    "classes whose full size is known (the localizer's size priors; default: the simulator's objects)"
    size_prior_sizes_m: tuple[float, ...] = tuple(v for size in SIM_SIZE_PRIORS.values() for v in size)
    "the full sizes of size_prior_classes, x y z per class, m"

    def __post_init__(self) -> None:
        if len(self.size_prior_sizes_m) != 3 * len(self.size_prior_classes):
            raise ValueError(
                f"size_prior_sizes_m needs 3 values per class of size_prior_classes "
                f"({3 * len(self.size_prior_classes)}), got {len(self.size_prior_sizes_m)}"
            )
        if self.camera_mount not in ("fixed", "wrist"):
            raise ValueError(f"camera_mount {self.camera_mount!r}: use fixed or wrist")

    def size_priors(self) -> dict[str, tuple[float, float, float]]:
        sizes = self.size_prior_sizes_m
        return {c: (sizes[3 * i], sizes[3 * i + 1], sizes[3 * i + 2]) for i, c in enumerate(self.size_prior_classes)}


class LocalizerNode(VisuomotorNode, FrameConsumer):
    PARAMETERS = (LocalizerConfig, LocalizerNodeOptions)

    def __init__(self, **node_kwargs):
        super().__init__("localizer_node", **node_kwargs)
        options: LocalizerNodeOptions = self.declare_config(LocalizerNodeOptions)
        self.localizer = Localizer(self.declare_config(LocalizerConfig, size_priors_m=options.size_priors()))
        self.max_wait_ns = int(options.max_pair_wait_s * 1e9)
        pairer = StampPairer(max_frames=15, tolerance_ns=int(options.stamp_tolerance_s * 1e9))
        self.queue: DetectionQueue[Detection2DArray] = DetectionQueue(pairer, self.max_wait_ns)
        self.wrist = None
        if options.camera_mount == "wrist":
            self.joint_history = JointStateHistory()
            self.wrist = WristCameraPose(lambda q: link_frames(q)[-1], wrist_camera_in_flange(), self.joint_history)
            self.create_subscription(JointState, "joint_states", self.on_joint_state, qos.DATA)
        self.T_base_camera: np.ndarray | None = None
        self.depth_infos: deque[CameraInfo] = deque(maxlen=15)
        self.depth_images: deque[Image] = deque(maxlen=15)
        self.color_info: CameraInfo | None = None
        self.handed_over: deque[RGBDFrame] = deque(maxlen=15)  # composed mode; drained on the executor thread
        self.objects_pub = self.create_publisher(Object3DArray, "objects", qos.DATA)
        self.create_subscription(Detection2DArray, "detections", self.on_detections, qos.DATA)
        self.depth_subscriptions = [
            self.create_subscription(Image, "camera/aligned_depth_to_color/image_raw", self.on_depth, qos.IMAGE),
            self.create_subscription(
                CameraInfo, "camera/aligned_depth_to_color/camera_info", self.on_depth_info, qos.IMAGE
            ),
        ]
        self.create_subscription(CameraInfo, "camera/color/camera_info", self.on_color_info, qos.IMAGE)
        self.create_subscription(TransformStamped, "camera/extrinsics", self.on_extrinsics, qos.LATCHED)
        self.create_timer(0.01, self.retry_pending)

    # -- inputs -------------------------------------------------------------------------------------------
    def on_color_info(self, info: CameraInfo) -> None:
        self.color_info = info
        self.match_depth()

    def on_extrinsics(self, message: TransformStamped) -> None:
        t, r = message.transform.translation, message.transform.rotation
        mount = mount_from_message([t.x, t.y, t.z], [r.x, r.y, r.z, r.w])
        if isinstance(mount, Diagnostic):
            self.diagnostics.refuse(str(mount))
            return
        self.T_base_camera = mount

    def on_joint_state(self, message: JointState) -> None:
        try:
            q = np.array([message.position[list(message.name).index(n)] for n in JOINT_NAMES])
        except (ValueError, IndexError):
            self.diagnostics.refuse(f"joint_states lack some of {list(JOINT_NAMES)}")
            return
        violation = limit_violation(q)
        if violation:
            self.diagnostics.refuse(f"joint_states refused: {violation}")
            return
        problem = self.joint_history.add(stamp_to_ns(message.header.stamp), q)
        if problem:
            self.diagnostics.refuse(str(problem))

    def on_depth(self, message: Image) -> None:
        self.depth_images.append(message)
        self.match_depth()

    def on_depth_info(self, info: CameraInfo) -> None:
        self.depth_infos.append(info)
        self.match_depth()

    def match_depth(self) -> None:
        """Pair depth images with their camera_info by stamp (either may arrive first) into RGBDFrames,
        once the colour camera_info (the colour image's geometry) is known."""
        if self.color_info is None:
            return
        infos = {stamp_to_ns(i.header.stamp): i for i in self.depth_infos}
        for message in [m for m in self.depth_images if stamp_to_ns(m.header.stamp) in infos]:
            self.depth_images.remove(message)
            self.add_depth_frame(message, infos[stamp_to_ns(message.header.stamp)])

    def add_depth_frame(self, message: Image, info: CameraInfo) -> None:
        try:
            depth = decode_image(message)
            intrinsics = intrinsics_from_camera_info(info)
        except (ImageEncodingError, ValueError) as error:
            self.diagnostics.refuse(f"depth image refused: {error}")
            return
        color_geometry = np.broadcast_to(np.zeros(3, np.uint8), (self.color_info.height, self.color_info.width, 3))
        self.queue.add_frame(
            RGBDFrame(
                color=color_geometry,
                depth=depth,
                intrinsics=intrinsics,
                stamp_ns=stamp_to_ns(message.header.stamp),
                depth_encoding=message.encoding,
                frame_id=message.header.frame_id,
            )
        )
        self.retry_pending()

    def on_detections(self, message: Detection2DArray) -> None:
        self.queue.add_detections(stamp_to_ns(message.header.stamp), message, time.monotonic_ns())
        self.retry_pending()

    # -- pairing and localization ----------------------------------------------------------------------------
    def use_in_process_frames(self) -> FrameSink:
        """Composed mode: stop reading the depth topics; returns the callback taking RGBDFrames (from any
        thread: they are queued and taken in by the 10 ms timer on the executor thread)."""
        for subscription in self.depth_subscriptions:
            self.destroy_subscription(subscription)
        return self.handed_over.append

    def retry_pending(self) -> None:
        """Take in handed-over frames, then localize the newest waiting detections whose depth frame has
        arrived (visuomotor.localization.detection_queue); report the ones that waited too long."""
        while self.handed_over:
            self.queue.add_frame(self.handed_over.popleft())
        poll = self.queue.poll(time.monotonic_ns())
        if poll.ready is not None:
            self.localize(*poll.ready)
            self.diagnostics.count("superseded", poll.superseded)
        for _, problem in poll.expired:
            cause = (
                "no colour camera_info received: publish camera/color/camera_info"
                if self.color_info is None
                else problem.message
            )
            self.diagnostics.refuse(f"detections dropped after {self.max_wait_ns / 1e6:.0f} ms: {cause}")

    def camera_pose(self, stamp_ns: int) -> np.ndarray | Diagnostic | None:
        return self.wrist.at(stamp_ns) if self.wrist is not None else self.T_base_camera

    def localize(self, message: Detection2DArray, frame: RGBDFrame) -> None:
        started = time.perf_counter()
        pose = self.camera_pose(frame.stamp_ns)
        if isinstance(pose, Diagnostic):
            self.diagnostics.refuse(str(pose))
            return
        detections = [detection_from_msg(d, {}) for d in message.detections]
        result = self.localizer.localize(
            frame, detections, T_base_camera=pose, detections_frame_id=message.header.frame_id
        )
        for problem in result.diagnostics:
            self.diagnostics.refuse(str(problem))
        if any(problem.detection_index is None for problem in result.diagnostics):
            return  # the whole frame was refused: publish nothing rather than a misleading empty array
        source_of = {id(d): m for d, m in zip(detections, message.detections)}
        output = Object3DArray(header=header(frame.stamp_ns, "base_link"))
        for obj in result.objects:
            source = source_of[id(obj.detection)]
            msg = object3d_msg(
                frame.stamp_ns, source.id, obj.class_name, obj.score, obj.position, None, obj.covariance, obj.size
            )
            msg.source = source
            output.objects.append(msg)
        self.objects_pub.publish(output)
        self.diagnostics.record_latency((time.perf_counter() - started) * 1e3)
        self.diagnostics.count("frames_localized")


NODE_CLASS = LocalizerNode


def main(args: list[str] | None = None) -> int:
    return run_node(LocalizerNode, "localizer_node", args)
