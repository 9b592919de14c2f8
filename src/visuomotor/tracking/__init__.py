"""Hungarian 3D multi-object tracking in base_link (seed 004 §29.4), ROS-free."""

from visuomotor.tracking.association import (
    Assignment,
    association_cost,
    association_gate,
    gated_assignment,
    iou_3d,
)
from visuomotor.tracking.track import TrackedObject, TrackState
from visuomotor.tracking.tracker import Tracker, TrackerConfig, TrackerOutput

__all__ = [
    "Assignment",
    "TrackState",
    "TrackedObject",
    "Tracker",
    "TrackerConfig",
    "TrackerOutput",
    "association_cost",
    "association_gate",
    "gated_assignment",
    "iou_3d",
]
