"""Detections + aligned depth → object centres in base_link (seed 004 §29.2), ROS-free."""

from visuomotor.localization.camera_pose import JointStateHistory, WristCameraPose
from visuomotor.localization.diagnostics import Diagnostic
from visuomotor.localization.localizer import LocalizationResult, LocalizedObject, Localizer, LocalizerConfig
from visuomotor.localization.stamp_pairing import StampPairer

__all__ = [
    "Diagnostic",
    "JointStateHistory",
    "LocalizationResult",
    "LocalizedObject",
    "Localizer",
    "LocalizerConfig",
    "StampPairer",
    "WristCameraPose",
]
