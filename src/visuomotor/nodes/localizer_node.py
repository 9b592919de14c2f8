"""localizer_node: /detections + aligned depth (+ camera_info, /camera/extrinsics or /joint_states for a
wrist camera) -> /objects (visuomotor_ros/Object3DArray in base_link, seed 004 §29.2).

Detections are paired with the depth frame of the SAME stamp (the detector copies the image header),
waiting at most max_pair_wait_s for it; the camera pose is the one valid at that stamp. A frame or
detection that cannot be localized (size/frame/intrinsics mismatch, no valid depth) is refused with a
diagnostic; nothing is guessed. The colour image's geometry is taken from its camera_info: its pixels
are not needed here, so they are never transferred to this node. In composed mode
(visuomotor.harness.composition) whole RGBDFrames arrive in-process instead of over the depth topics.
"""

from __future__ import annotations

import time
from collections import deque

import numpy as np
from geometry_msgs.msg import TransformStamped
from rclpy.node import Node
from sensor_msgs.msg import CameraInfo, Image, JointState
from visuomotor_ros.msg import Detection2DArray, Object3DArray

from visuomotor.camera.extrinsics import transform_from_xyz_quat
from visuomotor.camera.frame import RGBDFrame
from visuomotor.camera.image_codec import ImageEncodingError, decode_image, intrinsics_from_camera_info, stamp_to_ns
from visuomotor.localization.camera_pose import JointStateHistory, WristCameraPose
from visuomotor.localization.diagnostics import Diagnostic
from visuomotor.localization.localizer import Localizer, LocalizerConfig
from visuomotor.localization.stamp_pairing import StampPairer
from visuomotor.nodes import qos
from visuomotor.nodes.diagnostics import StageDiagnostics
from visuomotor.nodes.msgs.detection import detection_from_msg
from visuomotor.nodes.msgs.image import header
from visuomotor.nodes.msgs.objects import object3d_msg
from visuomotor.nodes.roles import FrameConsumer, FrameSink
from visuomotor.nodes.runner import run_node
from visuomotor.robot.joints import JOINT_NAMES
from visuomotor.robot.kinematics import link_frames
from visuomotor.robot.wrist_mount import wrist_camera_in_flange
from visuomotor.sim.objects import CLASS_NAMES, HALF_EXTENTS_M

SIM_SIZE_PRIORS = {name: tuple(2 * h for h in HALF_EXTENTS_M[name.split("_", 1)[1]]) for name in CLASS_NAMES}


class LocalizerNode(Node, FrameConsumer):
    def __init__(self, **node_kwargs):
        super().__init__("localizer_node", **node_kwargs)
        defaults = LocalizerConfig()
        declare = self.declare_parameter
        declare("max_pair_wait_s", 0.1)
        declare("stamp_tolerance_s", 0.002)
        declare("depth_min_m", defaults.min_depth_m)
        declare("depth_max_m", defaults.max_depth_m)
        declare("box_shrink", defaults.box_shrink)
        declare("camera_mount", "fixed")
        declare("size_prior_classes", list(SIM_SIZE_PRIORS))
        declare("size_prior_sizes_m", [v for size in SIM_SIZE_PRIORS.values() for v in size])
        p = lambda name: self.get_parameter(name).value  # noqa: E731
        classes, sizes = list(p("size_prior_classes")), list(p("size_prior_sizes_m"))
        if len(sizes) != 3 * len(classes):
            raise ValueError(
                f"size_prior_sizes_m needs 3 values per class of size_prior_classes "
                f"({3 * len(classes)}), got {len(sizes)}"
            )
        if p("camera_mount") not in ("fixed", "wrist"):
            raise ValueError(f"camera_mount {p('camera_mount')!r}: use fixed or wrist")
        self.localizer = Localizer(
            LocalizerConfig(
                min_depth_m=p("depth_min_m"),
                max_depth_m=p("depth_max_m"),
                box_shrink=p("box_shrink"),
                size_priors_m={c: tuple(sizes[3 * i : 3 * i + 3]) for i, c in enumerate(classes)},
            )
        )
        self.max_wait_ns = int(p("max_pair_wait_s") * 1e9)
        self.pairer = StampPairer(max_frames=15, tolerance_ns=int(p("stamp_tolerance_s") * 1e9))
        self.wrist = None
        if p("camera_mount") == "wrist":
            self.joint_history = JointStateHistory()
            self.wrist = WristCameraPose(lambda q: link_frames(q)[-1], wrist_camera_in_flange(), self.joint_history)
            self.create_subscription(JointState, "joint_states", self.on_joint_state, qos.DATA)
        self.T_base_camera: np.ndarray | None = None
        self.depth_infos: deque[CameraInfo] = deque(maxlen=15)
        self.depth_images: deque[Image] = deque(maxlen=15)
        self.color_info: CameraInfo | None = None
        self.pending: deque[tuple[float, Detection2DArray]] = deque(maxlen=10)
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
        self.diagnostics = StageDiagnostics(self)
        self.create_timer(0.01, self.retry_pending)
        self.create_timer(1.0, self.diagnostics.publish)

    # -- inputs -------------------------------------------------------------------------------------------
    def on_color_info(self, info: CameraInfo) -> None:
        self.color_info = info
        self.match_depth()

    def on_extrinsics(self, message: TransformStamped) -> None:
        t, r = message.transform.translation, message.transform.rotation
        self.T_base_camera = transform_from_xyz_quat([t.x, t.y, t.z], [r.x, r.y, r.z, r.w])

    def on_joint_state(self, message: JointState) -> None:
        try:
            q = np.array([message.position[list(message.name).index(n)] for n in JOINT_NAMES])
        except (ValueError, IndexError):
            self.diagnostics.refuse(f"joint_states lack some of {list(JOINT_NAMES)}")
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
        self.pairer.add(
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
        self.pending.appendleft((time.monotonic(), message))
        self.retry_pending()

    # -- pairing and localization ----------------------------------------------------------------------------
    def use_in_process_frames(self) -> FrameSink:
        """Composed mode: stop reading the depth topics; returns the callback taking RGBDFrames (from any
        thread: they are queued and taken in by the 10 ms timer on the executor thread)."""
        for subscription in self.depth_subscriptions:
            self.destroy_subscription(subscription)
        return self.handed_over.append

    def retry_pending(self) -> None:
        """Take in handed-over frames, then localize the NEWEST pending detection array whose depth frame
        has arrived and drop the older ones (the tracker needs time order, and they are stale anyway);
        arrays that waited longer than max_pair_wait_s are dropped with a diagnostic."""
        while self.handed_over:
            self.pairer.add(self.handed_over.popleft())
        now = time.monotonic()
        for index, (_received, message) in enumerate(self.pending):  # newest first
            frame = self.pairer.pair(stamp_to_ns(message.header.stamp))
            if isinstance(frame, RGBDFrame):
                self.localize(message, frame)
                self.diagnostics.count("superseded", len(self.pending) - index - 1)
                self.pending = deque(list(self.pending)[:index], maxlen=self.pending.maxlen)
                break
        waiting = deque(maxlen=self.pending.maxlen)
        for received, message in self.pending:
            if (now - received) * 1e9 <= self.max_wait_ns:
                waiting.append((received, message))
                continue
            frame = self.pairer.pair(stamp_to_ns(message.header.stamp))
            cause = (
                "no colour camera_info received: publish camera/color/camera_info"
                if self.color_info is None
                else getattr(frame, "message", "depth frame arrived too late")
            )
            self.diagnostics.refuse(f"detections dropped after {self.max_wait_ns / 1e6:.0f} ms: {cause}")
        self.pending = waiting

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
