"""replay_probe: the observer of `visuomotor eval bag <bag> --realtime`, and the live run it observes.

record_live_replay() evaluates launch/replay.launch.py for the bag (config/replay.yaml), starts
detector_node, localizer_node and tracker_node as processes (launching.runner.ProcessGroup), waits until
they are subscribed, then starts camera_node (source bag, recorded rate, `restamp`, `wait_for_subscribers`
1) and records with ReplayProbe, in this process: the stamps of both camera_infos (the new stamp of each
published frame), /detections, /objects and /tracks with their receipt times, and the nodes' /diagnostics. It
stops when camera_node exits at the bag's end and the graph has drained:
detector_node reports (on /diagnostics, after the camera's exit) every received frame processed or
skipped, and no /detections or /objects arrived for settle_s. Every wait has a timeout, so nothing hangs.
Scoring is ROS-free: eval.bag.realtime.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import CameraInfo
from visuomotor_ros.msg import Detection2DArray, Object3DArray, Track, TrackArray

from visuomotor.camera import topics
from visuomotor.camera.image_codec import stamp_to_ns
from visuomotor.eval.bag.realtime import (
    BagPlan,
    LiveArray,
    LiveObject,
    LiveRecording,
    LiveReplayError,
    LiveTrack,
    RealtimeReplayConfig,
)
from visuomotor.launching.loader import NodeSpec, load_launch_file
from visuomotor.launching.runner import ProcessGroup
from visuomotor.nodes import qos
from visuomotor.nodes.msgs.detection import detection_from_msg
from visuomotor.paths import share_dir

CAMERA_INFO_QOS = QoSProfile(depth=100, history=HistoryPolicy.KEEP_LAST, reliability=ReliabilityPolicy.RELIABLE)


def _position(pose) -> tuple[float, float, float]:
    p = pose.pose.position
    return (p.x, p.y, p.z)


def _class_name(message) -> str:
    return message.results[0].class_id if message.results else ""


class ReplayProbe(Node):
    """Records the live outputs (thread-safe: callbacks on the executor thread, reads from the caller)."""

    def __init__(self, **node_kwargs):
        super().__init__("replay_probe", **node_kwargs)
        self.lock = threading.Lock()
        self.recording = LiveRecording()
        self.last_output = time.monotonic()
        self.status_stamp_ns: dict[str, int] = {}  # header stamp of each node's last /diagnostics status
        for topic in (topics.COLOR_INFO, topics.DEPTH_INFO):
            self.create_subscription(CameraInfo, topic, self.on_camera_info, CAMERA_INFO_QOS)
        self.create_subscription(Detection2DArray, "/detections", self.on_detections, qos.DATA)
        self.create_subscription(Object3DArray, "/objects", self.on_objects, qos.DATA)
        self.create_subscription(TrackArray, "/tracks", self.on_tracks, qos.DATA)
        self.create_subscription(DiagnosticArray, "/diagnostics", self.on_diagnostics, qos.DATA)

    def now_ns(self) -> int:
        return self.get_clock().now().nanoseconds

    def on_camera_info(self, message: CameraInfo) -> None:
        with self.lock:
            self.recording.camera_stamps_ns.add(stamp_to_ns(message.header.stamp))

    def _add(self, stage: str, message, items: list) -> None:
        received = self.now_ns()
        stamp = stamp_to_ns(message.header.stamp)
        with self.lock:
            self.recording.arrays[stage][stamp] = LiveArray(stamp, received, items)
            if stage != "tracks":  # /tracks also coast when nothing arrives
                self.last_output = time.monotonic()

    def on_detections(self, message: Detection2DArray) -> None:
        self._add("detections", message, [detection_from_msg(d, {}) for d in message.detections])

    def on_objects(self, message: Object3DArray) -> None:
        self._add("objects", message, [LiveObject(_class_name(o), _position(o.pose)) for o in message.objects])

    def on_tracks(self, message: TrackArray) -> None:
        self._add(
            "tracks",
            message,
            [
                LiveTrack(
                    t.id,
                    _class_name(t),
                    _position(t.pose),
                    t.state == Track.CONFIRMED,
                    t.time_since_update.sec == 0 and t.time_since_update.nanosec == 0,
                )
                for t in message.tracks
            ],
        )

    def on_diagnostics(self, message: DiagnosticArray) -> None:
        stamp = stamp_to_ns(message.header.stamp)
        with self.lock:
            for index, status in enumerate(message.status):
                values = {kv.key: kv.value for kv in status.values}
                if index == 0:  # StageDiagnostics: the node's status first, then one status per refusal
                    self.recording.node_status[status.name] = values
                    self.status_stamp_ns[status.name] = stamp
                else:
                    refused = self.recording.refusals.setdefault(status.name, {})
                    refused[status.message] = refused.get(status.message, 0) + int(values.get("occurrences", 1))

    def perception_ready(self) -> bool:
        """detector, localizer and tracker publish their outputs and subscribe to their inputs."""
        return (
            all(self.count_publishers(t) >= 1 for t in ("/detections", "/objects", "/tracks"))
            and self.count_subscribers(topics.COLOR_IMAGE) >= 1
            and self.count_subscribers(topics.DEPTH_IMAGE) >= 1
            and self.count_subscribers("/detections") >= 2
            and self.count_subscribers("/objects") >= 2
        )

    def drained(self, camera_exit_ns: int, settle_s: float) -> bool:
        """detector_node's status generated after the camera exited shows every received frame processed,
        skipped or refused, and no /detections or /objects arrived for settle_s."""
        with self.lock:
            values = self.recording.node_status.get("detector_node", {})
            fresh = self.status_stamp_ns.get("detector_node", 0) > camera_exit_ns
            quiet = time.monotonic() - self.last_output >= settle_s
        handled = sum(int(values.get(key, 0)) for key in ("frames_processed", "frames_skipped", "refused"))
        return fresh and quiet and handled >= int(values.get("frames_received", 0))


def _last_log_line(log_dir: Path, name: str) -> str:
    path = log_dir / f"{name}.log"
    lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()] if path.exists() else []
    return lines[-1].strip() if lines else "(no output)"


def _replay_specs(bag: Path, config: RealtimeReplayConfig) -> tuple[NodeSpec, list[NodeSpec]]:
    """camera_node and the perception nodes of launch/replay.launch.py for the bag, with the live-replay
    parameters: camera restamps and waits for its subscribers; detector overrides."""
    specs = load_launch_file(share_dir() / "launch" / "replay.launch.py", {"bag": str(bag)}).nodes
    camera = next(s for s in specs if s.name == "camera_node")
    camera.param_values.update(restamp=True, wait_for_subscribers=1)
    for spec in specs:
        if spec.name == "detector_node":
            spec.param_values.update(config.detector_overrides)
    return camera, [s for s in specs if s is not camera]


def record_live_replay(bag: Path, plan: BagPlan, config: RealtimeReplayConfig, log=lambda line: None) -> LiveRecording:
    """Run the live graph over the bag once and return what the probe recorded (module docstring).
    LiveReplayError when a node dies during start-up or a timeout passes before the camera finished."""
    log_dir = config.log_dir
    log_dir.mkdir(parents=True, exist_ok=True)
    camera_spec, perception_specs = _replay_specs(bag, config)
    context = rclpy.Context()
    rclpy.init(context=context)
    probe = ReplayProbe(context=context)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(probe)
    threading.Thread(target=executor.spin, name="replay_probe", daemon=True).start()
    started = time.monotonic()
    groups: list[ProcessGroup] = []
    try:
        log(f"starting {', '.join(s.name for s in perception_specs)} (logs in {log_dir})")
        groups.append(ProcessGroup(perception_specs, log_dir=log_dir))
        deadline = started + config.startup_timeout_s
        while not probe.perception_ready():
            exited = groups[0].exited()
            if exited:
                name, code = next(iter(exited.items()))
                raise LiveReplayError(
                    f"{name} exited with code {code} during start-up: "
                    f"{_last_log_line(log_dir, name)} (log {log_dir / (name + '.log')})"
                )
            if time.monotonic() > deadline:
                raise LiveReplayError(
                    f"detector, localizer and tracker were not up within "
                    f"{config.startup_timeout_s:.0f} s; see the node logs in {log_dir}"
                )
            time.sleep(0.1)
        log(
            f"perception nodes up after {time.monotonic() - started:.1f} s; replaying {len(plan.stamps_ns)} frames "
            f"({plan.duration_s:.1f} s) at the recorded rate"
        )
        groups.append(ProcessGroup([camera_spec], log_dir=log_dir))
        camera = groups[1].processes[camera_spec.name]
        deadline = time.monotonic() + config.startup_timeout_s + plan.duration_s
        while camera.poll() is None:
            if time.monotonic() > deadline:
                raise LiveReplayError(
                    f"camera_node did not finish the {plan.duration_s:.1f} s bag within "
                    f"{config.startup_timeout_s + plan.duration_s:.0f} s; see {log_dir}"
                )
            time.sleep(0.1)
        camera_exit_ns = probe.now_ns()
        if camera.returncode != 0 and not probe.recording.camera_stamps_ns:
            raise LiveReplayError(
                f"camera_node failed (exit {camera.returncode}): {_last_log_line(log_dir, 'camera_node')}"
            )
        deadline = time.monotonic() + config.drain_timeout_s
        while not probe.drained(camera_exit_ns, config.settle_s):
            if time.monotonic() > deadline:
                probe.recording.drain_timed_out = True
                log(f"outputs had not settled {config.drain_timeout_s:.0f} s after the bag ended; scoring what arrived")
                break
            time.sleep(0.1)
    finally:
        for group in reversed(groups):
            group.stop()
        executor.shutdown()
        probe.destroy_node()
        rclpy.try_shutdown(context=context)
    with probe.lock:
        recording = probe.recording
    recording.exit_codes = {name: p.returncode for group in groups for name, p in group.processes.items()}
    recording.wall_time_s = time.monotonic() - started
    return recording
