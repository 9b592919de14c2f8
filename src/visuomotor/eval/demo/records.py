"""What the demo measures per episode (ROS-free records, filled by harness/demo_monitor.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

# glass-to-X latency: time from the image stamp (capture) to the moment X reached the monitor, ms
LATENCY_STAGES = ("detections", "objects", "tracks", "command")


@dataclass
class EpisodeRecord:
    seed: int
    success: bool = False
    duration_s: float = 0.0
    latency_ms: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in LATENCY_STAGES})
    position_errors_m: list[float] = field(default_factory=list)  # confirmed track vs ground truth
    joint_trajectory: list[tuple[float, list[float]]] = field(default_factory=list)  # (t s, 6 joints + gripper)
    node_status: dict[str, dict[str, str]] = field(default_factory=dict)  # node -> last diagnostics values
