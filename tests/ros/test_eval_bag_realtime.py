"""`visuomotor eval bag <bag> --realtime` over real DDS: a short sim bag replayed through camera_node →
detector_node (the shipped YOLO, 1 torch thread) → localizer_node → tracker_node as separate processes,
scored from what the probe received; unusable bags are one-line errors before any node starts."""

from __future__ import annotations

import json
import math
import time

import pytest

from visuomotor.camera.bag import BagWriter
from visuomotor.camera.bag_source import write_frames
from visuomotor.cli import main
from visuomotor.detection.assets import SHIPPED_YOLO
from visuomotor.sim.bag_recording import SimBagConfig, record_sim_bag

FRAMES = 20  # 2 s at 10 Hz


@pytest.mark.skipif(not SHIPPED_YOLO.is_file(), reason="needs the shipped YOLO weights")
def test_realtime_replay_flows_through_every_stage_and_is_scored(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # the detector process: one torch thread
    bag = tmp_path / "episode"
    assert record_sim_bag(bag, SimBagConfig(seed=2, frames=FRAMES)) == FRAMES
    out = tmp_path / "eval"
    assert (
        main(
            [
                "eval",
                "bag",
                str(bag),
                "--realtime",
                "--out",
                str(out),
                "--startup-timeout",
                "60",
                "--drain-timeout",
                "20",
                "--json",
            ]
        )
        == 0
    ), capsys.readouterr().err
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    live = result["live"]

    assert result["mode"] == "realtime" and not result["truncated"]
    assert live["frames_in_bag"] == live["frames_published"] == FRAMES
    assert live["exit_codes"]["camera_node"] == 0 and not live["drain_timed_out"]
    assert live["frames_detected"] + live["frames_skipped_by_detector"] == FRAMES
    assert live["frames_detected"] >= FRAMES // 4 and live["frames_detected"] == result["frames"]
    assert live["frames_with_objects"] >= 1 and live["frames_with_tracks"] >= 1  # every stage produced output
    assert live["detector_frames_received"] <= FRAMES
    assert (result["detector"]["runtime"], result["detector"]["threads"]) == ("onnxruntime", 1)  # config/replay.yaml

    detection, localization, tracking = result["detection"], result["localization"], result["tracking"]
    assert detection["ground_truth_boxes"] >= 3 * result["frames"] and detection["detections"] > 0
    assert 0.0 <= detection["map50_95"] <= detection["map50"] <= 1.0
    assert localization["matched"] > 0 and localization["error_median_mm"] < 10.0  # the shipped YOLO's boxes
    assert tracking["gt_objects"] == detection["ground_truth_boxes"]
    assert math.isfinite(tracking["mota"]) and tracking["mota"] <= 1.0 and 0.0 <= tracking["idf1"] <= 1.0
    assert 0.0 <= tracking["hota"] <= 1.0

    assert set(result["latency_ms"]) == {"glass_to_detections", "glass_to_objects", "glass_to_tracks"}
    detections_ms, tracks_ms = result["latency_ms"]["glass_to_detections"], result["latency_ms"]["glass_to_tracks"]
    assert detections_ms["n"] == result["frames"] and 0 < detections_ms["p50_ms"] <= detections_ms["p95_ms"]
    assert tracks_ms["n"] == live["frames_with_tracks"] and 0 < tracks_ms["p50_ms"] <= tracks_ms["p95_ms"]

    for name in ("latency.png", "error_3d.png", "track_count.png", "report.md"):
        assert (out / name).stat().st_size > 0
    assert "## Live replay" in (out / "report.md").read_text()
    assert {p.name for p in (out / "logs").iterdir()} == {
        "camera_node.log",
        "detector_node.log",
        "localizer_node.log",
        "tracker_node.log",
    }


@pytest.mark.parametrize("make", ["missing", "no_camera_frames"])
def test_unusable_bag_is_a_one_line_error_before_any_node_starts(make, tmp_path, capsys):
    path = tmp_path / make
    if make == "no_camera_frames":
        with BagWriter(path) as writer:
            write_frames(writer, [])  # camera topics declared, nothing recorded
    started = time.monotonic()
    assert main(["eval", "bag", str(path), "--realtime", "--out", str(tmp_path / "eval"), "--json"]) == 2
    assert time.monotonic() - started < 10.0
    captured = capsys.readouterr()
    error = captured.err.strip()
    assert error.startswith("visuomotor: ") and "\n" not in error and str(path) in error
    assert captured.out == "" and not (tmp_path / "eval" / "logs").exists()
