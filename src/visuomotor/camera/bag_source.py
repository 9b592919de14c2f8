"""Replay of a recorded rosbag2 (MCAP or sqlite3) of the camera topics as RGBDFrames, ROS-free; and
the inverse, write_frames(), which records RGBDFrames in the same layout without ROS.

Colour, aligned depth and camera_info are paired by header stamp (the camera node gives all three the
same stamp); incomplete stamps are skipped and counted. The latest /camera/extrinsics in the bag (a
fixed mount) sets T_base_camera. Frames come as fast as they decode: the consumer paces them
by stamp_ns (recorded rate) or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from visuomotor.camera import topics
from visuomotor.camera.bag import BagError, BagWriter, read_bag, typestore
from visuomotor.camera.depth_units import with_depth_encoding
from visuomotor.camera.extrinsics import transform_from_xyz_quat, xyz_quat_from_transform
from visuomotor.camera.frame import BASE_FRAME, RGBDFrame
from visuomotor.camera.image_codec import (
    camera_info_fields,
    decode_image,
    encode_image,
    intrinsics_from_camera_info,
    ns_to_sec_nanosec,
    stamp_to_ns,
)
from visuomotor.camera.source import FrameSource, FrameSourceError


@dataclass(frozen=True)
class BagSourceConfig:
    path: str = ""  # rosbag2 directory (or .mcap file)
    depth_encoding: str = "16UC1"  # 16UC1 (mm) or 32FC1 (m); converted when the bag differs
    color_topic: str = topics.COLOR_IMAGE
    depth_topic: str = topics.DEPTH_IMAGE
    info_topic: str = topics.COLOR_INFO
    extrinsics_topic: str = topics.EXTRINSICS


class BagSource(FrameSource):
    def __init__(self, config: BagSourceConfig):
        if not config.path:
            raise FrameSourceError("bag source needs a path: set bag_path to a rosbag2 directory")
        self.config = config
        self.unpaired = 0  # stamps that lacked colour, depth or camera_info
        self._closed = False

    def frames(self) -> Iterator[RGBDFrame]:
        config = self.config
        wanted = [config.color_topic, config.depth_topic, config.info_topic, config.extrinsics_topic]
        pending: dict[int, dict[str, Any]] = {}
        T_base_camera: np.ndarray | None = None
        yielded = 0
        try:
            for record in read_bag(config.path, topics=wanted):
                if self._closed:
                    return
                message = record.message
                if record.topic == config.extrinsics_topic:
                    t = message.transform
                    T_base_camera = transform_from_xyz_quat(
                        [t.translation.x, t.translation.y, t.translation.z],
                        [t.rotation.x, t.rotation.y, t.rotation.z, t.rotation.w],
                    )
                    continue
                stamp_ns = stamp_to_ns(message.header.stamp)
                parts = pending.setdefault(stamp_ns, {})
                parts[record.topic] = message
                if len(parts) == 3:
                    del pending[stamp_ns]
                    stale = [s for s in pending if s < stamp_ns]
                    self.unpaired += len(stale)
                    for s in stale:
                        del pending[s]
                    yielded += 1
                    yield self._frame(parts, stamp_ns, T_base_camera)
        except BagError as error:
            raise FrameSourceError(str(error)) from None
        except ValueError as error:
            raise FrameSourceError(f"bag {config.path}: bad camera message: {error}") from None
        self.unpaired += len(pending)
        if yielded == 0:
            raise FrameSourceError(
                f"bag {config.path} has no complete camera frame: needs {config.color_topic}, "
                f"{config.depth_topic} and {config.info_topic} with equal header stamps"
            )

    def _frame(self, parts: dict[str, Any], stamp_ns: int, T_base_camera: np.ndarray | None) -> RGBDFrame:
        color_msg, depth_msg, info_msg = (
            parts[t] for t in (self.config.color_topic, self.config.depth_topic, self.config.info_topic)
        )
        if color_msg.encoding != "rgb8" or depth_msg.encoding not in ("16UC1", "32FC1"):
            raise ValueError(f"encodings {color_msg.encoding}/{depth_msg.encoding}; expected rgb8 and 16UC1 or 32FC1")
        frame = RGBDFrame(
            color=decode_image(color_msg),
            depth=decode_image(depth_msg),
            intrinsics=intrinsics_from_camera_info(info_msg),
            stamp_ns=stamp_ns,
            depth_encoding=depth_msg.encoding,
            frame_id=color_msg.header.frame_id,
            T_base_camera=T_base_camera,
        )
        return with_depth_encoding(frame, self.config.depth_encoding)

    def close(self) -> None:
        self._closed = True


def write_frames(writer: BagWriter, frames: Iterable[RGBDFrame]) -> int:
    """Record frames as the camera node publishes them (colour, aligned depth, both camera_infos, and
    /camera/extrinsics when a frame's mount changes), logged at their stamps; returns the frame count."""
    store = typestore()
    Header, Time = store.types["std_msgs/msg/Header"], store.types["builtin_interfaces/msg/Time"]
    Image, CameraInfo = store.types["sensor_msgs/msg/Image"], store.types["sensor_msgs/msg/CameraInfo"]
    RegionOfInterest = store.types["sensor_msgs/msg/RegionOfInterest"]
    geometry = {
        name: store.types[f"geometry_msgs/msg/{name}"]
        for name in ("TransformStamped", "Transform", "Vector3", "Quaternion")
    }
    for topic, msgtype in topics.CAMERA_TOPIC_TYPES.items():
        if not writer.has_topic(topic):
            writer.add_topic(topic, msgtype, transient_local=topic == topics.EXTRINSICS)

    def header(stamp_ns: int, frame_id: str):
        sec, nanosec = ns_to_sec_nanosec(stamp_ns)
        return Header(stamp=Time(sec=sec, nanosec=nanosec), frame_id=frame_id)

    def image(array: np.ndarray, encoding: str, stamp_ns: int, frame_id: str):
        f = encode_image(array, encoding)
        return Image(
            header=header(stamp_ns, frame_id),
            height=f.height,
            width=f.width,
            encoding=f.encoding,
            is_bigendian=f.is_bigendian,
            step=f.step,
            data=np.frombuffer(f.data, np.uint8),
        )

    count, mount = 0, None
    for frame in frames:
        stamp = frame.stamp_ns
        if frame.T_base_camera is not None and (mount is None or not np.array_equal(mount, frame.T_base_camera)):
            mount = frame.T_base_camera
            xyz, quat = xyz_quat_from_transform(mount)
            transform = geometry["Transform"](
                translation=geometry["Vector3"](*(float(v) for v in xyz)),
                rotation=geometry["Quaternion"](*(float(v) for v in quat)),
            )
            writer.write(
                topics.EXTRINSICS,
                geometry["TransformStamped"](
                    header=header(stamp, BASE_FRAME), child_frame_id=frame.frame_id, transform=transform
                ),
                stamp,
            )
        c = camera_info_fields(frame.intrinsics)
        info = CameraInfo(
            header=header(stamp, frame.frame_id),
            height=c.height,
            width=c.width,
            distortion_model=c.distortion_model,
            d=np.array(c.d),
            k=np.array(c.k),
            r=np.array(c.r),
            p=np.array(c.p),
            binning_x=0,
            binning_y=0,
            roi=RegionOfInterest(x_offset=0, y_offset=0, height=0, width=0, do_rectify=False),
        )
        writer.write(topics.COLOR_IMAGE, image(frame.color, "rgb8", stamp, frame.frame_id), stamp)
        writer.write(topics.COLOR_INFO, info, stamp)
        writer.write(topics.DEPTH_IMAGE, image(frame.depth, frame.depth_encoding, stamp, frame.frame_id), stamp)
        writer.write(topics.DEPTH_INFO, info, stamp)
        count += 1
    return count
