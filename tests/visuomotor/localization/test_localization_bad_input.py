"""Bad input → diagnostics naming the mismatch, no exception, no bogus position."""

import dataclasses

import numpy as np
import pytest

from visuomotor.camera.frame import CameraIntrinsics
from visuomotor.detection.result import Detection
from visuomotor.localization import Localizer, LocalizerConfig
from visuomotor.localization.camera_mount import mount_from_message
from visuomotor.localization.diagnostics import Diagnostic


def codes(result):
    return {d.code for d in result.diagnostics}


def test_all_zero_depth_gives_no_object(tabletop):
    frame = dataclasses.replace(tabletop.frame16, depth=np.zeros_like(tabletop.frame16.depth))
    result = Localizer().localize(frame, tabletop.detections(tabletop.frame16, False))
    assert result.objects == []
    assert [d.code for d in result.diagnostics] == ["no_valid_depth"] * 3
    assert [d.detection_index for d in result.diagnostics] == [0, 1, 2]


def test_all_nan_depth_gives_no_object(tabletop):
    frame = dataclasses.replace(tabletop.frame32, depth=np.full_like(tabletop.frame32.depth, np.nan))
    result = Localizer().localize(frame, tabletop.detections(tabletop.frame32, True))
    assert result.objects == [] and codes(result) == {"no_valid_depth"}


def test_out_of_range_depth_is_invalid(tabletop):
    result = Localizer(LocalizerConfig(max_depth_m=0.3)).localize(
        tabletop.frame32, tabletop.detections(tabletop.frame32, True)
    )
    assert result.objects == [] and codes(result) == {"no_valid_depth"}


def test_partly_invalid_depth_still_localizes(tabletop):
    depth = tabletop.frame32.depth.copy()
    depth[::2] = np.nan  # every other row lost
    frame = dataclasses.replace(tabletop.frame32, depth=depth)
    result = Localizer(LocalizerConfig(size_priors_m=tabletop.sizes)).localize(frame, tabletop.detections(frame, True))
    assert len(result.objects) == 3
    assert np.linalg.norm(result.objects[0].position - tabletop.objects[0].centre) < 0.004


def test_rgb_depth_size_mismatch_is_refused(tabletop):
    frame = dataclasses.replace(tabletop.frame32, color=np.zeros((720, 1280, 3), np.uint8))
    result = Localizer().localize(frame, tabletop.detections(tabletop.frame32, True))
    assert result.objects == [] and codes(result) == {"size_mismatch"}
    assert "1280×720" in result.diagnostics[0].message and "640×480" in result.diagnostics[0].message


def test_instance_labels_of_another_size_are_refused(tabletop):
    frame = dataclasses.replace(tabletop.frame32, segmentation=np.zeros((240, 320), np.int32))
    result = Localizer().localize(frame, tabletop.detections(tabletop.frame32, True))
    assert result.objects == [] and codes(result) == {"size_mismatch"}


def test_intrinsics_for_another_resolution_are_refused(tabletop):
    frame = dataclasses.replace(tabletop.frame32, intrinsics=CameraIntrinsics(width=1280, height=720))
    result = Localizer().localize(frame, tabletop.detections(tabletop.frame32, True))
    assert result.objects == [] and codes(result) == {"intrinsics_mismatch"}


def test_missing_intrinsics_are_refused(tabletop):
    for intrinsics in (None, CameraIntrinsics(fx=0.0, fy=0.0)):
        frame = dataclasses.replace(tabletop.frame32, intrinsics=intrinsics)
        result = Localizer().localize(frame, tabletop.detections(tabletop.frame32, True))
        assert result.objects == [] and "missing_intrinsics" in codes(result)


def test_detections_from_another_frame_are_refused(tabletop):
    result = Localizer().localize(
        tabletop.frame32, tabletop.detections(tabletop.frame32, True), detections_frame_id="camera_depth_optical_frame"
    )
    assert result.objects == [] and codes(result) == {"frame_mismatch"}


