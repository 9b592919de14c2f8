"""The live policy's rules, ROS-free: joint states + tracks in, an action chunk (or why none) out, once per
control period. policy_node converts messages to the plain inputs below and the chunk back; an offline
evaluation can drive the same controller.

Each step(now, joints, tracks):
1. Input checks: joint states missing or received more than stale_timeout_s ago, not finite, or beyond the
   arm's limits (visuomotor.robot.joint_checks) → no action. Tracks whose position is not finite or further
   than max_target_distance_m from base_link (out of the arm's reach: a localisation fault) never count.
2. New episode: on reset() (std_msgs/Empty on policy/reset) or when the joints jumped further than their drives
   could move since the previous reading (robot.joint_checks.jumped: the robot was reset or moved by hand), the
   schedule, the locked target and the held object's offset are forgotten and only tracks measured afterwards
   count.
3. Target locking: the controller locks onto one track of `target_class` and follows that id while it lives —
   another object misread as the target class never takes over. It picks, among the confirmed tracks last
   measured since the episode started, the most recently measured, then the highest score, then the most hits;
   it picks again only when the locked track is gone and the gripper holds nothing. A locked track that is
   LOST (hidden, e.g. under the open gripper) still gives its last position.
4. The object's position: while the gripper holds it (closure in HOLDING_CLOSURE), it moves with the tool —
   tool-centre point (forward kinematics) + the object's offset from it, measured when the grasp closed (the
   object still at rest; a track of a moving object lags behind it). Otherwise the locked track's position
   while fresh: its tracks were stamped (the image captured) less than stale_timeout_s ago. So when perception
   stops (the tracker only coasts, stamping its predictions coast_period_s in the past) the policy stops
   acting instead of following predictions; docs/reliability.md gives the resulting bound.
5. The state s = [6 joint angles, gripper state, object position] (seed 004 §29.3.3) goes through the
   PolicyRunner's schedule (temporal ensembling or chunk execution): the chunk is this step's action (gripper
   snapped by the runner) followed by the rest of the newest predicted chunk, one control period apart, point 0
   due now.
Missing or stale inputs reset the schedule, so acting resumes from a fresh query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from visuomotor.control.arm_controller import ArmControllerConfig
from visuomotor.policy.checkpoint import SHIPPED_CHECKPOINT, load_policy
from visuomotor.policy.runner import RUNTIMES, PolicyRunner
from visuomotor.robot.joint_checks import jumped, limit_violation
from visuomotor.robot.kinematics import forward_kinematics
from visuomotor.robot.state_layout import OBJECT_DIM, QPOS_DIM
from visuomotor.tracking.track import TrackState

HOLDING_CLOSURE = (0.3, 0.9)  # gripper closure while it holds a cube (≈ 0.55); 1 = closed on nothing


def perception_hold_bound_s(policy: PolicyControllerConfig, controller: ArmControllerConfig) -> float:
    """The longest the arm keeps moving after the capture of the last image that reached the tracker
    (docs/reliability.md): the target goes stale stale_timeout_s after that capture, noticed at the policy's
    next step (1/rate_hz); the arm controller holds once its newest chunk is older than watchdog_timeout_s, at
    its next tick (1/rate_hz). Holds while the tracker's coast_period_s ≥ stale_timeout_s (its coasting
    predictions are then stale on arrival). Defaults: 0.5 + 0.02 + 0.1 + 0.01 = 0.63 s."""
    return policy.stale_timeout_s + 1 / policy.rate_hz + controller.watchdog_timeout_s + 1 / controller.rate_hz


@dataclass(frozen=True)
class PolicyControllerConfig:
    checkpoint: str = ""
    "ACT checkpoint directory (state mode: it acts on tracked object positions); empty = the shipped one"
    runtime: str = "torch"
    "what runs the ACT: torch, nnfoundation (torch-free export) or onnxruntime (ONNX export); the last two: state mode"
    threads: int = 1
    "CPU threads of the ACT's runtime (ONNX Runtime's session; torch's pool is process-wide: the largest threads)"
    device: str = "cpu"
    "torch device for the ACT (cpu, cuda, cuda:0 …)"
    rate_hz: float = 50.0
    "control rate, Hz: one chunk per period, points one period apart (the rate the policy was trained at)"
    temporal_ensembling: bool = True
    "query every step and average the overlapping chunks' predictions (false: execute each chunk open loop)"
    ensemble_m: float = 0.01
    "temporal ensembling weight decay m: weights exp(−m·i), i = 0 the oldest prediction"
    target_class: str = "red_cube"
    "class of the object to pick (the detector's class name)"
    stale_timeout_s: float = 0.5
    "no action when the joint states were received, or the target's image captured, longer ago than this, s"
    max_target_distance_m: float = 1.2
    "tracks further than this from base_link are refused (beyond the arm's reach: a localisation fault), m"

    def __post_init__(self) -> None:
        if self.runtime not in RUNTIMES:
            raise ValueError(f"runtime {self.runtime!r}: use one of {list(RUNTIMES)}")
        if not (self.rate_hz > 0 and self.stale_timeout_s > 0 and self.max_target_distance_m > 0):
            raise ValueError("rate_hz, stale_timeout_s and max_target_distance_m must be positive")


@dataclass(frozen=True)
class JointReading:
    """The newest joint state: positions (7,) = 6 joint angles (rad) + gripper closure (0 open … 1 closed);
    stamp_ns: when it was measured (0: unknown); received_ns: when it arrived, on the controller's clock."""

    stamp_ns: int
    received_ns: int
    positions: np.ndarray


