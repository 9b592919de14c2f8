"""The live policy's rules (policy.controller), one test per rule, without processes: a real (small, randomly
initialised) ACT behind a PolicyRunner that records the state it was asked to act on."""

from __future__ import annotations

import numpy as np
import pytest

from visuomotor.policy.act import ACT, ACTConfig
from visuomotor.policy.controller import (
    Chunk,
    JointReading,
    NoAction,
    PolicyController,
    PolicyControllerConfig,
    TrackedTarget,
    TrackList,
)
from visuomotor.policy.normalization import NormalizationStats
from visuomotor.policy.runner import PolicyRunner
from visuomotor.robot.kinematics import forward_kinematics
from visuomotor.sim.layout import HOME_Q
from visuomotor.tracking.track import TrackState

MS = 1_000_000
HOME = np.asarray(HOME_Q)
OLD_CUBE, NEW_CUBE = np.array([0.43, 0.31, 0.03]), np.array([0.40, -0.17, 0.02])


class RecordingRunner(PolicyRunner):
    """The real runner; remembers the object position of every plan() call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets: list[np.ndarray] = []

    def plan(self, qpos, object_position, images=None):
        self.targets.append(np.asarray(object_position, dtype=float).copy())
        return super().plan(qpos, object_position, images)


@pytest.fixture(scope="module")
def model_and_stats():
    config = ACTConfig(
        chunk_size=8,
        d_model=32,
        n_heads=2,
        d_feedforward=64,
        n_cvae_layers=1,
        n_encoder_layers=1,
        n_decoder_layers=2,
        latent_dim=8,
    )
    rng = np.random.default_rng(0)
    return ACT(config), NormalizationStats.from_data(rng.normal(size=(50, 10)), rng.normal(size=(50, 7)))


@pytest.fixture
def controller(model_and_stats) -> PolicyController:
    model, stats = model_and_stats
    return PolicyController(PolicyControllerConfig(rate_hz=50.0, stale_timeout_s=0.5), RecordingRunner(model, stats))


def joints(t_ms: int, q=HOME, gripper: float = 0.0) -> JointReading:
    return JointReading(t_ms * MS, t_ms * MS, np.append(q, gripper))


def track(track_id, position, measured_ms, hits=5, state=TrackState.CONFIRMED, score=0.9, cls="red_cube"):
    return TrackedTarget(track_id, cls, state, score, hits, np.asarray(position, float), measured_ms * MS)


def tracks(t_ms: int, *items: TrackedTarget) -> TrackList:
    return TrackList(t_ms * MS, items)


def last_target(controller: PolicyController) -> np.ndarray:
    return controller.runner.targets[-1]


def test_a_chunk_is_this_steps_action_then_the_newest_chunks_actions_ahead(controller):
    result = controller.step(0, joints(0), tracks(0, track("a", NEW_CUBE, 0)))
    assert isinstance(result, Chunk) and result.due_ns == 0 and result.period_s == pytest.approx(0.02)
    assert result.actions.shape == (8, 7) and result.actions[0, 6] in (0.0, 1.0)
    fresh = PolicyRunner(controller.runner.model, controller.runner.stats)
    np.testing.assert_allclose(result.actions[1:], fresh.predict_chunk(np.append(HOME, 0.0), NEW_CUBE)[1:])


def test_locks_onto_the_most_recently_measured_confirmed_track(controller):
    coasting = track("old", OLD_CUBE, measured_ms=-1500, hits=90)  # seen often, not measured for 1.5 s
    fresh = track("new", NEW_CUBE, measured_ms=0, hits=4)
    controller.step(0, joints(0), tracks(0, coasting, fresh))
    np.testing.assert_allclose(last_target(controller), NEW_CUBE)


def test_the_locked_track_keeps_the_target_when_lost_and_another_track_of_the_class_appears(controller):
    controller.step(0, joints(0), tracks(0, track("a", NEW_CUBE, 0)))
    hidden = track("a", NEW_CUBE, measured_ms=0, state=TrackState.LOST)
    misread = track("b", OLD_CUBE, measured_ms=20, hits=50)
    assert isinstance(controller.step(20 * MS, joints(20), tracks(20, hidden, misread)), Chunk)
    np.testing.assert_allclose(last_target(controller), NEW_CUBE)


def test_relocks_when_the_locked_track_is_gone_and_the_gripper_is_empty(controller):
    controller.step(0, joints(0), tracks(0, track("a", NEW_CUBE, 0)))
    controller.step(20 * MS, joints(20), tracks(20, track("b", OLD_CUBE, 20)))
    np.testing.assert_allclose(last_target(controller), OLD_CUBE)


def test_while_holding_the_object_moves_with_the_tool_and_no_other_track_is_locked(controller):
    controller.step(0, joints(0), tracks(0, track("a", NEW_CUBE, 0)))
    controller.step(20 * MS, joints(20, gripper=0.55), tracks(20, track("a", NEW_CUBE, 20)))  # the grasp closed
    offset = NEW_CUBE - forward_kinematics(HOME)[:3, 3]
    lifted = HOME + np.array([0.0, -0.05, 0.0, 0.0, 0.0, 0.0])
    # the held cube's track is gone; another red cube must not take over
    result = controller.step(2000 * MS, joints(2000, lifted, 0.55), tracks(2000, track("b", OLD_CUBE, 2000)))
    assert isinstance(result, Chunk)  # held: its position is known although its image is 2 s old
    np.testing.assert_allclose(last_target(controller), forward_kinematics(lifted)[:3, 3] + offset)


def test_a_reset_forgets_the_target_and_ignores_tracks_measured_before_it(controller):
    controller.step(0, joints(0), tracks(0, track("a", OLD_CUBE, 0)))
    controller.reset(100 * MS, "reset requested")
    result = controller.step(120 * MS, joints(120), tracks(120, track("a", OLD_CUBE, measured_ms=90)))
    assert isinstance(result, NoAction) and "red_cube track stale or missing" in result.reason
    assert controller.events == ["policy schedule reset: new episode: reset requested"]
    controller.step(140 * MS, joints(140), tracks(140, track("c", NEW_CUBE, measured_ms=140)))
    np.testing.assert_allclose(last_target(controller), NEW_CUBE)


def test_a_joint_jump_starts_a_new_episode_and_a_move_the_drives_can_make_does_not(controller):
    controller.step(0, joints(0), tracks(0, track("a", OLD_CUBE, 0)))
    moved = HOME + np.array([0.25, 0, 0, 0, 0, 0])  # 0.25 rad in 100 ms: allowed 0.2 + π·0.1
    assert isinstance(controller.step(100 * MS, joints(100, moved), None), Chunk)
    reset_pose = moved + np.array([0.5, 0, 0, 0, 0, 0])  # in 20 ms: a reset
    result = controller.step(120 * MS, joints(120, reset_pose), tracks(120, track("a", OLD_CUBE, measured_ms=100)))
    assert isinstance(result, NoAction) and "jumped" in controller.events[-1]


def test_stale_joint_states_stop_the_policy_and_report_it_only_once_it_was_acting(controller):
    assert controller.step(0, None, None) == NoAction("joint_states stale or missing", report=False)
    controller.step(0, joints(0), tracks(0, track("a", NEW_CUBE, 0)))
    result = controller.step(510 * MS, joints(0), tracks(500, track("a", NEW_CUBE, 500)))  # received 0.51 s ago
    assert result == NoAction("joint_states stale or missing", report=True)


def test_a_target_whose_image_is_older_than_the_stale_timeout_stops_the_policy(controller):
    controller.step(0, joints(0), tracks(0, track("a", NEW_CUBE, 0)))
    assert isinstance(controller.step(480 * MS, joints(480), None), Chunk)
    result = controller.step(500 * MS, joints(500), None)  # perception stopped: the tracks are 0.5 s old
    assert isinstance(result, NoAction) and result.reason == "red_cube track stale or missing" and result.report


@pytest.mark.parametrize(
    "bad, expected",
    [
        ((0, np.nan), "joint_states refused: joint shoulder_pan is nan"),
        ((2, 100.0), "joint_states refused: joint elbow at 100 rad is beyond its limits"),
        ((6, np.inf), "joint_states refused: gripper is inf"),
    ],
)
def test_non_finite_or_out_of_limit_joint_states_are_refused(controller, bad, expected):
    index, value = bad
    reading = joints(0)
    reading.positions[index] = value
    result = controller.step(0, reading, tracks(0, track("a", NEW_CUBE, 0)))
    assert isinstance(result, NoAction) and result.report and result.reason.startswith(expected)
    assert controller.runner.targets == []


@pytest.mark.parametrize(
    "position, expected",
    [([np.nan, 0.0, 0.02], "not a finite position"), ([100.0, 0.0, 0.02], "further than max_target_distance_m")],
)
def test_non_finite_or_unreachable_tracks_are_refused(controller, position, expected):
    result = controller.step(0, joints(0), tracks(0, track("a", position, 0)))
    assert isinstance(result, NoAction) and result.report and expected in result.reason
    assert controller.runner.targets == []
