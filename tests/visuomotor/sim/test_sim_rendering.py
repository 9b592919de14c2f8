"""RGB-D rendering: metric depth deprojects onto the true surfaces; segmentation ids are the GT objects."""

from __future__ import annotations

import numpy as np
import pytest

from visuomotor.camera.frame import CameraIntrinsics
from visuomotor.sim import CameraConfig, SceneConfig, TabletopSim
from visuomotor.sim.renderer import mujoco

OFF_CENTRE = CameraIntrinsics(width=480, height=360, fx=420.0, fy=460.0, cx=230.0, cy=190.0)


DEFAULT_INTRINSICS = CameraIntrinsics()


def make_sim(intrinsics: CameraIntrinsics = DEFAULT_INTRINSICS, depth_encoding: str = "32FC1") -> TabletopSim:
    cameras = (
        CameraConfig("fixed", "fixed", intrinsics, depth_encoding),
        CameraConfig("wrist", "wrist", intrinsics, depth_encoding),
    )
    sim = TabletopSim(SceneConfig(cameras=cameras))
    sim.reset(3)
    return sim


@pytest.fixture(scope="module")
def sim() -> TabletopSim:
    return make_sim()


def ray_cast(sim: TabletopSim, T_base_camera: np.ndarray, u: int, v: int, k: CameraIntrinsics):
    """Ground truth independent of the renderer: the first surface along the pixel's ray (point, geom id)."""
    direction = T_base_camera[:3, :3] @ np.array([(u - k.cx) / k.fx, (v - k.cy) / k.fy, 1.0])
    direction /= np.linalg.norm(direction)
    geom = np.zeros(1, dtype=np.int32)
    distance = mujoco.mj_ray(sim.model, sim.data, T_base_camera[:3, 3], direction, None, 1, -1, geom)
    return T_base_camera[:3, 3] + distance * direction, int(geom[0])


def deproject(frame, u: int, v: int) -> np.ndarray:
    """Seed 004 §29.2.2–29.2.3: X = (u − cx)·d/fx, Y = (v − cy)·d/fy, Z = d; p_base = T · p_cam."""
    k, z = frame.intrinsics, float(frame.depth_m()[v, u])
    p_cam = np.array([(u - k.cx) * z / k.fx, (v - k.cy) * z / k.fy, z, 1.0])
    return (frame.T_base_camera @ p_cam)[:3]


def check_object_pixels(sim: TabletopSim, camera: str, tolerance_m: float = 0.002) -> None:
    frame = sim.render(camera)
    rows, cols = np.nonzero(frame.segmentation > 0)
    assert len(rows) > 500, f"{camera}: too few object pixels to test"
    picks = np.random.default_rng(0).choice(len(rows), 100, replace=False)
    geom_to_object = {sim.model.geom(f"object_{o.object_id}").id: o.object_id for o in sim.layout.objects}
    for v, u in zip(rows[picks], cols[picks]):
        surface, geom = ray_cast(sim, frame.T_base_camera, u, v, frame.intrinsics)
        assert np.linalg.norm(deproject(frame, u, v) - surface) < tolerance_m, (camera, u, v)
        assert geom_to_object.get(geom, 0) == frame.segmentation[v, u], (camera, u, v)


@pytest.mark.parametrize("camera", ["fixed", "wrist"])
def test_deprojected_object_pixels_land_on_true_surfaces(sim, camera):
    check_object_pixels(sim, camera)


@pytest.mark.parametrize("camera", ["fixed", "wrist"])
def test_deprojection_with_off_centre_principal_point_and_unequal_focal_lengths(camera):
    check_object_pixels(make_sim(OFF_CENTRE), camera)


def test_frame_contract(sim):
    frame = sim.render("fixed")
    assert frame.color.shape == (480, 640, 3) and frame.color.dtype == np.uint8
    assert frame.depth.shape == (480, 640) and frame.depth.dtype == np.float32
    assert frame.depth_encoding == "32FC1" and frame.frame_id == "camera_color_optical_frame"
    assert frame.segmentation.shape == (480, 640) and frame.segmentation.dtype == np.int32
    assert frame.stamp_ns == sim.stamp_ns > 0
    np.testing.assert_allclose(frame.T_base_camera[:3, :3] @ frame.T_base_camera[:3, :3].T, np.eye(3), atol=1e-9)
    # REP-103 optical frame of the front camera: z forward toward the table (down), y down in the image.
    R = frame.T_base_camera[:3, :3]
    assert R[2, 2] < -0.5 and R[0, 2] < 0 and R[2, 1] < 0
    assert np.all(np.isfinite(frame.depth_m()))  # every pixel sees the table, floor or a body


def test_16uc1_depth_is_millimetres():
    sim_mm = make_sim(depth_encoding="16UC1")
    sim_m = make_sim()
    frame_mm, frame_m = sim_mm.render("fixed"), sim_m.render("fixed")
    assert frame_mm.depth.dtype == np.uint16
    np.testing.assert_allclose(frame_mm.depth_m(), frame_m.depth_m(), atol=0.0005 + 1e-6)


def test_segmentation_masks_are_the_ground_truth_objects(sim):
    frame = sim.render("fixed")
    truth = sim.ground_truth()
    ids = set(np.unique(frame.segmentation)) - {0}
    assert ids <= {o.object_id for o in truth.objects}
    assert 1 in ids  # the red cube is visible from the fixed camera
    k = frame.intrinsics
    for object_id in ids:  # the projected object centre lies inside (or next to) its own mask
        position = truth.object(object_id).position_m
        p_cam = np.linalg.inv(frame.T_base_camera) @ np.r_[position, 1.0]
        u, v = k.fx * p_cam[0] / p_cam[2] + k.cx, k.fy * p_cam[1] / p_cam[2] + k.cy
        rows, cols = np.nonzero(frame.segmentation == object_id)
        assert np.min(np.hypot(cols - u, rows - v)) < 2.0
    red = frame.color[frame.segmentation == 1].astype(float).mean(axis=0)
    assert red[0] > 1.5 * red[1] and red[0] > 1.5 * red[2]  # the red cube renders red


def test_render_without_segmentation_and_unknown_camera(sim):
    assert sim.render("wrist", with_segmentation=False).segmentation is None
    with pytest.raises(ValueError, match="unknown camera 'top'"):
        sim.render("top")


def test_wrist_camera_pose_follows_forward_kinematics(sim):
    from visuomotor.robot.kinematics import link_frames
    from visuomotor.robot.wrist_mount import wrist_camera_in_flange

    frame = sim.render("wrist", with_segmentation=False)
    expected = link_frames(sim.joint_positions())[-1] @ wrist_camera_in_flange()
    np.testing.assert_allclose(frame.T_base_camera, expected, atol=1e-9)
