"""Hungarian 3D multi-object tracker in base_link (seed 004 §29.4) with constant-velocity Kalman tracks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from visuomotor.localization.diagnostics import Diagnostic
from visuomotor.localization.localizer import LocalizedObject
from visuomotor.tracking import kalman
from visuomotor.tracking.association import association_cost, association_gate, gated_assignment
from visuomotor.tracking.track import Track, TrackedObject, TrackState, snapshots


@dataclass
class TrackerConfig:
    """Every knob of the tracker, with its default and effect (each field's docstring)."""

    distance_weight_per_m: float = 10.0
    """λ of the association cost C = −IoU + λ·d (seed §29.4.2), per m; 10/m makes 1 cm of centroid distance
    cost as much as 0.1 of IoU. Larger: association by distance only"""
    max_distance_m: float = 0.1
    """gate, m: a detection farther than this from both a track's predicted centre and its last measured centre
    can never match it (it starts a new track instead); must exceed the motion between frames not explained by
    the constant-velocity prediction"""
    class_gating: bool = True
    "a detection may only match a track of the same (majority-vote) class"
    n_init: int = 3
    """matched frames before a tentative track is confirmed (reported); suppresses one-frame false positives at
    the cost of n_init − 1 frames of delay"""
    confirm_first_frame: bool = True
    """tracks started on the tracker's first frame (after construction or reset) are confirmed at once
    (ByteTrack's rule: nothing existed to confuse them with), so a scene is reported from frame one"""
    tentative_max_misses: int = 0
    "misses allowed to a tentative track before it is deleted"
    max_age_s: float = 3.0
    """how long after its last match a confirmed track survives (LOST, coasting) before it is deleted, s of stamp
    time; keeps the id through occlusions of up to max_age_s whatever the rate"""
    coast_velocity_decay: float = 0.5
    """a missed track's velocity is multiplied by this per missed frame, so a long-lost track stops drifting
    (objects here come to rest) while a short gap is bridged"""
    high_score: float = 0.5
    "detections at or above this score are associated first and may start tracks"
    low_score: float = 0.1
    """detections in [low_score, high_score) only extend existing confirmed/lost tracks in a second round
    (ByteTrack-style), recovering partly occluded objects; below low_score: ignored"""
    second_round: bool = True
    "enable that second association round for low-score detections"
    accel_sigma_mps2: float = 1.0
    """process noise: white acceleration σ per axis, m/s²; larger follows manoeuvres faster, smaller smooths
    more"""
    initial_velocity_sigma_mps: float = 0.3
    "velocity uncertainty (σ) of a new track, m/s"
    measurement_sigma_floor_m: float = 0.001
    """σ added to each detection's position covariance (σ² I), m, so a too-confident localizer cannot freeze a
    track"""
    size_smoothing: float = 0.3
    "weight of a new detection's size in the track size (exponential average)"
    id_prefix: str = "obj-"
    "track ids are id_prefix + a counter; never reused within a tracker"


@dataclass
class TrackerOutput:
    """All live tracks after one update (any state but DELETED) and the diagnostics of that update."""

    stamp_ns: int
    tracks: list[TrackedObject]
    diagnostics: list[Diagnostic]

    def confirmed(self) -> list[TrackedObject]:
        """The tracks to act on: confirmed and matched at this stamp."""
        return [t for t in self.tracks if t.state is TrackState.CONFIRMED and t.updated]


def object_problem(obj: LocalizedObject) -> str:
    """ "" for an object the tracker can use, else why not: position (3,) and size (3,) finite, covariance a
    finite symmetric 3×3 with no negative variance, score finite in [0, 1]. A non-finite value would make the
    association cost matrix non-finite (Hungarian assignment then fails) and put tracks at NaN."""
    position, size = np.asarray(obj.position, dtype=float), np.asarray(obj.size, dtype=float)
    covariance = np.asarray(obj.covariance, dtype=float)
    if position.shape != (3,) or not np.all(np.isfinite(position)):
        return f"object {obj.class_name!r} at {position.tolist()}: position must be 3 finite values (m)"
    if size.shape != (3,) or not np.all(np.isfinite(size)) or np.any(size < 0):
        return f"object {obj.class_name!r} has size {size.tolist()}: must be 3 finite values ≥ 0 (m)"
    if covariance.shape != (3, 3) or not np.all(np.isfinite(covariance)):
        return f"object {obj.class_name!r}: position covariance must be a finite 3×3 matrix (m²)"
    if not np.allclose(covariance, covariance.T, atol=1e-12) or np.any(np.diag(covariance) < 0):
        return f"object {obj.class_name!r}: position covariance must be symmetric with variances ≥ 0"
    if not (np.isfinite(obj.score) and 0.0 <= obj.score <= 1.0):
        return f"object {obj.class_name!r} has score {obj.score}: must be finite in [0, 1]"
    return ""


class Tracker:
    """Tracks LocalizedObjects over frames (call update once per frame, in stamp order)."""

    def __init__(self, config: TrackerConfig | None = None):
        self.config = config or TrackerConfig()
        self._tracks: list[Track] = []
        self._next_id = 1
        self._last_stamp_ns: int | None = None
        self._fresh = True  # no frame since construction or reset

    def reset(self, stamp_ns: int) -> None:
        """Forget every track (the scene was replaced, e.g. a new sim episode); frames stamped at or
        before stamp_ns — still in flight from the old scene — are then refused as stale. Ids are never
        reused: numbering continues."""
        self._tracks = []
        self._last_stamp_ns = stamp_ns
        self._fresh = True

    def update(self, objects: list[LocalizedObject], stamp_ns: int) -> TrackerOutput:
        """Advance all tracks to stamp_ns and associate this frame's objects (possibly none: coast).

        A stamp not newer than the previous one is ignored (state unchanged) with a diagnostic; so is an
        object stamped otherwise, or one the tracker cannot use (object_problem).
        """
        if self._last_stamp_ns is not None and stamp_ns <= self._last_stamp_ns:
            problem = Diagnostic(
                "stale_stamp",
                f"frame at {stamp_ns} ns is not newer than the last tracked frame "
                f"{self._last_stamp_ns} ns: ignored (out-of-order or replayed input)",
            )
            return TrackerOutput(stamp_ns, self._snapshots(self._last_stamp_ns), [problem])
        first_frame, self._fresh = self._fresh, False
        dt = 0.0 if self._last_stamp_ns is None else (stamp_ns - self._last_stamp_ns) * 1e-9
        self._last_stamp_ns = stamp_ns
        config = self.config
        diagnostics = [
            Diagnostic("wrong_stamp", f"object stamped {o.stamp_ns} ns given at {stamp_ns} ns: ignored", i)
            for i, o in enumerate(objects)
            if o.stamp_ns != stamp_ns
        ]
        objects = [o for o in objects if o.stamp_ns == stamp_ns]
        problems = [(i, object_problem(o)) for i, o in enumerate(objects)]
        diagnostics += [Diagnostic("bad_object", problem, i) for i, problem in problems if problem]
        objects = [o for (_, problem), o in zip(problems, objects) if not problem and o.score >= config.low_score]
        self._predict(dt)
        high = [o for o in objects if o.score >= config.high_score]
        low = [o for o in objects if o.score < config.high_score]
        matched: set[int] = set()
        unmatched_high = self._associate(high, list(range(len(self._tracks))), matched)
        if config.second_round and low:
            candidates = [
                j for j, t in enumerate(self._tracks) if j not in matched and t.state is not TrackState.TENTATIVE
            ]
            self._associate(low, candidates, matched)
        for j, track in enumerate(self._tracks):
            if j not in matched:
                self._miss(track, stamp_ns)
        self._tracks = [t for t in self._tracks if t.state is not TrackState.DELETED]
        for obj in unmatched_high:
            self._start_track(obj, confirmed=first_frame and config.confirm_first_frame)
        return TrackerOutput(stamp_ns, self._snapshots(stamp_ns), diagnostics)

    @property
    def tracks(self) -> list[TrackedObject]:
        """Snapshots of all live tracks as of the last update."""
        return self._snapshots(self._last_stamp_ns or 0)

    def _predict(self, dt: float) -> None:
        if not self._tracks or dt == 0.0:
            return
        x = np.array([t.x for t in self._tracks])
        P = np.array([t.P for t in self._tracks])
        x, P = kalman.predict(x, P, dt, self.config.accel_sigma_mps2)
        for track, x_i, P_i in zip(self._tracks, x, P):
            track.x, track.P = x_i, P_i

    def _associate(
        self, objects: list[LocalizedObject], track_indices: list[int], matched: set[int]
    ) -> list[LocalizedObject]:
        """Match objects to the given tracks, update the matched ones; return the unmatched objects."""
        if not objects:
            return []
        if not track_indices:
            return objects
        config = self.config
        tracks = [self._tracks[j] for j in track_indices]
        det_centres = np.array([o.position for o in objects])
        det_sizes = np.array([o.size for o in objects])
        compatible = None
        if config.class_gating:
            codes: dict[str, int] = {}
            det_classes = np.array([codes.setdefault(o.class_name, len(codes)) for o in objects])
            track_classes = np.array([codes.setdefault(t.class_name, len(codes)) for t in tracks])
            compatible = det_classes[:, None] == track_classes[None, :]
        predicted = np.array([t.x[:3] for t in tracks])
        cost = association_cost(
            det_centres,
            det_sizes,
            predicted,
            np.array([t.size for t in tracks]),
            distance_weight=config.distance_weight_per_m,
        )
        feasible = association_gate(
            det_centres,
            predicted,
            max_distance=config.max_distance_m,
            compatible=compatible,
            track_last_centres=np.array([t.last_position for t in tracks]),
        )
        assignment = gated_assignment(cost, feasible)
        pairs = assignment.pairs
        if pairs:
            chosen = [tracks[c] for _, c in pairs]
            found = [objects[r] for r, _ in pairs]
            measured = np.array([o.position for o in found])
            x, P = kalman.update(
                np.array([t.x for t in chosen]), np.array([t.P for t in chosen]), measured, self._measurement_cov(found)
            )
            sizes = (1.0 - config.size_smoothing) * np.array(
                [t.size for t in chosen]
            ) + config.size_smoothing * np.array([o.size for o in found])
            for k, (track, obj) in enumerate(zip(chosen, found)):
                track.x, track.P, track.size, track.last_position = x[k], P[k], sizes[k], measured[k]
                track.last_hit_ns = obj.stamp_ns
                self._hit(track, obj)
            matched.update(track_indices[c] for _, c in pairs)
        return [objects[r] for r in assignment.unmatched_rows]

    def _measurement_cov(self, objects: list[LocalizedObject]) -> np.ndarray:
        return np.array([o.covariance for o in objects]) + np.eye(3) * self.config.measurement_sigma_floor_m**2

    def _hit(self, track: Track, obj: LocalizedObject) -> None:
        config = self.config
        track.hits += 1
        track.misses = 0
        track.score = obj.score
        track.vote(obj.class_name, obj.class_id)
        if track.state is TrackState.LOST or (track.state is TrackState.TENTATIVE and track.hits >= config.n_init):
            track.state = TrackState.CONFIRMED

    def _miss(self, track: Track, stamp_ns: int) -> None:
        track.misses += 1
        track.x = np.concatenate([track.x[:3], track.x[3:] * self.config.coast_velocity_decay])
        if track.state is TrackState.TENTATIVE:
            if track.misses > self.config.tentative_max_misses:
                track.state = TrackState.DELETED
        elif (stamp_ns - track.last_hit_ns) * 1e-9 > self.config.max_age_s:
            track.state = TrackState.DELETED
        else:
            track.state = TrackState.LOST

    def _start_track(self, obj: LocalizedObject, confirmed: bool) -> None:
        config = self.config
        x, P = kalman.initial_state(obj.position, self._measurement_cov([obj])[0], config.initial_velocity_sigma_mps)
        track = Track(
            track_id=f"{config.id_prefix}{self._next_id}",
            x=x,
            P=P,
            size=np.asarray(obj.size, float).copy(),
            score=obj.score,
            last_position=np.asarray(obj.position, float),
            last_hit_ns=obj.stamp_ns,
            state=TrackState.CONFIRMED if confirmed or config.n_init <= 1 else TrackState.TENTATIVE,
        )
        track.vote(obj.class_name, obj.class_id)
        self._next_id += 1
        self._tracks.append(track)

    def _snapshots(self, stamp_ns: int) -> list[TrackedObject]:
        return snapshots(self._tracks, stamp_ns)
