"""Localizer + tracker + scoring end to end on exactly ray-cast sequences (no simulator): a cube moving
behind a cylinder (full occlusion for a few frames) and a static sphere."""

from types import SimpleNamespace

import numpy as np
import pytest

from visuomotor.camera.frame import CameraIntrinsics
from visuomotor.eval.tracking.mot_metrics import evaluate
from visuomotor.eval.tracking.sim_evaluation import TrackingEvalConfig, fully_visible, score_sequence
from visuomotor.eval.tracking.sim_scenarios import ScenarioFrame
from visuomotor.localization import LocalizerConfig
from visuomotor.sim.analytic_scene import SceneObject, look_at, render

SIZES = {"cube": (0.04, 0.04, 0.04), "cylinder": (0.08, 0.08, 0.16), "sphere": (0.044, 0.044, 0.044)}
SHAPE = {"cube": "box", "cylinder": "cylinder", "sphere": "sphere"}
HALF_VGA = CameraIntrinsics(width=320, height=240, fx=300.0, fy=300.0, cx=160.0, cy=120.0)  # 4× fewer rays
CAMERA = look_at(np.array([1.0, 0.0, 0.45]), np.array([0.45, 0.0, 0.02]))


def scene_at(k: int):
    cube_y = -0.2 + 0.02 * k  # 0.2 m/s at 10 Hz, passes behind the cylinder
    placed = [(1, "cube", (0.40, cube_y, 0.02)), (2, "cylinder", (0.55, 0.0, 0.08)), (3, "sphere", (0.5, 0.2, 0.022))]
    objects = [SceneObject(i, SHAPE[name], centre, SIZES[name]) for i, name, centre in placed]
    frame = render(objects, CAMERA, HALF_VGA, stamp_ns=(k + 1) * 100_000_000, depth_encoding="16UC1")
    truth = SimpleNamespace(
        objects=[
            SimpleNamespace(object_id=i, class_id=i, class_name=name, position_m=np.array(c)) for i, name, c in placed
        ]
    )
    return ScenarioFrame(frame, truth, frame.T_base_camera)


@pytest.fixture(scope="module")
def sequence():
    return [scene_at(k) for k in range(22)]


def test_fully_visible_detects_border_and_occlusion(sequence):
    hidden = sequence[10]  # cube right behind the cylinder
    depth = hidden.frame.depth_m()
    assert fully_visible(hidden.frame.segmentation, depth, 2, 0.005)
    assert fully_visible(hidden.frame.segmentation, depth, 3, 0.005)
    partly = next(f for f in sequence if 0 < np.count_nonzero(f.frame.segmentation == 1) < 375)
    assert not fully_visible(partly.frame.segmentation, partly.frame.depth_m(), 1, 0.005)
    labels = np.zeros((10, 10), np.int32)
    labels[0:3, 4:6] = 5
    assert not fully_visible(labels, np.ones((10, 10)), 5, 0.005)  # touches the top border


def test_sequence_keeps_ids_through_occlusion_and_localizes_to_millimetres(sequence):
    config = TrackingEvalConfig(localizer=LocalizerConfig(size_priors_m=SIZES))
    frames = sequence
    hidden = [
        k for k, f in enumerate(frames) if np.count_nonzero(f.frame.segmentation == 1) < config.min_visible_pixels
    ]
    assert len(hidden) >= 2  # the cube really disappears
    score = score_sequence(frames, config, "synthetic")
    assert score.frames == 22 and score.refused_frames == 0
    assert np.median(score.errors_in_view) < 0.003 and np.max(score.errors_in_view) < 0.008
    metrics = evaluate(score.mot_frames)
    assert metrics.id_switches == 0 and metrics.false_positives == 0
    assert metrics.mota > 0.95 and metrics.idf1 > 0.95
