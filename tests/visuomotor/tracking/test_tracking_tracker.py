"""Tracker behaviour: lifecycle, id stability, class votes, low-score second round, bad stamps."""

import numpy as np
import pytest

from visuomotor.detection.result import Detection
from visuomotor.localization import LocalizedObject
from visuomotor.tracking import Tracker, TrackerConfig, TrackState

MS = 1_000_000


def obj(position, stamp_ns, class_name="cube", score=0.9, size=0.04):
    detection = Detection(0, class_name, score, np.array([0.0, 0.0, 10.0, 10.0]))
    return LocalizedObject(
        position=np.asarray(position, float),
        covariance=np.eye(3) * 1e-6,
        size=np.full(3, size),
        class_id={"cube": 0, "ball": 1}.get(class_name, 2),
        class_name=class_name,
        score=score,
        detection=detection,
        stamp_ns=stamp_ns,
    )


def run(tracker, frames, first_frame=0):
    """frames: list of lists of (position, kwargs), frame k at (first_frame + k + 1)·100 ms → TrackerOutputs."""
    outputs = []
    for k, frame in enumerate(frames):
        stamp = (first_frame + k + 1) * 100 * MS
        outputs.append(tracker.update([obj(p, stamp, **kw) for p, kw in frame], stamp))
    return outputs


def test_lifecycle_tentative_confirmed_lost_deleted():
    tracker = Tracker(TrackerConfig(n_init=3, max_age_s=0.25))
    outs = run(tracker, [[]] + [[((0.5, 0, 0.02), {})]] * 3 + [[]] * 3)[1:]
    states = [[t.state for t in out.tracks] for out in outs]
    assert states == [
        [TrackState.TENTATIVE],
        [TrackState.TENTATIVE],
        [TrackState.CONFIRMED],
        [TrackState.LOST],
        [TrackState.LOST],
        [],
    ]
    assert [len(out.confirmed()) for out in outs] == [0, 0, 1, 0, 0, 0]


def test_one_frame_false_positive_never_becomes_a_track():
    tracker = Tracker(TrackerConfig(n_init=2))
    outs = run(tracker, [[((0.2, 0, 0.02), {})], [((0.2, 0, 0.02), {}), ((0.5, 0, 0.02), {})], [((0.2, 0, 0.02), {})]])
    assert [t.track_id for t in outs[1].confirmed()] == ["obj-1"]
    assert [t.track_id for t in outs[2].tracks] == ["obj-1"]


def test_first_frame_tracks_are_confirmed_at_once_unless_disabled():
    frames = [[((0.5, 0, 0.02), {})]] * 2
    assert [len(out.confirmed()) for out in run(Tracker(TrackerConfig(n_init=3)), frames)] == [1, 1]
    late = run(Tracker(TrackerConfig(n_init=3, confirm_first_frame=False)), frames)
    assert [len(out.confirmed()) for out in late] == [0, 0]


def test_id_stable_through_short_occlusion_and_ids_never_reused():
    tracker = Tracker(TrackerConfig(n_init=2, max_age_s=0.55))
    moving = [(0.4 + 0.01 * k, 0.0, 0.02) for k in range(12)]  # 0.1 m/s along x
    static = (0.6, 0.2, 0.02)
    frames = [[(moving[k], {}), (static, {})] for k in range(5)]
    frames += [[(static, {})]] * 3  # moving object occluded 3 frames
    frames += [[(moving[k], {}), (static, {})] for k in range(8, 12)]
    outs = run(tracker, frames)
    ids_moving = {t.track_id for out in outs for t in out.confirmed() if t.position[1] < 0.1}
    ids_static = {t.track_id for out in outs for t in out.confirmed() if t.position[1] > 0.1}
    assert len(ids_moving) == 1 and len(ids_static) == 1 and ids_moving != ids_static
    coasting = [t for t in outs[6].tracks if t.track_id in ids_moving][0]
    assert coasting.state is TrackState.LOST and not coasting.updated
    np.testing.assert_allclose(coasting.position[0], moving[6][0], atol=0.005)  # predicted through the gap
    # After deletion a reappearing object gets a new id, never an old one.
    outs = run(tracker, [[]] * 7 + [[((0.4, 0.0, 0.02), {})]] * 2, first_frame=len(frames))
    new_ids = {t.track_id for t in outs[-1].confirmed()}
    assert len(new_ids) == 1 and not new_ids & (ids_moving | ids_static)


def test_constant_velocity_prediction_keeps_fast_objects_within_the_gate():
    tracker = Tracker(TrackerConfig(n_init=1, max_distance_m=0.03))
    frames = [[((0.3 + 0.025 * k, 0.0, 0.02), {})] for k in range(15)]  # 0.25 m/s, 2.5 cm per frame
    outs = run(tracker, frames)
    assert {t.track_id for out in outs for t in out.tracks} == {"obj-1"}
    np.testing.assert_allclose(outs[-1].tracks[0].velocity, [0.25, 0.0, 0.0], atol=0.02)


def test_class_majority_vote_and_class_gating():
    tracker = Tracker(TrackerConfig(n_init=1))
    p = (0.5, 0.0, 0.02)
    outs = run(tracker, [[(p, {"class_name": "cube"})]] * 3 + [[(p, {"class_name": "ball"})]])
    # A "ball" at the cube's position cannot join the cube track: it starts its own.
    assert sorted(t.class_name for t in outs[-1].tracks) == ["ball", "cube"]
    tracker = Tracker(TrackerConfig(n_init=1, class_gating=False))
    outs = run(tracker, [[(p, {"class_name": "cube"})]] * 3 + [[(p, {"class_name": "ball"})]] * 2)
    assert len(outs[-1].tracks) == 1 and outs[-1].tracks[0].class_name == "cube"  # 3 votes to 2
    assert outs[-1].tracks[0].class_id == 0


