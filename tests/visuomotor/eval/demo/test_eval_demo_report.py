"""The demo's summary and report folder from episode records."""

from __future__ import annotations

import numpy as np
import pytest

from visuomotor.eval.demo.records import EpisodeRecord
from visuomotor.eval.demo.report import markdown, summarize, write_report


def records() -> list[EpisodeRecord]:
    rng = np.random.default_rng(0)
    out = []
    for seed, success in ((1, True), (2, True), (3, False), (4, True)):
        record = EpisodeRecord(seed=seed, success=success, duration_s=6.0)
        for stage, base in (("detections", 40), ("objects", 45), ("tracks", 47), ("command", 60)):
            record.latency_ms[stage] = list(base + rng.exponential(5, 100))
        record.position_errors_m = list(rng.normal(0.003, 0.001, 50).clip(0))
        record.joint_trajectory = [(t / 50, list(np.sin(t / 50 + np.arange(7)))) for t in range(300)]
        record.node_status = {
            "detector_node": {
                "frames_received": str(100 * seed),
                "frames_skipped": str(10 * seed),
                "latency_p50_ms": "41.0",
                "latency_p95_ms": "55.0",
                "input_age_p50_ms": "30.5",
                "input_age_p95_ms": "70.0",
            }
        }
        out.append(record)
    return out


def test_summary_counts_and_percentiles():
    summary = summarize(records(), "multi-process", [])
    assert (summary["episodes"], summary["successes"], summary["success_rate"]) == (4, 3, 0.75)
    assert summary["success_wilson_95"] == [0.301, 0.954]  # Wilson 95 % of 3/4
    assert summary["detector_frames_received"] == 400 and summary["detector_frames_skipped"] == 40
    command = summary["glass_to_ms"]["command"]
    assert command["n"] == 400 and 60 < command["p50_ms"] < command["p95_ms"] < command["p99_ms"] <= command["max_ms"]
    assert 2.0 < summary["tracking_error_mm"]["median"] < 4.0
    assert summary["node_latency_ms"]["detector_node"] == {
        "latency_p50_ms": 41.0,
        "latency_p95_ms": 55.0,
        "input_age_p50_ms": 30.5,
        "input_age_p95_ms": 70.0,
    }


def test_report_folder_has_markdown_and_plots(tmp_path):
    summary = summarize(records(), "composed", ["detector_node (exit 1)"])
    strip = np.random.default_rng(1).integers(0, 255, (120, 640, 3), dtype=np.uint8)
    files = write_report(tmp_path, summary, records(), strip)
    assert {f.name for f in files} == {"latency.png", "tracking_error.png", "joints.png", "strip.png", "report.md"}
    assert all(f.stat().st_size > 1000 for f in files if f.suffix == ".png")
    text = (tmp_path / "report.md").read_text()
    assert (
        "75 %**, Wilson 95 % interval 30–95 %" in text
        and "detector_node (exit 1)" in text
        and "![latency.png](latency.png)" in text
    )
    assert "| detector_node | input_age | 30.5 | 70.0 |" in text


@pytest.mark.parametrize("empty", [[]])
def test_markdown_of_no_episodes(empty):
    summary = summarize(empty, "multi-process", [])
    assert summary["glass_to_ms"]["command"]["n"] == 0 and summary["success_wilson_95"] is None
    assert "episodes: 0, successes: 0\n" in markdown(summary, [])
