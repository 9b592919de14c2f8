"""camera_node: RGB-D frames from a RealSense, the simulator or a rosbag, published in the realsense-ros layout.

Topics (visuomotor.camera.topics): colour rgb8 + camera_info, aligned depth (16UC1 mm or 32FC1 m) +
camera_info, all stamped with the capture time and frame_id camera_color_optical_frame, reliable
keep-last-2; the fixed camera mount as geometry_msgs/TransformStamped on /camera/extrinsics
(transient_local: late subscribers get it). A live camera that is missing or unplugged is reported and
retried; a file source (bag, RealSense recording) that ends exits 0, one that cannot be read exits 1
with the cause — never a crash loop.

    python -m visuomotor.nodes.camera_node --ros-args -p source:=bag -p bag_path:=run1 -p rate:=max
"""

from __future__ import annotations

import signal
import sys
import threading
from dataclasses import dataclass

import numpy as np
import rclpy
from geometry_msgs.msg import TransformStamped
from rclpy.duration import Duration
from rclpy.exceptions import ParameterException
from rclpy.signals import SignalHandlerOptions
from sensor_msgs.msg import CameraInfo, Image

from visuomotor.camera import topics
from visuomotor.camera.depth_units import with_depth_encoding
from visuomotor.camera.extrinsics import transform_from_xyz_quat
from visuomotor.camera.frame import RGBDFrame
from visuomotor.camera.pacing import Pacer, parse_rate
from visuomotor.camera.source import FrameSource, FrameSourceError
from visuomotor.nodes import qos
from visuomotor.nodes.base import VisuomotorNode
from visuomotor.nodes.msgs.image import frame_to_msgs
from visuomotor.nodes.msgs.transform import extrinsics_msg


@dataclass(frozen=True)
class CameraNodeOptions:
    source: str = "realsense"
    "frame source: realsense | sim | bag"
    serial: str = ""
    "realsense: serial number of the camera to open; empty = the first camera found"
    realsense_bag_path: str = ""
    "realsense: play this RealSense recording (rs.recorder file) instead of a live camera"
    bag_path: str = ""
    "bag: rosbag2 directory (MCAP or sqlite3) holding the camera topics"
    rate: str | float = "recorded"
    "publishing pace: 'recorded' (source stamps), 'max' (as fast as possible) or a rate in Hz"
    sim_seed: int = 0
    "sim: scene seed (objects, lights, camera jitter)"
    sim_camera: str = "fixed"
    "sim: camera to render, fixed (front/above) or wrist"
    width: int = 640
    "realsense/sim: image width, px"
    height: int = 480
    "realsense/sim: image height, px"
    fps: int = 30
    "realsense/sim: frames per second"
    depth_encoding: str = "16UC1"
    "published depth: 16UC1 (uint16 mm, as RealSense) or 32FC1 (float32 m)"
    extrinsics_xyz: tuple[float, float, float] | None = None
    """fixed mount: camera optical frame origin in base_link, m (3 values); unset = the source's own mount (sim,
    recorded bag), else none is published"""
    extrinsics_quat_xyzw: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)
    "fixed mount: orientation of the camera optical frame in base_link, unit quaternion x y z w"
    wait_for_subscribers: int = 0
    """publish the first frame only once this many subscribers match every camera topic (replaying a bag for
    evaluation without losing its start); 0 = do not wait"""
    restamp: bool = False
    "replace the source's stamps with the publish time (replaying a bag into a live graph)"

    def __post_init__(self) -> None:
        if self.source not in ("realsense", "sim", "bag"):
            raise ValueError(f"source {self.source!r}: use realsense, sim or bag")
        if self.depth_encoding not in ("16UC1", "32FC1"):
            raise ValueError(f"depth_encoding {self.depth_encoding!r}: use 16UC1 (mm) or 32FC1 (m)")
        parse_rate(str(self.rate))

    def mount(self) -> np.ndarray | None:
        """The fixed mount from extrinsics_xyz/quat (ValueError when it is not a rigid transform), or None
        when extrinsics_xyz is unset."""
        if self.extrinsics_xyz is None:
            return None
        return transform_from_xyz_quat(list(self.extrinsics_xyz), list(self.extrinsics_quat_xyzw))


