"""Hungarian 3D multi-object tracking in base_link (seed 004 §29.4), ROS-free."""

from visuomotor.tracking.association import assign, association_cost, iou_3d
from visuomotor.tracking.track import TrackedObject, TrackState
from visuomotor.tracking.tracker import Tracker, TrackerConfig, TrackerOutput

__all__ = [
    "TrackState",
    "TrackedObject",
    "Tracker",
    "TrackerConfig",
    "TrackerOutput",
    "assign",
    "association_cost",
    "iou_3d",
]