def test_low_score_detections_extend_tracks_but_never_start_them():
    p = (0.5, 0.0, 0.02)
    frames = [[(p, {})]] * 3 + [[(p, {"score": 0.3})]] * 2 + [[((0.7, 0.1, 0.02), {"score": 0.3})]]
    outs = run(Tracker(TrackerConfig(n_init=2)), frames)
    assert [len(out.confirmed()) for out in outs[3:5]] == [1, 1]  # kept alive by the second round
    assert len(outs[-1].tracks) == 1  # the lone low-score one: no track
    outs = run(Tracker(TrackerConfig(n_init=2, second_round=False)), frames)
    assert [len(out.confirmed()) for out in outs[3:5]] == [0, 0]
    below = run(Tracker(TrackerConfig(n_init=1)), [[(p, {"score": 0.05})]])
    assert below[0].tracks == []


def test_stale_and_out_of_order_stamps_are_ignored_with_a_diagnostic():
    tracker = Tracker(TrackerConfig(n_init=1))
    first = tracker.update([obj((0.5, 0, 0.02), 200 * MS)], 200 * MS)
    for stamp in (200 * MS, 100 * MS):
        out = tracker.update([obj((0.9, 0, 0.02), stamp)], stamp)
        assert [d.code for d in out.diagnostics] == ["stale_stamp"]
        assert [t.track_id for t in out.tracks] == [t.track_id for t in first.tracks]
        np.testing.assert_allclose(out.tracks[0].position, (0.5, 0, 0.02))
    mixed = tracker.update([obj((0.5, 0, 0.02), 300 * MS), obj((0.9, 0, 0.02), 250 * MS)], 300 * MS)
    assert [(d.code, d.detection_index) for d in mixed.diagnostics] == [("wrong_stamp", 1)]
    assert len(mixed.tracks) == 1


def test_empty_frames_coast_on_velocity():
    tracker = Tracker(TrackerConfig(n_init=1, max_age_s=1.05))
    run(tracker, [[((0.3 + 0.02 * k, 0.0, 0.02), {})] for k in range(10)])  # 0.2 m/s
    before = tracker.tracks[0].position.copy()
    out = tracker.update([], 1_500 * MS)  # 0.5 s later, nothing seen
    np.testing.assert_allclose(out.tracks[0].position - before, [0.1, 0.0, 0.0], atol=0.01)
    assert out.tracks[0].state is TrackState.LOST and out.diagnostics == []


@pytest.mark.parametrize("count", [0, 1, 7])
def test_many_objects_keep_distinct_ids(count):
    tracker = Tracker(TrackerConfig(n_init=1))
    positions = [(0.3 + 0.06 * i, 0.0, 0.02) for i in range(count)]
    outs = run(tracker, [[(p, {}) for p in positions]] * 5)
    assert len({t.track_id for t in outs[-1].tracks}) == count
    assert {t.track_id for t in outs[0].tracks} == {t.track_id for t in outs[-1].tracks}


def test_sudden_stop_keeps_the_track_by_the_last_measured_centre():
    """A falling object stops on the table: the constant-velocity prediction overshoots by > the gate, the
    last measured centre is still within it."""
    tracker = Tracker(TrackerConfig(n_init=1, max_distance_m=0.05))
    heights = [0.30, 0.26, 0.20, 0.12, 0.02, 0.02, 0.02]  # stops after a 10 cm step
    outs = run(tracker, [[((0.5, 0.0, z), {})] for z in heights])
    assert {t.track_id for out in outs for t in out.tracks} == {"obj-1"}
    assert outs[-1].tracks[0].updated


def test_lost_tracks_stop_drifting():
    tracker = Tracker(TrackerConfig(n_init=1, max_age_s=5.0, coast_velocity_decay=0.5))
    run(tracker, [[((0.3 + 0.02 * k, 0.0, 0.02), {})] for k in range(10)])  # 0.2 m/s
    last_seen = tracker.tracks[0].position[0]
    outs = run(tracker, [[]] * 20, first_frame=10)
    drift = outs[-1].tracks[0].position[0] - last_seen
    assert 0.02 < drift < 0.045  # 2 cm · (1 + ½ + ¼ + …) < 4 cm


def test_reset_forgets_tracks_refuses_older_frames_and_never_reuses_ids():
    tracker = Tracker(TrackerConfig(n_init=3))
    before = run(tracker, [[((0.5, 0, 0.02), {})]] * 3)[-1]
    assert [t.track_id for t in before.confirmed()] == ["obj-1"]
    tracker.reset(350 * MS)
    assert tracker.tracks == []
    in_flight = tracker.update([obj((0.5, 0, 0.02), 340 * MS)], 340 * MS)  # old scene, captured before the reset
    assert in_flight.tracks == [] and in_flight.diagnostics[0].code == "stale_stamp"
    after = tracker.update([obj((0.3, 0.1, 0.02), 400 * MS)], 400 * MS)
    assert [(t.track_id, t.state) for t in after.tracks] == [("obj-2", TrackState.CONFIRMED)]  # first frame again
