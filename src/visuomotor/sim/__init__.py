"""MuJoCo tabletop simulation: UR5e-class arm + parallel gripper, table, bin, coloured objects, RGB-D cameras.

Headless rendering uses EGL (`MUJOCO_GL=egl`, set by visuomotor.process.configure_process before mujoco is imported).
See docs/simulation.md for the frames, the task wrapper and the measured numbers.
"""

from visuomotor.sim.ground_truth import ObjectState, SceneGroundTruth
from visuomotor.sim.layout import HOME_Q, CameraConfig, SceneConfig, SceneLayout, sample_layout
from visuomotor.sim.objects import CLASS_NAMES, SHAPES, TASK_OBJECT_CLASS, object_class
from visuomotor.sim.simulator import TabletopSim

__all__ = [
    "CLASS_NAMES",
    "HOME_Q",
    "SHAPES",
    "TASK_OBJECT_CLASS",
    "CameraConfig",
    "ObjectState",
    "SceneConfig",
    "SceneGroundTruth",
    "SceneLayout",
    "TabletopSim",
    "object_class",
    "sample_layout",
]
