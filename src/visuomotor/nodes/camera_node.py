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
import time

import numpy as np
import rclpy
from geometry_msgs.msg import TransformStamped
from rcl_interfaces.msg import ParameterDescriptor
from rclpy.duration import Duration
from rclpy.exceptions import ParameterException, ParameterUninitializedException
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.signals import SignalHandlerOptions
from sensor_msgs.msg import CameraInfo, Image

from visuomotor.camera import topics
from visuomotor.camera.depth_units import with_depth_encoding
from visuomotor.camera.extrinsics import transform_from_xyz_quat
from visuomotor.camera.frame import RGBDFrame
from visuomotor.camera.source import FrameSource, FrameSourceError
from visuomotor.nodes import qos
from visuomotor.nodes.msgs.image import frame_to_msgs
from visuomotor.nodes.msgs.transform import extrinsics_msg

PARAMETERS = {  # name: (default, description)
    "source": ("realsense", "frame source: realsense | sim | bag"),
    "serial": ("", "realsense: serial number of the camera to open; empty = the first camera found"),
    "realsense_bag_path": ("", "realsense: play this RealSense recording (rs.recorder file) instead of a live camera"),
    "bag_path": ("", "bag: rosbag2 directory (MCAP or sqlite3) holding the camera topics"),
    "rate": ("recorded", "publishing pace: 'recorded' (source stamps), 'max' (as fast as possible) or a rate in Hz"),
    "sim_seed": (0, "sim: scene seed (objects, lights, camera jitter)"),
    "sim_camera": ("fixed", "sim: camera to render, fixed (front/above) or wrist"),
    "width": (640, "realsense/sim: image width, px"),
    "height": (480, "realsense/sim: image height, px"),
    "fps": (30, "realsense/sim: frames per second"),
    "depth_encoding": ("16UC1", "published depth: 16UC1 (uint16 mm, as RealSense) or 32FC1 (float32 m)"),
    "extrinsics_xyz": (
        Parameter.Type.DOUBLE_ARRAY,
        "fixed mount: camera optical frame origin in base_link, m "
        "(3 values); unset = the source's own mount (sim, recorded bag), else none is published",
    ),
    "extrinsics_quat_xyzw": (
        [0.0, 0.0, 0.0, 1.0],
        "fixed mount: orientation of the camera optical frame in base_link, unit quaternion x y z w",
    ),
    "wait_for_subscribers": (
        0,
        "publish the first frame only once this many subscribers match every camera topic "
        "(replaying a bag for evaluation without losing its start); 0 = do not wait",
    ),
    "restamp": (False, "replace the source's stamps with the publish time (replaying a bag into a live graph)"),
}


class ParameterError(ValueError):
    """A parameter value the node cannot use; the message says which and what is allowed."""


def parse_rate(value: str) -> float | None:
    """'recorded' → 0 (pace by stamps), 'max' → None (no pacing), '15' → 15.0 Hz."""
    if value == "recorded":
        return 0.0
    if value == "max":
        return None
    try:
        hz = float(value)
    except ValueError:
        hz = -1.0
    if not hz > 0:
        raise ParameterError(f"rate {value!r}: use 'recorded', 'max' or a positive rate in Hz")
    return hz


class Pacer:
    """Sleeps so that frames go out at the recorded rate (stamp differences), a fixed rate, or at once."""

    def __init__(self, rate_hz: float | None):
        self.rate_hz = rate_hz
        self._first: tuple[float, int] | None = None  # (monotonic s, stamp ns) of the first frame
        self._next = 0.0

    def wait(self, stamp_ns: int) -> None:
        now = time.monotonic()
        if self.rate_hz is None:
            return
        if self.rate_hz == 0.0:
            if self._first is None:
                self._first = (now, stamp_ns)
            due = self._first[0] + (stamp_ns - self._first[1]) * 1e-9
        else:
            due, self._next = self._next, max(self._next, now) + 1.0 / self.rate_hz
        if due > now:
            time.sleep(due - now)


class CameraNode(Node):
    def __init__(self, **node_kwargs):
        super().__init__("camera_node", **node_kwargs)
        for name, (default, description) in PARAMETERS.items():
            self.declare_parameter(
                name, default, ParameterDescriptor(description=description, dynamic_typing=name == "rate")
            )  # rate: 'max' or 30 or 7.5
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

    def param(self, name: str):
        """The parameter's value; None for a typed parameter left unset (extrinsics_xyz)."""
        try:
            return self.get_parameter(name).value
        except ParameterUninitializedException:
            return None

    def configured_mount(self) -> np.ndarray | None:
        """The fixed mount from extrinsics_xyz/quat, or None when extrinsics_xyz is unset."""
        xyz = self.param("extrinsics_xyz")
        if xyz is None:
            return None
        try:
            return transform_from_xyz_quat(list(xyz), list(self.param("extrinsics_quat_xyzw")))
        except ValueError as error:
            raise ParameterError(str(error)) from None

    def make_source(self) -> FrameSource:
        kind, encoding = self.param("source"), self.param("depth_encoding")
        if encoding not in ("16UC1", "32FC1"):
            raise ParameterError(f"depth_encoding {encoding!r}: use 16UC1 (mm) or 32FC1 (m)")
        if kind == "bag":
            from visuomotor.camera.bag_source import BagSource, BagSourceConfig

            return BagSource(BagSourceConfig(path=self.param("bag_path"), depth_encoding=encoding))
        if kind == "realsense":
            from visuomotor.camera.realsense import RealSenseConfig, RealSenseSource

            config = RealSenseConfig(
                serial=self.param("serial"),
                recording=self.param("realsense_bag_path"),
                width=self.param("width"),
                height=self.param("height"),
                fps=self.param("fps"),
                depth_encoding=encoding,
            )
            return RealSenseSource(config, log=self.get_logger().warning)
        if kind == "sim":
            from visuomotor.sim.camera_source import SimSource, SimSourceConfig

            return SimSource(
                SimSourceConfig(
                    seed=self.param("sim_seed"),
                    camera=self.param("sim_camera"),
                    width=self.param("width"),
                    height=self.param("height"),
                    fps=self.param("fps"),
                    depth_encoding=encoding,
                )
            )
        raise ParameterError(f"source {kind!r}: use realsense, sim or bag")

    def publish_frame(self, frame: RGBDFrame, mount: np.ndarray | None) -> None:
        if self.param("restamp"):
            frame.stamp_ns = self.get_clock().now().nanoseconds
        frame = with_depth_encoding(frame, self.param("depth_encoding"))
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
        mount, pacer = self.configured_mount(), Pacer(parse_rate(str(self.param("rate"))))
        wanted = self.param("wait_for_subscribers")
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
        source = node.make_source()
        node.configured_mount()
        parse_rate(str(node.param("rate")))
    except (ParameterError, FrameSourceError) as error:
        logger.error(f"camera_node: {error}")
        return 2
    stop, outcome = threading.Event(), {"code": 0}

    def publish_loop() -> None:
        try:
            node.stream(source, stop)
            logger.info(f"source {node.param('source')} ended after {node.frames_published} frames")
        except (FrameSourceError, ValueError) as error:  # ValueError: a frame the messages cannot carry
            logger.error(f"camera_node: {error}")
            outcome["code"] = 1
        except Exception as error:
            logger.error(f"camera_node: source {node.param('source')} failed: {type(error).__name__}: {error}")
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
    except ParameterException as error:  # e.g. width:=wide (a string for an integer)
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