class CameraNode(VisuomotorNode):
    PARAMETERS = (CameraNodeOptions,)

    def __init__(self, **node_kwargs):
        super().__init__("camera_node", **node_kwargs)
        self.options: CameraNodeOptions = self.declare_config(CameraNodeOptions)
        self.publishers_ = {
            topic: self.create_publisher(msg_type, topic, qos.IMAGE)
            for topic, msg_type in (
                (topics.COLOR_IMAGE, Image),
                (topics.COLOR_INFO, CameraInfo),
                (topics.DEPTH_IMAGE, Image),
                (topics.DEPTH_INFO, CameraInfo),
            )
        }
        self.extrinsics_publisher = self.create_publisher(TransformStamped, topics.EXTRINSICS, qos.LATCHED)
        self.frames_published = 0
        self._published_mount: np.ndarray | None = None

    def make_source(self) -> FrameSource:
        options = self.options
        kind, encoding = options.source, options.depth_encoding
        if kind == "bag":
            from visuomotor.camera.bag_source import BagSource, BagSourceConfig

            return BagSource(BagSourceConfig(path=options.bag_path, depth_encoding=encoding))
        if kind == "realsense":
            from visuomotor.camera.realsense import RealSenseConfig, RealSenseSource

            config = RealSenseConfig(
                serial=options.serial,
                recording=options.realsense_bag_path,
                width=options.width,
                height=options.height,
                fps=options.fps,
                depth_encoding=encoding,
            )
            return RealSenseSource(config, log=self.get_logger().warning)
        from visuomotor.sim.camera_source import SimSource, SimSourceConfig

        return SimSource(
            SimSourceConfig(
                seed=options.sim_seed,
                camera=options.sim_camera,
                width=options.width,
                height=options.height,
                fps=options.fps,
                depth_encoding=encoding,
            )
        )

    def publish_frame(self, frame: RGBDFrame, mount: np.ndarray | None) -> None:
        if self.options.restamp:
            frame.stamp_ns = self.get_clock().now().nanoseconds
        frame = with_depth_encoding(frame, self.options.depth_encoding)
        mount = mount if mount is not None else frame.T_base_camera
        if mount is not None and (self._published_mount is None or not np.array_equal(mount, self._published_mount)):
            self.extrinsics_publisher.publish(extrinsics_msg(mount, frame.stamp_ns, frame.frame_id))
            self._published_mount = mount
        messages = frame_to_msgs(frame)
        self.publishers_[topics.COLOR_IMAGE].publish(messages.color)
        self.publishers_[topics.COLOR_INFO].publish(messages.info)
        self.publishers_[topics.DEPTH_IMAGE].publish(messages.depth)
        self.publishers_[topics.DEPTH_INFO].publish(messages.info)
        self.frames_published += 1

    def all_publishers(self) -> list:
        return [*self.publishers_.values(), self.extrinsics_publisher]

    def stream(self, source: FrameSource, stop: threading.Event) -> None:
        """Publish the source's frames, paced by `rate`, until it ends or `stop` is set; then wait (≤ 2 s)
        until reliable subscribers acknowledged everything, so an ending file source loses nothing."""
        mount, pacer = self.options.mount(), Pacer(parse_rate(str(self.options.rate)))
        wanted = self.options.wait_for_subscribers
        while (
            wanted > 0
            and not stop.is_set()
            and min(p.get_subscription_count() for p in self.publishers_.values()) < wanted
        ):
            stop.wait(0.05)
        for frame in source.frames():
            if stop.is_set():
                return
            pacer.wait(frame.stamp_ns)
            self.publish_frame(frame, mount)
        for publisher in self.all_publishers():
            publisher.wait_for_all_acked(Duration(seconds=2.0))


def run(node: CameraNode) -> int:
    """Publish until the source ends (0), fails (1, cause logged) or a signal stops rclpy (0)."""
    logger = node.get_logger()
    try:
        node.options.mount()
        source = node.make_source()
    except (ValueError, FrameSourceError) as error:
        logger.error(f"camera_node: {error}")
        return 2
    stop, outcome = threading.Event(), {"code": 0}

    def publish_loop() -> None:
        try:
            node.stream(source, stop)
            logger.info(f"source {node.options.source} ended after {node.frames_published} frames")
        except (FrameSourceError, ValueError) as error:  # ValueError: a frame the messages cannot carry
            logger.error(f"camera_node: {error}")
            outcome["code"] = 1
        except Exception as error:
            logger.error(f"camera_node: source {node.options.source} failed: {type(error).__name__}: {error}")
            outcome["code"] = 1
        finally:
            stop.set()

    worker = threading.Thread(target=publish_loop, name="camera_source", daemon=True)
    worker.start()
    try:
        while rclpy.ok(context=node.context) and not stop.is_set():
            rclpy.spin_once(node, timeout_sec=0.1)
    finally:
        stop.set()
        source.close()
        worker.join(timeout=5.0)
    return outcome["code"]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(args: list[str] | None = None) -> int:
    """Entry point of `ros2 run visuomotor_ros camera_node`; SIGINT/SIGTERM stop it cleanly."""
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        node = CameraNode()
    except (ParameterException, ValueError) as error:  # e.g. width:=wide (a string for an integer)
        print(f"camera_node: bad parameter: {error}", file=sys.stderr)
        rclpy.try_shutdown()
        return 2
    try:
        return run(node)
    except KeyboardInterrupt:
        return 0
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
