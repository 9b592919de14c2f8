"""Scene construction, seeded determinism, actuation and input validation."""

from __future__ import annotations

import numpy as np
import pytest

from visuomotor.camera.frame import CameraIntrinsics
from visuomotor.sim import CLASS_NAMES, HOME_Q, CameraConfig, SceneConfig, TabletopSim, object_class, sample_layout


def test_class_list_is_shape_by_colour_with_the_task_object():
    assert len(CLASS_NAMES) == 12 and len(set(CLASS_NAMES)) == 12
    assert CLASS_NAMES.index("red_cube") == object_class("red_cube").class_id
    assert {object_class(n).shape for n in CLASS_NAMES} == {"cube", "cylinder", "sphere"}
    with pytest.raises(ValueError, match="unknown object class 'purple_cone'"):
        object_class("purple_cone")


def test_reset_is_deterministic_per_seed():
    sim_a, sim_b = TabletopSim(), TabletopSim()
    sim_a.reset(9)
    sim_b.reset(9)
    truth_a, truth_b = sim_a.ground_truth(), sim_b.ground_truth()
    for a, b in zip(truth_a.objects, truth_b.objects):
        assert a.class_name == b.class_name
        np.testing.assert_array_equal(a.position_m, b.position_m)
        np.testing.assert_array_equal(a.quat_xyzw, b.quat_xyzw)
    np.testing.assert_array_equal(truth_a.T_base_cameras["fixed"], truth_b.T_base_cameras["fixed"])
    frame_a, frame_b = sim_a.render("fixed"), sim_b.render("fixed")
    np.testing.assert_array_equal(frame_a.color, frame_b.color)
    np.testing.assert_array_equal(frame_a.depth, frame_b.depth)
    sim_a.reset(10)
    other = sim_a.ground_truth()
    assert not np.allclose(other.objects[0].position_m, truth_b.objects[0].position_m)
    assert not np.allclose(other.T_base_cameras["fixed"], truth_b.T_base_cameras["fixed"])


def test_layout_randomises_classes_colours_light_and_keeps_objects_apart():
    config = SceneConfig()
    layouts = [sample_layout(config, seed) for seed in range(20)]
    assert len({tuple(o.class_name for o in lay.objects) for lay in layouts}) > 10
    assert len({lay.light_intensity for lay in layouts}) == 20
    for layout in layouts:
        assert layout.objects[0].class_name == "red_cube" and len(layout.objects) == 1 + config.num_distractors
        xy = np.array([o.position_m[:2] for o in layout.objects])
        gaps = np.linalg.norm(xy[:, None] - xy[None], axis=-1) + np.eye(len(xy))
        assert gaps.min() >= config.min_separation_m
        red = layout.objects[0].rgba
        assert red[0] > 0.7 and red[1] < 0.2 and red[2] < 0.2


def test_ground_truth_objects_rest_on_the_table():
    sim = TabletopSim()
    sim.reset(4)
    for obj in sim.ground_truth().objects:
        assert abs(obj.position_m[2] - obj.size_m[2] / 2) < 2e-3, obj
        np.testing.assert_allclose(np.linalg.norm(obj.quat_xyzw), 1.0)
        assert CLASS_NAMES[obj.class_id] == obj.class_name


def test_arm_tracks_joint_targets_and_gripper_opens_and_closes():
    sim = TabletopSim()
    sim.reset(1)
    target = np.asarray(HOME_Q) + np.array([0.3, -0.2, 0.25, 0.2, -0.3, 0.5])
    sim.set_targets(target, gripper=1.0)
    sim.step(500)  # 1 s
    assert np.abs(sim.joint_positions() - target).max() < 2e-3
    assert sim.gripper_state() > 0.95
    sim.set_targets(target, gripper=0.0)
    sim.step(250)
    assert sim.gripper_state() < 0.05
    assert abs(sim.time_s - 0.3 - 1.5) < 1e-9  # settle time + stepped time


@pytest.mark.parametrize(
    "intrinsics, message",
    [
        (CameraIntrinsics(fx=-600.0), "focal lengths"),
        (CameraIntrinsics(fy=float("nan")), "focal lengths"),
        (CameraIntrinsics(cx=700.0), "principal point"),
        (CameraIntrinsics(width=0), "image size"),
        (CameraIntrinsics(distortion=(0.1, 0, 0, 0, 0)), "undistorted"),
    ],
)
def test_bad_intrinsics_are_rejected(intrinsics, message):
    with pytest.raises(ValueError, match=message):
        CameraConfig(intrinsics=intrinsics)


def test_bad_config_and_commands_are_rejected():
    with pytest.raises(ValueError, match="mount"):
        CameraConfig(mount="ceiling")
    with pytest.raises(ValueError, match="depth_encoding"):
        CameraConfig(depth_encoding="8UC1")
    with pytest.raises(ValueError, match="500 Hz"):
        SceneConfig(timestep_s=0.01)
    with pytest.raises(ValueError, match="seed"):
        sample_layout(SceneConfig(), -1)
    sim = TabletopSim()
    with pytest.raises(RuntimeError, match="reset"):
        sim.joint_positions()
    sim.reset(0)
    with pytest.raises(ValueError, match="6 finite angles"):
        sim.set_targets(np.full(6, np.nan), gripper=0.0)
    with pytest.raises(KeyError, match="no object with id 99"):
        sim.object_pose(99)


def test_crowded_layouts_place_every_object_and_keep_the_gripper_above_the_table():
    from visuomotor.robot.kinematics import forward_kinematics
    from visuomotor.sim.layout import MIN_START_TCP_HEIGHT_M

    config = SceneConfig(num_distractors=9, joint_jitter_rad=0.5)
    for seed in range(60):
        layout = sample_layout(config, seed)
        assert len(layout.objects) == 10
        assert forward_kinematics(np.asarray(layout.q_init))[2, 3] >= MIN_START_TCP_HEIGHT_M
    with pytest.raises(ValueError, match="could not place 12 objects"):
        sample_layout(SceneConfig(num_distractors=11, x_range_m=(0.3, 0.4), y_range_m=(0.0, 0.1)), 0)
