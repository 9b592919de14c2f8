"""recorder_node: record topics into a rosbag2 (MCAP by default, or sqlite3) with message definitions embedded.

Subscribes with raw=True (serialized CDR bytes straight into the bag, no decode) as soon as each topic has
a publisher, with QoS adapted to the publishers (reliable unless one is best-effort; transient_local
when all are, so latched /camera/extrinsics is recorded too). Each message is logged at its receive time.
SIGINT/SIGTERM (or `duration_s`) close the bag properly. The bag is written as complete files of `split_s`
seconds each, listed in metadata.yaml as they close (visuomotor.camera.bag): after SIGKILL every reader opens
it and gets all but the last ≤ split_s + 0.2 s of messages.

    python -m visuomotor.nodes.recorder_node --ros-args -p out:=run1 -p storage:=mcap
"""

from __future__ import annotations

import importlib
import signal
import sys
import threading
import time
from dataclasses import dataclass

import rclpy
from rclpy.exceptions import ParameterException
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from rclpy.signals import SignalHandlerOptions

from visuomotor.camera import topics as camera_topics
from visuomotor.camera.bag import DEFAULT_SPLIT_S, BagError, BagWriter, normalize_msgtype
from visuomotor.nodes.base import VisuomotorNode

FLUSH_PERIOD_S = 0.2  # how often a quiet recording checks whether its storage file is due to close


@dataclass(frozen=True)
class RecorderOptions:
    out: str = ""
    "output rosbag2 directory (must not exist)"
    topics: tuple[str, ...] = tuple(camera_topics.RECORDED_TOPIC_TYPES)
    "topics to record (default: camera topics, extrinsics, /joint_states, /sim/ground_truth)"
    storage: str = "mcap"
    "bag storage: mcap or sqlite3"
    split_s: float = DEFAULT_SPLIT_S
    "close a storage file and start the next every split_s seconds (a crash loses at most that)"
    duration_s: float = 0.0
    "stop after this many seconds; 0 = until SIGINT/SIGTERM"


def message_class(msgtype: str):
    """'sensor_msgs/msg/Image' → the rclpy class (for subscribing; the bag gets the raw bytes)."""
    package, _, name = normalize_msgtype(msgtype).split("/")
    return getattr(importlib.import_module(f"{package}.msg"), name)


class RecorderNode(VisuomotorNode):
    PARAMETERS = (RecorderOptions,)

    def __init__(self, **node_kwargs):
        super().__init__("recorder_node", **node_kwargs)
        self.options: RecorderOptions = self.declare_config(RecorderOptions)
        if not self.options.out:
            raise BagError("recorder needs an output path: set out (visuomotor record --out PATH)")
        self.wanted = list(self.options.topics)
        self.writer = BagWriter(self.options.out, self.options.storage, self.options.split_s)
        self._recording: dict[str, object] = {}  # topic -> subscription (None: refused)
        self._lock = threading.Lock()
        self.create_timer(0.2, self.subscribe_new_topics)
        self.create_timer(FLUSH_PERIOD_S, self.flush)
        self.subscribe_new_topics()

    def subscribe_new_topics(self) -> None:
        """Subscribe each wanted topic once it has a publisher (its type and QoS come from the graph)."""
        graph = dict(self.get_topic_names_and_types())
        for topic in self.wanted:
            if topic in self._recording or topic not in graph:
                continue
            publishers = self.get_publishers_info_by_topic(topic)
            if not publishers:
                continue
            msgtype, qos = normalize_msgtype(graph[topic][0]), qos_matching(publishers)
            try:
                self.writer.add_topic(
                    topic,
                    msgtype,
                    transient_local=qos.durability == DurabilityPolicy.TRANSIENT_LOCAL,
                    best_effort=qos.reliability == ReliabilityPolicy.BEST_EFFORT,
                )
            except BagError as error:  # a type the typestore lacks: say so once, record the rest
                self.get_logger().error(f"not recording {topic}: {error}")
                self._recording[topic] = None
                continue
            self._recording[topic] = self.create_subscription(
                message_class(msgtype), topic, lambda data, topic=topic: self.on_message(topic, data), qos, raw=True
            )
            self.get_logger().info(f"recording {topic} ({msgtype})")

    def on_message(self, topic: str, data: bytes) -> None:
        with self._lock:
            if self.writer is not None:
                self.writer.write_cdr(topic, data, self.get_clock().now().nanoseconds)

    def flush(self) -> None:
        """Close the storage file being filled once it is split_s old, even if no message arrives."""
        with self._lock:
            if self.writer is not None:
                self.writer.split_if_due()

    def close(self) -> dict[str, int]:
        """Close the bag (summary + metadata.yaml); returns messages recorded per topic."""
        with self._lock:
            writer, self.writer = self.writer, None
        if writer is None:
            return {}
        writer.close()
        return dict(writer.counts)


def qos_matching(publishers) -> QoSProfile:
    """A subscription QoS compatible with every publisher: best-effort if any offers only that,
    transient_local only if all offer it (the rosbag2 recorder's rule)."""
    reliable = all(p.qos_profile.reliability == ReliabilityPolicy.RELIABLE for p in publishers)
    latched = all(p.qos_profile.durability == DurabilityPolicy.TRANSIENT_LOCAL for p in publishers)
    return QoSProfile(
        depth=100,
        history=HistoryPolicy.KEEP_LAST,
        reliability=ReliabilityPolicy.RELIABLE if reliable else ReliabilityPolicy.BEST_EFFORT,
        durability=DurabilityPolicy.TRANSIENT_LOCAL if latched else DurabilityPolicy.VOLATILE,
    )


def record(args: list[str] | None = None, log=print) -> dict[str, int]:
    """Run a recorder until SIGINT/SIGTERM or its duration; returns messages per topic. Raises BagError
    or ParameterException/ValueError (bad parameters) before anything is recorded."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    context = rclpy.Context()
    rclpy.init(args=args, context=context, signal_handler_options=SignalHandlerOptions.NO)
    node, executor = None, SingleThreadedExecutor(context=context)
    try:
        node = RecorderNode(context=context)
        duration = node.options.duration_s
        deadline = time.monotonic() + duration if duration > 0 else float("inf")
        log(f"recording {', '.join(node.wanted)} into {node.writer.path}")
        executor.add_node(node)
        while not stop.is_set() and time.monotonic() < deadline and context.ok():
            executor.spin_once(timeout_sec=0.05)
        return node.close()
    finally:
        executor.shutdown()
        if node is not None:
            node.close()
            node.destroy_node()
        rclpy.try_shutdown(context=context)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(args: list[str] | None = None) -> int:
    """Entry point of `ros2 run visuomotor_ros recorder_node`."""
    try:
        counts = record(args)
    except (BagError, ParameterException, ValueError) as error:
        print(f"recorder_node: {error}", file=sys.stderr)
        return 2
    print(f"recorded {sum(counts.values())} messages: {counts}")
    return 0