def test_missing_or_non_rigid_transform_is_refused(tabletop):
    frame = dataclasses.replace(tabletop.frame32, T_base_camera=None)
    assert codes(Localizer().localize(frame, tabletop.detections(frame, True))) == {"no_transform"}
    scaled = np.diag([2.0, 2.0, 2.0, 1.0])
    result = Localizer().localize(frame, tabletop.detections(frame, True), T_base_camera=scaled)
    assert result.objects == [] and codes(result) == {"bad_transform"}


def test_bad_boxes_are_skipped_and_named(tabletop):
    good = tabletop.detections(tabletop.frame32, False)[0]
    bad = [
        Detection(0, "box", 0.5, np.array([np.nan, 0, 10, 10])),
        Detection(0, "box", 0.5, np.array([50.0, 50.0, 40.0, 60.0])),
        Detection(0, "box", 0.5, np.array([700.0, 500.0, 800.0, 600.0])),
    ]
    result = Localizer().localize(tabletop.frame32, [good, *bad])
    assert len(result.objects) == 1 and result.objects[0].detection is good
    assert [(d.code, d.detection_index) for d in result.diagnostics] == [("bad_box", 1), ("bad_box", 2), ("bad_box", 3)]


def test_no_detections_is_an_empty_result(tabletop):
    result = Localizer().localize(tabletop.frame32, [])
    assert result.objects == [] and result.diagnostics == []


def test_a_huge_box_is_refused_not_localized_as_the_whole_image(tabletop):
    """Issue #18: a ±1e30 box was clipped to the image and localized as a real object."""
    good = tabletop.detections(tabletop.frame32, False)[0]
    huge = Detection(0, "box", 0.5, np.array([-1e30, -1e30, 1e30, 1e30]))
    overhanging = Detection(0, "box", 0.5, np.array([-17.0, 10.0, 50.0, 60.0]))  # beyond the 16 px tolerance
    result = Localizer().localize(tabletop.frame32, [good, huge, overhanging])
    assert len(result.objects) == 1 and result.objects[0].detection is good
    assert [(d.code, d.detection_index) for d in result.diagnostics] == [("bad_box", 1), ("bad_box", 2)]
    assert "beyond the" in result.diagnostics[0].message


def test_scores_that_are_not_probabilities_are_refused(tabletop):
    """Issue #18: NaN / −inf detection scores went into /objects."""
    good = tabletop.detections(tabletop.frame32, False)[0]
    bad = [dataclasses.replace(good, score=value) for value in (float("nan"), float("-inf"), 1.5)]
    result = Localizer().localize(tabletop.frame32, [good, *bad])
    assert len(result.objects) == 1 and result.objects[0].detection is good
    assert [(d.code, d.detection_index) for d in result.diagnostics] == [
        ("bad_score", 1),
        ("bad_score", 2),
        ("bad_score", 3),
    ]


@pytest.mark.parametrize(
    "xyz, quat, expected",
    [
        ([0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0], "norm 0, not 1"),
        ([np.nan, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0], "not finite"),
        ([0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 2.0], "norm 2, not 1"),
        ([100.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0], "more than 10 m from base_link"),
    ],
)
def test_a_bad_camera_mount_message_is_refused(xyz, quat, expected):
    """Issue #18: a zero quaternion or NaN translation on /camera/extrinsics raised in the localizer."""
    result = mount_from_message(xyz, quat)
    assert isinstance(result, Diagnostic) and result.code == "bad_extrinsics" and expected in result.message


def test_a_good_camera_mount_message_gives_its_transform():
    T = mount_from_message([0.1, 0.2, 0.3], [0.0, 0.0, np.sin(0.25), np.cos(0.25)])
    np.testing.assert_allclose(T[:3, 3], [0.1, 0.2, 0.3])
    np.testing.assert_allclose(T[:3, :3] @ T[:3, :3].T, np.eye(3), atol=1e-12)
