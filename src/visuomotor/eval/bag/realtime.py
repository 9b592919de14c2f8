"""Real-time replay of a recorded bag through the LIVE graph, scored against the recorded ground truth
(`visuomotor eval bag <bag> --realtime`; the recording itself is harness/replay_probe.py).

launch/replay.launch.py runs camera_node (source bag, at the recorded rate, `restamp`: each frame is
stamped with its publish time) and detector_node → localizer_node → tracker_node as separate processes
over DDS; a probe node records /camera/color/camera_info, /detections, /objects and /tracks with their
receipt times. Nothing is deterministic here: the detector works on the newest frame only, so under load
it skips frames, and the numbers differ from run to run.

Stamp mapping (decision): camera_node publishes the bag's frames in the order camera.bag_source yields
them (plan_bag lists their original stamps), each with a new, increasing stamp. So the k-th smallest new
stamp is the k-th frame, and every live output (it carries the new stamp of its image) pairs with its
ORIGINAL stamp, i.e. with its ground truth. The new stamps are collected from the two camera_infos and
/detections: over loaded loopback DDS a reliable keep-last-2 sample is sometimes lost for good (the
writer's history has moved on before the reader asks for it again; the detector loses images the same
way), and three independent topics make a frame whose stamp reaches the probe on none of them rare. If
that happens anyway, the count differs from what camera_node published and the evaluation stops with
that error instead of pairing frames wrongly.

Scores per frame the detector processed (a /detections array arrived for its stamp), with
bag_replay_scoring.ReplayScorer as in the deterministic mode: detections vs the ground-truth boxes
(mAP), the /objects of the stamp (3D error; none arrived = nothing localized), the confirmed tracks of
the /tracks of the stamp that were matched at it (MOT). Frames the detector skipped are counted, not
scored (they are not tracking misses). Latency, glass to stage: receipt time − image stamp (ms) of
/detections, /objects and /tracks; both are read from the same system clock, on one machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from visuomotor.camera.bag_source import BagSource, BagSourceConfig
from visuomotor.camera.source import FrameSourceError
from visuomotor.detection.assets import SHIPPED_DETR, SHIPPED_YOLO
from visuomotor.detection.result import Detection
from visuomotor.eval.bag.ground_truth import ground_truth_boxes
from visuomotor.eval.bag.replay import FrameRecord, ReplayOutcome
from visuomotor.eval.bag.replay_frames import ReadStatus, ReplayBagError, replay_frames
from visuomotor.eval.bag.replay_scoring import ReplayScorer
from visuomotor.paths import share_dir
from visuomotor.statistics import latency_summary

STAGES = ("detections", "objects", "tracks")


class LiveReplayError(RuntimeError):
    """The live replay could not run or its outputs cannot be scored; the message says why."""


@dataclass
class RealtimeReplayConfig:
    """detector_overrides: detector_node parameters replacing config/replay.yaml's (e.g. weights,
    confidence); startup_timeout_s: nodes up and subscribed; drain_timeout_s: after the camera
    finished the bag, at most this long for the detector to report itself idle and outputs to stop
    (settle_s without a new /detections or /objects); match_distance_m: 3D pairing threshold of the scores;
    log_dir: one <node>.log per node process."""

    detector_overrides: dict = field(default_factory=dict)
    match_distance_m: float = 0.05
    startup_timeout_s: float = 120.0
    drain_timeout_s: float = 30.0
    settle_s: float = 1.0
    log_dir: Path | None = None


@dataclass(frozen=True)
class LiveObject:
    """One /objects entry: class and centre (3,) m in base_link."""

    class_name: str
    position: np.ndarray


@dataclass(frozen=True)
class LiveTrack:
    """One /tracks entry: confirmed (state CONFIRMED), updated (matched at the stamp: time_since_update 0)."""

    track_id: str
    class_name: str
    position: np.ndarray
    confirmed: bool
    updated: bool


@dataclass
class LiveArray:
    """One received /detections, /objects or /tracks array: header stamp and receipt time (ns, system clock)."""

    stamp_ns: int
    receipt_ns: int
    items: list


@dataclass
class LiveRecording:
    """What the probe recorded: camera_stamps_ns = header stamps of both camera_infos;
    arrays[stage] = {header stamp: LiveArray}; node_status = the last /diagnostics values per node;
    refusals = node -> refusal message -> occurrences; exit_codes of the node processes (None: still
    running when stopped); drain_timed_out: the outputs had not settled within drain_timeout_s."""

    camera_stamps_ns: set[int] = field(default_factory=set)
    arrays: dict[str, dict[int, LiveArray]] = field(default_factory=lambda: {stage: {} for stage in STAGES})
    node_status: dict[str, dict[str, str]] = field(default_factory=dict)
    refusals: dict[str, dict[str, int]] = field(default_factory=dict)
    exit_codes: dict[str, int | None] = field(default_factory=dict)
    drain_timed_out: bool = False
    wall_time_s: float = 0.0


@dataclass(frozen=True)
class BagPlan:
    """What camera_node will publish: the original stamps in publish order (BagSource order), and why it
    stops early (None: the whole bag)."""

    stamps_ns: list[int]
    read_error: str | None

    @property
    def duration_s(self) -> float:
        return (self.stamps_ns[-1] - self.stamps_ns[0]) * 1e-9


def plan_bag(path: Path) -> BagPlan:
    """Check that the bag can be replayed live and scored, before any node starts: ReplayBagError (one
    line) for a bag without camera frames, extrinsics or ground truth, or one camera_node cannot read."""
    next(replay_frames(path, ReadStatus(), max_frames=1))  # raises ReplayBagError naming the problem
    stamps: list[int] = []
    error: str | None = None
    try:
        stamps.extend(frame.stamp_ns for frame in BagSource(BagSourceConfig(path=str(path))).frames())
    except FrameSourceError as failure:
        error = str(failure)
    if not stamps:
        raise ReplayBagError(
            f"camera_node cannot replay bag {path}: {error} (the deterministic mode, without "
            "--realtime, scores the readable part of a damaged bag)"
        )
    return BagPlan(stamps, error)


def node_parameters(parameter_file: Path, node_name: str) -> dict:
    """The ros__parameters for `node_name` in a ROS parameter file (section `node_name`, `/node_name` or a
    `/**/node_name` wildcard; later sections win)."""
    sections = yaml.safe_load(Path(parameter_file).read_text()) or {}
    values: dict = {}
    for key, section in sections.items():
        if str(key).rsplit("/", 1)[-1] == node_name:
            values.update((section or {}).get("ros__parameters", {}))
    return values


def realtime_detector(overrides: dict) -> dict:
    """The detector_node parameters of the live run (config/replay.yaml with the overrides), as the
    deterministic summary's "detector" group (image_size None = the model's training size)."""
    parameters = {**node_parameters(share_dir() / "config" / "replay.yaml", "detector_node"), **overrides}
    backend = parameters.get("backend", "yolo")
    shipped = {"yolo": SHIPPED_YOLO, "detr": SHIPPED_DETR}.get(backend, "")
    return {
        "backend": backend,
        "weights": str(parameters.get("weights") or shipped),
        "confidence": parameters.get("confidence"),
        "iou": parameters.get("iou"),
        "image_size": parameters.get("image_size") or None,
        "device": parameters.get("device", "cpu"),
        "runtime": parameters.get("runtime", "torch"),
        "threads": parameters.get("threads", 0),
    }


def score_live_replay(
    path: Path, plan: BagPlan, recording: LiveRecording, config: RealtimeReplayConfig, detector: dict
) -> ReplayOutcome:
    """Pair the live outputs with the recorded frames (module docstring) and score them."""
    published = sorted(recording.camera_stamps_ns | set(recording.arrays["detections"]))
    if len(published) != len(plan.stamps_ns):
        raise LiveReplayError(
            f"the probe saw the stamps of {len(published)} camera frames but camera_node published "
            f"{len(plan.stamps_ns)} "
            f"(exit codes {recording.exit_codes}): live stamps cannot be paired with the recorded ones; rerun "
            f"(see the node logs in {config.log_dir})"
        )
    live_stamp = dict(zip(plan.stamps_ns, published))
    status, scorer, records = ReadStatus(), ReplayScorer(config.match_distance_m), []
    latency: dict[str, list[float]] = {stage: [] for stage in STAGES}
    counts = dict.fromkeys(
        (
            "frames_detected",
            "frames_skipped_by_detector",
            "frames_with_objects",
            "frames_with_tracks",
            "frames_not_published",
        ),
        0,
    )
    for replay in replay_frames(path, status):
        stamp = live_stamp.get(replay.frame.stamp_ns)
        if stamp is None:
            counts["frames_not_published"] += 1
            continue
        arrays = {stage: recording.arrays[stage].get(stamp) for stage in STAGES}
        if arrays["detections"] is None:
            counts["frames_skipped_by_detector"] += 1
            continue
        counts["frames_detected"] += 1
        counts["frames_with_objects"] += arrays["objects"] is not None
        counts["frames_with_tracks"] += arrays["tracks"] is not None
        stage_ms = {}
        for stage, array in arrays.items():
            stage_ms[f"glass_to_{stage}"] = np.nan if array is None else (array.receipt_ns - stamp) / 1e6
            if array is not None:
                latency[stage].append(stage_ms[f"glass_to_{stage}"])
        detections: list[Detection] = arrays["detections"].items
        localized = arrays["objects"].items if arrays["objects"] is not None else []
        tracks = [
            t for t in (arrays["tracks"].items if arrays["tracks"] is not None else []) if t.confirmed and t.updated
        ]
        labels = ground_truth_boxes(replay.frame, replay.objects, replay.T_base_camera)
        scorer.add_frame(labels, replay.objects, detections, localized, tracks)
        records.append(
            FrameRecord(replay.frame.stamp_ns, len(labels), len(detections), len(localized), len(tracks), stage_ms)
        )
    if not records:
        raise LiveReplayError(
            f"no frame of {path} came out of the detector (published {len(published)}); see the "
            f"node logs in {config.log_dir} and the refusals {recording.refusals}"
        )
    detector_status = recording.node_status.get("detector_node", {})
    detector_received = _int(detector_status.get("frames_received"))
    summary = {
        "mode": "realtime",
        "bag": str(path),
        "frames": counts["frames_detected"],
        "truncated": status.truncated or plan.read_error is not None,
        "warning": status.warning or plan.read_error,
        "incomplete_stamps": status.incomplete_stamps,
        "out_of_order_frames": status.out_of_order_frames,
        "frames_without_extrinsics": status.frames_without_extrinsics,
        "detections_source": "model",
        "detector": detector,
        **scorer.summary(),
        "latency_ms": {f"glass_to_{stage}": latency_summary(values) for stage, values in latency.items()},
        "live": {
            "frames_in_bag": status.frames,
            "frames_published": len(published),
            "detector_frames_received": detector_received,
            "detector_frames_lost_in_transport": None
            if detector_received is None
            else len(published) - detector_received,
            "detector_frames_skipped": _int(detector_status.get("frames_skipped")),
            **counts,
            "refusals": recording.refusals,
            "exit_codes": recording.exit_codes,
            "drain_timed_out": recording.drain_timed_out,
        },
        "wall_time_s": round(recording.wall_time_s, 2),
        "frames_per_s": round(counts["frames_detected"] / max(recording.wall_time_s, 1e-9), 2),
    }
    return ReplayOutcome(summary, records, scorer.errors_m)


def _int(text: str | None) -> int | None:
    return None if text is None else int(text)


def live_report_lines(summary: dict) -> list[str]:
    """The realtime-only numbers for report.md (frame flow, refusals, process exits)."""
    live = summary["live"]
    lines = [
        "",
        "## Live replay",
        "",
        "Frames published by camera_node, received and skipped by detector_node (its /diagnostics), "
        "and how many came out of each stage (only frames with /detections are scored).",
        "",
        "| quantity | value |",
        "|---|---|",
    ]
    lines += [f"| {key} | {value} |" for key, value in live.items() if key not in ("refusals", "exit_codes")]
    lines += ["", f"Node exit codes: {live['exit_codes']}."]
    for node, messages in live["refusals"].items():
        lines += [f"- {node} refused: " + "; ".join(f"{m} (×{n})" for m, n in messages.items())]
    return lines
