"""The Localizer on exactly ray-cast scenes: object centres to millimetres, units, foreground, covariance."""

import dataclasses

import numpy as np
import pytest

from visuomotor.camera.frame import CameraIntrinsics
from visuomotor.detection.result import Detection
from visuomotor.eval.tracking.detection_sources import boxes_from_segmentation
from visuomotor.localization import Localizer, LocalizerConfig
from visuomotor.localization.object_pixels import select_foreground
from visuomotor.sim.analytic_scene import SceneObject, look_at, render


def errors_mm(result, objects):
    by_label = {o.label: np.asarray(o.centre) for o in objects}
    return {o.class_name: (o.position - by_label[o.class_id]) * 1000 for o in result.objects}


@pytest.mark.parametrize("with_masks", [True, False])
def test_centres_within_millimetres_with_size_priors(tabletop, with_masks):
    localizer = Localizer(LocalizerConfig(size_priors_m=tabletop.sizes))
    result = localizer.localize(tabletop.frame32, tabletop.detections(tabletop.frame32, with_masks))
    assert result.diagnostics == []
    errors = errors_mm(result, tabletop.objects)
    assert set(errors) == {"box", "cylinder", "sphere"}
    for name, error in errors.items():
        assert np.linalg.norm(error) < 3.0, (name, error)
    np.testing.assert_allclose(result.objects[0].size, tabletop.sizes["box"])


def test_visible_surface_would_be_centimetres_off(tabletop):
    """The mean of the visible points is what naive localizers report; the centre model removes its bias."""
    frame = tabletop.frame32
    depth = frame.depth_m()
    rows, cols = np.nonzero(frame.segmentation == 1)
    d = depth[rows, cols].astype(float)
    points = np.stack([(cols - 320.0) * d / 600.0, (rows - 240.0) * d / 600.0, d], axis=1)
    surface_mean = points.mean(axis=0) @ tabletop.T[:3, :3].T + tabletop.T[:3, 3]
    assert np.linalg.norm(surface_mean - tabletop.objects[0].centre) > 0.01


def test_millimetre_and_metre_encodings_agree(tabletop):
    localizer = Localizer(LocalizerConfig(size_priors_m=tabletop.sizes))
    in_m = localizer.localize(tabletop.frame32, tabletop.detections(tabletop.frame32, True))
    in_mm = localizer.localize(tabletop.frame16, tabletop.detections(tabletop.frame16, True))
    assert tabletop.frame16.depth.dtype == np.uint16
    for a, b in zip(in_m.objects, in_mm.objects):
        np.testing.assert_allclose(a.position, b.position, atol=2e-3)  # 1 mm quantisation


def test_millimetres_read_as_metres_is_refused(tabletop):
    wrong = dataclasses.replace(tabletop.frame16, depth_encoding="32FC1")
    result = Localizer().localize(wrong, tabletop.detections(wrong, True))
    assert result.objects == [] and result.diagnostics[0].code == "depth_encoding"


def test_without_size_prior_the_size_is_measured(tabletop):
    result = Localizer().localize(tabletop.frame32, tabletop.detections(tabletop.frame32, True))
    cube = next(o for o in result.objects if o.class_name == "box")
    assert abs(cube.size[2] - 0.05) < 0.005  # height from the visible side
    assert np.linalg.norm(cube.position - tabletop.objects[0].centre) < 0.006


def grid_foreground(depth):
    return select_foreground(
        depth.reshape(1, -1),
        samples_per_axis=16,
        gap_m=0.02,
        mode_fraction=0.25,
        min_coverage=0.5,
        depth_extent_m=np.array([0.08]),
    )[0].reshape(16, 16)


def test_foreground_selection_drops_background_and_flying_pixels():
    rng = np.random.default_rng(1)
    depth = rng.uniform(0.95, 1.0, (16, 16))  # wall behind
    depth[2:14, 2:14] = rng.uniform(0.60, 0.63, (12, 12))  # object spanning the box
    depth[0, :3] = [0.3, 0.41, 0.45]  # flying pixels in front
    depth[15, 15] = np.nan
    keep = grid_foreground(depth)
    expected = np.zeros((16, 16), bool)
    expected[2:14, 2:14] = True
    np.testing.assert_array_equal(keep, expected)


