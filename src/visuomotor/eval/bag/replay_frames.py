"""Frames of a recorded bag with what the replay evaluation needs at each stamp, in one streaming pass.

A replay frame = colour + aligned depth + colour camera_info (paired by header stamp, as
camera.bag_source pairs them) + the /sim/ground_truth of the same header stamp + the /camera/extrinsics
valid at that stamp (the latest with header stamp ≤ the frame's; the earliest one when the mount was
published just after the first image; frames wait until any extrinsics has arrived).

Damage is reported, never hidden: an MCAP that was never closed (recorder killed) is read up to the cut
and flagged truncated; a bag that fails part-way (corrupt record) keeps the frames before the failure,
also flagged; a bag that yields no frame at all raises ReplayBagError naming the file and the problem.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from visuomotor.camera import topics
from visuomotor.camera.bag import BagError, TruncatedBagError, read_bag
from visuomotor.camera.extrinsics import transform_from_xyz_quat
from visuomotor.camera.frame import RGBDFrame
from visuomotor.camera.image_codec import decode_image, intrinsics_from_camera_info, stamp_to_ns
from visuomotor.eval.bag.ground_truth import GroundTruthError, objects_from_message
from visuomotor.sim.ground_truth import ObjectState

FRAME_TOPICS = (topics.COLOR_IMAGE, topics.DEPTH_IMAGE, topics.COLOR_INFO, topics.GROUND_TRUTH)
MAX_PENDING_STAMPS = 64  # incomplete stamps kept while later ones arrive (bounds memory on a gappy bag)


class ReplayBagError(ValueError):
    """A bag the replay cannot use at all; the message names the file and the problem."""


@dataclass
class ReplayFrame:
    frame: RGBDFrame  # colour, depth, intrinsics, stamp; T_base_camera = the one below
    T_base_camera: np.ndarray  # (4, 4) base_link ← camera optical, valid at frame.stamp_ns
    objects: list[ObjectState]  # ground truth at frame.stamp_ns


@dataclass
class ReadStatus:
    """What reading the bag found: frames yielded, stamps that never completed (a topic missing at that
    stamp), frames out of stamp order (skipped), frames with no extrinsics in the whole bag, and whether
    the bag ended early (truncated) with the reason (warning)."""

    frames: int = 0
    incomplete_stamps: int = 0
    out_of_order_frames: int = 0
    frames_without_extrinsics: int = 0
    truncated: bool = False
    warning: str | None = None
    topics_seen: set[str] = field(default_factory=set)


def _records(path: Path, status: ReadStatus):
    """read_bag over the replay topics. An MCAP that was never closed, or whose closed file fails before its
    first message (cut after closing), is re-read as a stream up to the cut and flagged truncated."""
    wanted = [*FRAME_TOPICS, topics.EXTRINSICS]
    yielded = 0
    stream: Path | None
    try:
        for record in read_bag(path, topics=wanted):
            yielded += 1
            yield record
        return
    except TruncatedBagError:
        stream = path
    except BagError:
        stream = next(iter(sorted(path.glob("*.mcap"))), None) if path.is_dir() else None
        if yielded or stream is None:
            raise
    records = list(read_bag(stream, topics=wanted, allow_truncated=True))
    status.truncated = True
    status.warning = (
        f"bag {path} is truncated or corrupt (not closed: recorder killed?): {len(records)} replay "
        "messages readable before the cut"
    )
    yield from records


def replay_frames(path: str | Path, status: ReadStatus, max_frames: int = 0) -> Iterator[ReplayFrame]:
    """Stream the bag's complete frames in stamp order into the caller; `status` is filled as it goes.
    max_frames > 0 stops after that many frames."""
    path = Path(path)
    pending: dict[int, dict[str, object]] = {}
    waiting: deque[tuple[int, dict[str, object]]] = deque()
    mounts: list[tuple[int, np.ndarray]] = []  # (header stamp ns, T_base_camera), sorted
    last_stamp = -1

    def release(stamp_ns: int, parts: dict[str, object]) -> ReplayFrame | None:
        nonlocal last_stamp
        if stamp_ns <= last_stamp:
            status.out_of_order_frames += 1
            return None
        last_stamp = stamp_ns
        index = max(bisect.bisect_right([s for s, _ in mounts], stamp_ns) - 1, 0)
        status.frames += 1
        return _replay_frame(path, parts, stamp_ns, mounts[index][1])

    try:
        for record in _records(path, status):
            status.topics_seen.add(record.topic)
            message = record.message
            stamp_ns = stamp_to_ns(message.header.stamp)
            if record.topic == topics.EXTRINSICS:
                t = message.transform
                T = transform_from_xyz_quat(
                    [t.translation.x, t.translation.y, t.translation.z],
                    [t.rotation.x, t.rotation.y, t.rotation.z, t.rotation.w],
                )
                bisect.insort(mounts, (stamp_ns, T), key=lambda item: item[0])
            else:
                parts = pending.setdefault(stamp_ns, {})
                parts[record.topic] = message
                if len(parts) == len(FRAME_TOPICS):
                    waiting.append((stamp_ns, pending.pop(stamp_ns)))
                while len(pending) > MAX_PENDING_STAMPS:
                    del pending[min(pending)]
                    status.incomplete_stamps += 1
            while mounts and waiting:
                replay = release(*waiting.popleft())
                if replay is not None:
                    yield replay
                    if 0 < max_frames <= status.frames:
                        return
    except BagError as error:
        if status.frames == 0:
            raise ReplayBagError(str(error)) from None
        status.truncated, status.warning = True, f"reading stopped after {status.frames} frames: {error}"
    except GroundTruthError as error:
        raise ReplayBagError(f"bag {path}: {error}") from None
    status.incomplete_stamps += len(pending)
    status.frames_without_extrinsics += len(waiting)
    if status.frames == 0:
        raise ReplayBagError(
            f"{status.warning}; no complete frame to evaluate" if status.truncated else _no_frame_reason(path, status)
        )


def _replay_frame(path: Path, parts: dict[str, Any], stamp_ns: int, T_base_camera: np.ndarray) -> ReplayFrame:
    color, depth, info = (parts[t] for t in (topics.COLOR_IMAGE, topics.DEPTH_IMAGE, topics.COLOR_INFO))
    if color.encoding != "rgb8" or depth.encoding not in ("16UC1", "32FC1"):
        raise ReplayBagError(
            f"bag {path}: image encodings {color.encoding}/{depth.encoding} at stamp {stamp_ns}; "
            "expected rgb8 colour and 16UC1 or 32FC1 depth"
        )
    try:
        frame = RGBDFrame(
            color=decode_image(color),
            depth=decode_image(depth),
            intrinsics=intrinsics_from_camera_info(info),
            stamp_ns=stamp_ns,
            depth_encoding=depth.encoding,
            frame_id=color.header.frame_id,
            T_base_camera=T_base_camera,
        )
    except ValueError as error:
        raise ReplayBagError(f"bag {path}: bad camera message at stamp {stamp_ns}: {error}") from None
    return ReplayFrame(frame, T_base_camera, objects_from_message(parts[topics.GROUND_TRUTH]))


def _no_frame_reason(path: Path, status: ReadStatus) -> str:
    missing = [t for t in (*FRAME_TOPICS, topics.EXTRINSICS) if t not in status.topics_seen]
    if missing:
        return (
            f"bag {path} has no {', '.join(missing)}: the replay evaluation needs a recording of the camera "
            f"topics, /camera/extrinsics and /sim/ground_truth (record a sim run with `visuomotor record`)"
        )
    return (
        f"bag {path} has no complete frame: colour, depth, camera_info and ground truth never share a "
        "header stamp (record them from one sim_node)"
    )
