"""One tracked object: Kalman state, lifecycle, class votes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import Enum

import numpy as np


class TrackState(str, Enum):
    """Lifecycle: TENTATIVE (new) → CONFIRMED after n_init hits → LOST when unmatched (coasting on its
    velocity) → CONFIRMED again when re-matched, or DELETED once unmatched for longer than max_age_s."""

    TENTATIVE = "tentative"
    CONFIRMED = "confirmed"
    LOST = "lost"
    DELETED = "deleted"


@dataclass
class Track:
    """Mutable state of one track inside the Tracker. x (6,) [m, m/s], P (6, 6), size (3,) m;
    last_position (3,) m, last_hit_ns: the last matched detection's centre and stamp."""

    track_id: str
    x: np.ndarray
    P: np.ndarray
    size: np.ndarray
    score: float
    last_position: np.ndarray
    last_hit_ns: int
    state: TrackState = TrackState.TENTATIVE
    hits: int = 1
    misses: int = 0
    class_name: str = ""
    class_votes: Counter = field(default_factory=Counter)
    class_ids: dict[str, int] = field(default_factory=dict)

    def vote(self, class_name: str, class_id: int) -> None:
        """Count one matched detection's class; class_name is the majority (the earlier leader keeps ties)."""
        self.class_votes[class_name] += 1
        self.class_ids.setdefault(class_name, class_id)
        if not self.class_name or self.class_votes[class_name] > self.class_votes[self.class_name]:
            self.class_name = class_name


@dataclass(frozen=True)
class TrackedObject:
    """What the tracker reports for one track at one stamp (a snapshot; base_link, SI units).

    updated: the track was matched to a detection at this stamp (False: predicted only, coasting).
    """

    track_id: str
    state: TrackState
    position: np.ndarray
    velocity: np.ndarray
    covariance: np.ndarray
    size: np.ndarray
    class_id: int
    class_name: str
    score: float
    hits: int
    misses: int
    updated: bool
    stamp_ns: int


def snapshots(tracks: list[Track], stamp_ns: int) -> list[TrackedObject]:
    """Snapshots of all tracks; their arrays are rows of fresh batch arrays, never the tracks' own state."""
    if not tracks:
        return []
    x = np.array([t.x for t in tracks])
    P = np.array([t.P for t in tracks])
    size = np.array([t.size for t in tracks])
    return [
        TrackedObject(
            track_id=t.track_id,
            state=t.state,
            position=x[i, :3],
            velocity=x[i, 3:],
            covariance=P[i, :3, :3],
            size=size[i],
            class_id=t.class_ids[t.class_name],
            class_name=t.class_name,
            score=t.score,
            hits=t.hits,
            misses=t.misses,
            updated=t.misses == 0,
            stamp_ns=stamp_ns,
        )
        for i, t in enumerate(tracks)
    ]