@dataclass(frozen=True)
class TrackedTarget:
    """One track of the newest track list: position (3,) m in base_link; measured_ns: the stamp of the image it
    was last measured in."""

    track_id: str
    class_name: str
    state: TrackState
    score: float
    hits: int
    position: np.ndarray
    measured_ns: int


@dataclass(frozen=True)
class TrackList:
    """The newest track list; stamp_ns: the stamp of the image it was computed for."""

    stamp_ns: int
    tracks: tuple[TrackedTarget, ...]


@dataclass(frozen=True)
class Chunk:
    """actions (n, 7): 6 joint targets (rad) + gripper command; row i due at due_ns + i·period_s."""

    due_ns: int
    period_s: float
    actions: np.ndarray


@dataclass(frozen=True)
class NoAction:
    """Why there is no chunk this step. report: worth a diagnostic (the controller was acting, or an input was
    refused) — a graph that has not started yet is not."""

    reason: str
    report: bool


@dataclass
class _Target:
    stamp_ns: int  # the track list's stamp (when its image was captured)
    position: np.ndarray


@dataclass
class PolicyController:
    config: PolicyControllerConfig
    runner: PolicyRunner
    events: list[str] = field(default_factory=list)  # new episodes and resets, for the node's log; drained by it
    _episode_start_ns: int = 0  # tracks last measured earlier are ignored
    _target_id: str | None = None
    _target: _Target | None = None
    _grasp_offset: np.ndarray | None = None  # object − tool centre while held
    _previous_joints: JointReading | None = None
    _tracks_stamp_ns: int | None = None  # the track list taken in last
    _active: bool = False

    @classmethod
    def load(cls, config: PolicyControllerConfig) -> PolicyController:
        """Load the checkpoint (ValueError/CheckpointError when it cannot be used) and build its runner."""
        model, stats, _ = load_policy(config.checkpoint or SHIPPED_CHECKPOINT, device=config.device)
        if model.config.camera_names:
            raise ValueError(
                "the policy controller runs state-mode ACT checkpoints (tracked object positions); this one "
                f"needs images from {list(model.config.camera_names)}"
            )
        runner = PolicyRunner(
            model,
            stats,
            temporal_ensembling=config.temporal_ensembling,
            ensemble_m=config.ensemble_m,
            runtime=config.runtime,
            threads=config.threads,
        )
        return cls(config, runner)

    @property
    def period_s(self) -> float:
        return 1.0 / self.config.rate_hz

    def reset(self, now_ns: int, why: str) -> None:
        """A new episode: forget the schedule, the target and the held object's offset; only tracks measured
        from now_ns on count."""
        self._grasp_offset, self._target, self._target_id, self._episode_start_ns = None, None, None, now_ns
        self._stop(f"new episode: {why}")

    def step(self, now_ns: int, joints: JointReading | None, tracks: TrackList | None) -> Chunk | NoAction:
        """One control period at now_ns (the clock joints.received_ns is on) with the newest inputs."""
        stale_ns = int(self.config.stale_timeout_s * 1e9)
        if joints is None or now_ns - joints.received_ns > stale_ns:
            return self._no_action("joint_states stale or missing", refused=False)
        q = np.asarray(joints.positions, dtype=float)
        problem = self._joint_problem(q)
        if problem:
            return self._no_action(f"joint_states refused: {problem}", refused=True)
        self._detect_jump(joints, now_ns)
        refusals = self._take_tracks(tracks, q) if tracks is not None else []
        target = self._object_position(now_ns, q)
        if target is None:
            reasons = [f"{self.config.target_class} track stale or missing", *refusals]
            return self._no_action("; ".join(reasons), refused=bool(refusals))
        try:
            actions = self.runner.plan(q, target)
        except ValueError as error:  # a non-finite chunk (a broken checkpoint): never acted on
            return self._no_action(str(error), refused=True)
        self._active = True
        return Chunk(now_ns, self.period_s, actions)

    def holding(self, q: np.ndarray) -> bool:
        """The gripper is closed but not fully: closure in HOLDING_CLOSURE, an object between the fingers."""
        return HOLDING_CLOSURE[0] <= q[QPOS_DIM - 1] <= HOLDING_CLOSURE[1]

    # -- the rules --------------------------------------------------------------------------------------------
    def _joint_problem(self, q: np.ndarray) -> str:
        if q.shape != (QPOS_DIM,):
            return f"need {QPOS_DIM} values (6 joints + gripper), got {q.shape}"
        if not np.isfinite(q[-1]):
            return f"gripper is {q[-1]}, not a finite closure"
        return limit_violation(q[: QPOS_DIM - 1])

    def _detect_jump(self, joints: JointReading, now_ns: int) -> None:
        previous, self._previous_joints = self._previous_joints, joints
        if previous is None or previous is joints:  # the first reading, or no new one since the last step
            return
        dt_s = (joints.stamp_ns - previous.stamp_ns) * 1e-9
        if jumped(previous.positions[: QPOS_DIM - 1], joints.positions[: QPOS_DIM - 1], dt_s):
            self.reset(now_ns, "joint states jumped (robot reset or moved by hand)")

    def _take_tracks(self, tracks: TrackList, q: np.ndarray) -> list[str]:
        """Lock onto (or keep following) the target track of a track list not taken in yet; returns why some
        target-class tracks were refused."""
        if tracks.stamp_ns == self._tracks_stamp_ns:
            return []
        self._tracks_stamp_ns = tracks.stamp_ns
        refusals = []
        candidates = []
        for track in tracks.tracks:
            if track.class_name != self.config.target_class or track.state not in (
                TrackState.CONFIRMED,
                TrackState.LOST,
            ):
                continue
            position = np.asarray(track.position, dtype=float)
            if position.shape != (OBJECT_DIM,) or not np.all(np.isfinite(position)):
                refusals.append(f"track {track.track_id} at {position.tolist()}: not a finite position")
            elif np.linalg.norm(position) > self.config.max_target_distance_m:
                refusals.append(
                    f"track {track.track_id} at {np.round(position, 3).tolist()} m is further than "
                    f"max_target_distance_m {self.config.max_target_distance_m} m from base_link"
                )
            elif track.measured_ns >= self._episode_start_ns:
                candidates.append(track)
        locked = next((t for t in candidates if t.track_id == self._target_id), None)
        if locked is None:
            confirmed = [t for t in candidates if t.state is TrackState.CONFIRMED]
            if not confirmed or self.holding(q):
                return refusals
            locked = max(confirmed, key=lambda t: (t.measured_ns, t.score, t.hits))
            self._target_id = locked.track_id
        self._target = _Target(tracks.stamp_ns, np.asarray(locked.position, dtype=float))
        return refusals

    def _object_position(self, now_ns: int, q: np.ndarray) -> np.ndarray | None:
        # strictly younger: the tracker's coasting predictions, stamped coast_period_s ≥ stale_timeout_s in the
        # past, are stale on arrival
        target = self._target
        fresh = target is not None and now_ns - target.stamp_ns < int(self.config.stale_timeout_s * 1e9)
        seen = target.position if target is not None and fresh else None
        if not self.holding(q):
            self._grasp_offset = None
            return seen
        tcp = forward_kinematics(q[: QPOS_DIM - 1])[:3, 3]
        if self._grasp_offset is None and seen is not None:
            self._grasp_offset = seen - tcp
        return tcp + self._grasp_offset if self._grasp_offset is not None else None

    def _no_action(self, reason: str, refused: bool) -> NoAction:
        report = refused or self._active
        self._stop(reason)
        return NoAction(reason, report)

    def _stop(self, why: str) -> None:
        if self._active:
            self.events.append(f"policy schedule reset: {why}")
        self.runner.reset()
        self._active = False
