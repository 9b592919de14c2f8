"""Objects the tracker cannot use are refused with a diagnostic, the rest tracked, no track ever at NaN
(issue #18: a NaN/inf position or covariance made linear_sum_assignment raise and put tracks at NaN)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from visuomotor.detection.result import Detection
from visuomotor.localization import LocalizedObject
from visuomotor.tracking import Tracker

MS = 1_000_000


def cube(at, stamp_ns: int, **changes) -> LocalizedObject:
    obj = LocalizedObject(
        position=np.asarray(at, float),
        covariance=np.eye(3) * 1e-6,
        size=np.full(3, 0.04),
        class_id=0,
        class_name="red_cube",
        score=0.9,
        detection=Detection(0, "red_cube", 0.9, np.array([0.0, 0.0, 10.0, 10.0])),
        stamp_ns=stamp_ns,
    )
    return dataclasses.replace(obj, **changes)


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"position": np.array([np.nan, 0.0, 0.02])}, "position must be 3 finite values"),
        ({"position": np.array([np.inf, 0.0, 0.02])}, "position must be 3 finite values"),
        ({"covariance": np.full((3, 3), np.inf)}, "covariance must be a finite 3×3"),
        ({"covariance": -np.eye(3)}, "variances ≥ 0"),
        ({"size": np.array([np.nan, 0.04, 0.04])}, "size"),
        ({"score": float("nan")}, "score nan: must be finite in [0, 1]"),
        ({"score": 7.0}, "score 7.0: must be finite in [0, 1]"),
    ],
)
def test_an_unusable_object_is_refused_and_the_others_tracked(changes, expected):
    tracker = Tracker()
    good = np.array([0.5, 0.1, 0.02])
    for k in range(1, 4):
        stamp = k * 100 * MS
        output = tracker.update([cube(good, stamp), cube([0.4, -0.1, 0.02], stamp, **changes)], stamp)
        assert [d.code for d in output.diagnostics] == ["bad_object"] and expected in output.diagnostics[0].message
        assert output.diagnostics[0].detection_index == 1
        assert len(output.tracks) == 1 and np.allclose(output.tracks[0].position, good, atol=1e-3)
        assert all(np.all(np.isfinite(t.position)) and np.all(np.isfinite(t.covariance)) for t in output.tracks)
