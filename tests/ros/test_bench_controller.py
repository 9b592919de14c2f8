"""`visuomotor bench controller`: the arm controller node on real DDS; its JSON carries the common latency shape."""

from __future__ import annotations

import json

from visuomotor.cli import main


def test_bench_controller_reports_period_and_jitter_in_the_latency_shape(capsys):
    assert main(["bench", "controller", "--seconds", "0.5", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    period, jitter = result["period_ms"], result["jitter_ms"]
    assert result["commands"] > 10 and period["n"] == jitter["n"] == result["commands"] - 1
    assert 0 < period["min_ms"] <= period["p50_ms"] <= period["p99_ms"] <= period["max_ms"]
    assert 0 <= jitter["p50_ms"] <= jitter["max_ms"]