def test_foreground_selection_skips_an_occluder_crossing_part_of_the_box():
    rng = np.random.default_rng(2)
    depth = rng.uniform(0.60, 0.63, (16, 16))  # object fills its tight box
    depth[:, :6] = rng.uniform(0.44, 0.46, (16, 6))  # gripper in front of its left part
    keep = grid_foreground(depth)
    assert keep[:, 6:].all() and not keep[:, :6].any()
    depth[:, :] = 0.62
    depth[:2, :2] = 0.45  # no covering cluster but the object
    assert grid_foreground(depth)[2:, 2:].all()


def test_box_without_mask_ignores_the_wall_behind():
    """A box detection whose region is mostly a far wall still localizes the object in front."""
    cube = SceneObject(1, "box", (0.5, 0.0, 0.02), (0.04, 0.04, 0.04))
    wall = SceneObject(2, "box", (0.65, 0.0, 0.3), (0.02, 1.0, 0.6))
    frame = render([cube, wall], look_at(np.array([0.0, 0.0, 0.3]), np.array([0.5, 0.0, 0.0])), CameraIntrinsics())
    box = boxes_from_segmentation(frame.segmentation)[1] + np.array([-15.0, -15.0, 15.0, 5.0])  # loose box
    result = Localizer(LocalizerConfig(size_priors_m={"cube": (0.04, 0.04, 0.04)})).localize(
        frame, [Detection(0, "cube", 0.8, box)]
    )
    assert len(result.objects) == 1
    assert np.linalg.norm(result.objects[0].position - cube.centre) < 0.004


def test_covariance_is_symmetric_positive_and_grows_with_distance(tabletop):
    localizer = Localizer(LocalizerConfig(size_priors_m=tabletop.sizes))
    near = localizer.localize(tabletop.frame32, tabletop.detections(tabletop.frame32, True)).objects[0]
    np.testing.assert_allclose(near.covariance, near.covariance.T, atol=1e-15)
    assert np.all(np.linalg.eigvalsh(near.covariance) > 0)
    # Propagated pinhole covariance: the depth σ sits along the viewing ray, the pixel σ across it.
    ray = near.position - tabletop.T[:3, 3]
    ray /= np.linalg.norm(ray)
    along = ray @ near.covariance @ ray
    floor = localizer.config.depth_sigma_floor_m**2
    assert along >= floor * 0.9
    far_T = look_at(np.array([1.9, 0.05, 1.2]), np.array([0.42, 0.05, 0.0]))
    far_frame = render(tabletop.objects, far_T, CameraIntrinsics())
    far = localizer.localize(far_frame, tabletop.detections(far_frame, True)).objects[0]
    assert np.trace(far.covariance) > np.trace(near.covariance)


def test_result_fields(tabletop):
    detections = tabletop.detections(tabletop.frame32, True)
    result = Localizer(LocalizerConfig(size_priors_m=tabletop.sizes)).localize(tabletop.frame32, detections)
    first = result.objects[0]
    assert first.position.shape == (3,) and first.covariance.shape == (3, 3) and first.size.shape == (3,)
    assert first.detection is detections[0] and first.stamp_ns == 1_000 and first.frame_id == "base_link"
    assert (first.class_id, first.class_name, first.score) == (1, "box", 0.9)


def test_boxes_cut_by_the_image_border_are_flagged_and_less_certain(tabletop):
    frame = tabletop.frame32
    shift = dataclasses.replace(frame.intrinsics, cx=frame.intrinsics.cx - 200)  # the sphere leaves on the left
    cut_frame = render(tabletop.objects, tabletop.T, shift)
    result = Localizer(LocalizerConfig(size_priors_m=tabletop.sizes)).localize(
        cut_frame, tabletop.detections(cut_frame, True)
    )
    flags = {o.class_name: o.truncated for o in result.objects}
    assert flags == {"box": False, "cylinder": False, "sphere": True}
    whole = Localizer(LocalizerConfig(size_priors_m=tabletop.sizes)).localize(frame, tabletop.detections(frame, True))
    assert not any(o.truncated for o in whole.objects)
    for o in result.objects:
        if o.truncated:
            assert np.trace(o.covariance) > 3 * 0.02**2
