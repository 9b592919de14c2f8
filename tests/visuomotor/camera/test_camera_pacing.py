"""Frame pacing (camera_node's `rate` parameter): recorded (by stamps), max, or Hz."""

from __future__ import annotations

import time

import pytest

from visuomotor.camera.pacing import Pacer, parse_rate


@pytest.mark.parametrize("value, expected", [("recorded", 0.0), ("max", None), ("30", 30.0), ("7.5", 7.5)])
def test_parse_rate(value, expected):
    assert parse_rate(value) == expected


@pytest.mark.parametrize("value", ["fast", "0", "-5", "nan", ""])
def test_bad_rates_are_refused(value):
    with pytest.raises(ValueError, match="use 'recorded', 'max' or a positive rate in Hz"):
        parse_rate(value)


def elapsed_for(pacer: Pacer, stamps_ns: list[int]) -> float:
    start = time.monotonic()
    for stamp in stamps_ns:
        pacer.wait(stamp)
    return time.monotonic() - start


def test_recorded_rate_follows_the_stamps_and_max_does_not_wait():
    stamps = [5_000_000_000 + i * 100_000_000 for i in range(4)]  # 10 Hz recording
    assert elapsed_for(Pacer(0.0), stamps) >= 0.3 - 1e-3  # never faster than recorded
    assert elapsed_for(Pacer(20.0), [0] * 5) >= 4 / 20 - 1e-3  # fixed rate ignores stamps
    assert elapsed_for(Pacer(None), stamps) < 0.3  # as fast as possible
