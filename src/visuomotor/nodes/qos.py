"""The QoS profiles of the graph (docs/architecture.md, "Topics").

IMAGE: reliable, keep last 2 — best effort lost far more frames over loopback, and consumers process
only the newest frame. DATA: reliable, keep last 10 (detections, objects, tracks, joint states, commands,
diagnostics). CHUNK: reliable, keep last 1 (only the newest action chunk matters). LATCHED: reliable,
transient local, depth 1 (label info, camera extrinsics, episode announcements: late joiners get them).
"""

from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy

IMAGE = QoSProfile(depth=2, history=HistoryPolicy.KEEP_LAST, reliability=ReliabilityPolicy.RELIABLE)
DATA = QoSProfile(depth=10, history=HistoryPolicy.KEEP_LAST, reliability=ReliabilityPolicy.RELIABLE)
CHUNK = QoSProfile(depth=1, history=HistoryPolicy.KEEP_LAST, reliability=ReliabilityPolicy.RELIABLE)
LATCHED = QoSProfile(
    depth=1,
    history=HistoryPolicy.KEEP_LAST,
    reliability=ReliabilityPolicy.RELIABLE,
    durability=DurabilityPolicy.TRANSIENT_LOCAL,
)
