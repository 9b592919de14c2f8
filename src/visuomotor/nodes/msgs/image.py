"""RGBDFrame ↔ sensor_msgs/Image + CameraInfo, exact both ways (the codec is visuomotor.camera.image_codec).

Encodings rgb8, 16UC1 (mm), 32FC1 (m); any other raises ImageEncodingError. Pixel data is set as bytes
(the fast path of the generated message classes; a numpy array would be copied element by element).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from builtin_interfaces.msg import Time
from sensor_msgs.msg import CameraInfo, Image
from std_msgs.msg import Header

from visuomotor.camera.frame import CameraIntrinsics, RGBDFrame
from visuomotor.camera.image_codec import (
    ImageEncodingError,
    camera_info_fields,
    decode_image,
    encode_image,
    intrinsics_from_camera_info,
    ns_to_sec_nanosec,
    stamp_to_ns,
)


def header(stamp_ns: int, frame_id: str) -> Header:
    sec, nanosec = ns_to_sec_nanosec(stamp_ns)
    return Header(stamp=Time(sec=sec, nanosec=nanosec), frame_id=frame_id)


def image_msg(array: np.ndarray, encoding: str, stamp_ns: int, frame_id: str) -> Image:
    fields = encode_image(array, encoding)
    return Image(
        header=header(stamp_ns, frame_id),
        height=fields.height,
        width=fields.width,
        encoding=fields.encoding,
        is_bigendian=fields.is_bigendian,
        step=fields.step,
        data=fields.data,
    )


def camera_info_msg(intrinsics: CameraIntrinsics, stamp_ns: int, frame_id: str) -> CameraInfo:
    fields = camera_info_fields(intrinsics)
    return CameraInfo(
        header=header(stamp_ns, frame_id),
        height=fields.height,
        width=fields.width,
        distortion_model=fields.distortion_model,
        d=list(fields.d),
        k=list(fields.k),
        r=list(fields.r),
        p=list(fields.p),
    )


@dataclass
class RGBDMessages:
    """The four camera messages of one RGBDFrame, all with the frame's stamp and frame_id."""

    color: Image
    depth: Image
    info: CameraInfo  # shared by colour and aligned depth (same intrinsics)


def frame_to_msgs(frame: RGBDFrame) -> RGBDMessages:
    return RGBDMessages(
        color=image_msg(frame.color, "rgb8", frame.stamp_ns, frame.frame_id),
        depth=image_msg(frame.depth, frame.depth_encoding, frame.stamp_ns, frame.frame_id),
        info=camera_info_msg(frame.intrinsics, frame.stamp_ns, frame.frame_id),
    )


def msgs_to_frame(color: Image, depth: Image, info: CameraInfo) -> RGBDFrame:
    """The inverse of frame_to_msgs (T_base_camera is not part of the image messages: None)."""
    if color.encoding != "rgb8":
        raise ImageEncodingError(f"colour image encoding {color.encoding!r}: the camera topics carry rgb8")
    if depth.encoding not in ("16UC1", "32FC1"):
        raise ImageEncodingError(f"depth image encoding {depth.encoding!r}: use 16UC1 (mm) or 32FC1 (m)")
    sizes = {(m.width, m.height) for m in (color, depth, info)}
    if len(sizes) != 1:
        raise ImageEncodingError(
            f"colour, aligned depth and camera_info sizes differ: {sorted(sizes)}; depth must be aligned to colour"
        )
    return RGBDFrame(
        color=decode_image(color),
        depth=decode_image(depth),
        intrinsics=intrinsics_from_camera_info(info),
        stamp_ns=stamp_to_ns(color.header.stamp),
        depth_encoding=depth.encoding,
        frame_id=color.header.frame_id,
    )
