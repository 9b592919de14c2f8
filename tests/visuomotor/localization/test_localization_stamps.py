"""Transforms valid at the image stamp (joint-state interpolation + FK) and detection/depth stamp pairing."""

import dataclasses

import numpy as np

from visuomotor.localization import (
    Diagnostic,
    JointStateHistory,
    Localizer,
    LocalizerConfig,
    StampPairer,
    WristCameraPose,
)


def slider_fk(q):
    """A prismatic joint moving the camera mount along base x: T = translation(q[0], 0, 0)."""
    T = np.eye(4)
    T[0, 3] = q[0]
    return T


def test_joint_states_are_interpolated_at_the_image_stamp():
    history = JointStateHistory(max_samples=10, max_gap_ns=100)
    for stamp, q in [(0, 0.0), (100, 1.0), (200, 3.0)]:
        assert history.add(stamp, np.array([q])) is None
    np.testing.assert_allclose(history.positions_at(150), [2.0])
    np.testing.assert_allclose(history.positions_at(25), [0.25])
    np.testing.assert_allclose(history.positions_at(250), [3.0])  # within max_gap of the newest
    assert isinstance(history.positions_at(400), Diagnostic)  # beyond: refused, not extrapolated
    stale = history.add(150, np.array([9.0]))
    assert isinstance(stale, Diagnostic) and stale.code == "stale_joint_state"
    np.testing.assert_allclose(history.positions_at(150), [2.0])


def test_no_joint_states_or_gap_is_a_diagnostic():
    history = JointStateHistory(max_gap_ns=10)
    assert history.positions_at(0).code == "no_joint_state"
    history.add(0, np.zeros(1))
    history.add(100, np.ones(1))
    assert history.positions_at(50).code == "no_joint_state"


def test_wrist_camera_localization_uses_the_pose_at_the_image_stamp(tabletop):
    """The arm moves 0.2 m after the exposure; the object must stay where it was seen."""
    T_link_camera = tabletop.T.copy()
    T_link_camera[0, 3] -= 0.1  # mount at x = 0.1 at exposure
    history = JointStateHistory(max_gap_ns=50_000_000)
    history.add(0, np.array([0.0]))
    history.add(2_000, np.array([0.2]))  # image stamp 1 000 → q = 0.1
    history.add(40_000_000, np.array([0.3]))  # latest state: arm moved on
    pose = WristCameraPose(slider_fk, T_link_camera, history)
    T_at_stamp = pose.at(tabletop.frame32.stamp_ns)
    np.testing.assert_allclose(T_at_stamp, tabletop.T, atol=1e-12)
    frame = dataclasses.replace(tabletop.frame32, T_base_camera=None)
    localizer = Localizer(LocalizerConfig(size_priors_m=tabletop.sizes))
    result = localizer.localize(frame, tabletop.detections(frame, True), T_base_camera=T_at_stamp)
    assert np.linalg.norm(result.objects[0].position - tabletop.objects[0].centre) < 0.003
    latest = pose.at(40_000_000)
    wrong = localizer.localize(frame, tabletop.detections(frame, True), T_base_camera=latest)
    assert np.linalg.norm(wrong.objects[0].position - tabletop.objects[0].centre) > 0.15


def test_stamp_pairing_finds_the_same_stamp_newest_first(tabletop):
    pairer = StampPairer(max_frames=3, tolerance_ns=10)
    assert pairer.pair(0).code == "no_depth"
    frames = [dataclasses.replace(tabletop.frame32, stamp_ns=stamp) for stamp in (100, 200, 300, 400)]
    for frame in frames:
        pairer.add(frame)
    assert pairer.pair(300) is frames[2]
    assert pairer.pair(205) is frames[1]
    assert pairer.pair(100).code == "no_depth_at_stamp"  # evicted: buffer holds 3 frames
    assert pairer.pair(250).code == "no_depth_at_stamp"  # between frames, out of tolerance
    assert "200..400" in pairer.pair(250).message
