"""`visuomotor eval bag` on a real bag recorded from the sim (expert moving the arm): exact scores with
ground-truth detections, the YOLO pipeline plumbing, determinism, truncated and unusable bags."""

import json
import shutil

import pytest

# Imported at collection, before any test renders: importing torchvision (→ triton) after MuJoCo has made an
# EGL context in the process segfaults (triton's and Mesa's bundled LLVM clash); `eval bag` imports it through
# visuomotor.detection's DetectorError.
import torchvision  # noqa: F401

from visuomotor.camera.bag import BagWriter
from visuomotor.camera.bag_source import write_frames
from visuomotor.cli import main
from visuomotor.detection import DetectorConfig
from visuomotor.eval.bag.replay import BagReplayConfig, replay_bag
from visuomotor.eval.tracking.sim_evaluation import sim_size_priors
from visuomotor.localization import LocalizerConfig
from visuomotor.sim.bag_recording import SimBagConfig, record_sim_bag
from visuomotor.sim.simulator import TabletopSim

FRAMES = 12
TIMING_KEYS = ("latency_ms", "wall_time_s", "frames_per_s")


@pytest.fixture(scope="module")
def bag(tmp_path_factory):
    path = tmp_path_factory.mktemp("replay") / "episode"
    assert record_sim_bag(path, SimBagConfig(seed=2, frames=FRAMES)) == FRAMES
    return path


def last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def gt_config(**overrides) -> BagReplayConfig:
    return BagReplayConfig(
        detections="ground-truth", localizer=LocalizerConfig(size_priors_m=sim_size_priors()), **overrides
    )


def scores(summary: dict) -> dict:
    return {k: v for k, v in summary.items() if k not in TIMING_KEYS}


def test_ground_truth_detections_score_localization_and_tracking(bag, tmp_path, capsys):
    out = tmp_path / "eval"
    assert main(["eval", "bag", str(bag), "--detections", "ground-truth", "--out", str(out), "--json"]) == 0
    result = last_json(capsys)
    assert result["frames"] == FRAMES and not result["truncated"] and result["warning"] is None
    detection, localization, tracking = result["detection"], result["localization"], result["tracking"]
    assert detection["ground_truth_boxes"] >= 3 * FRAMES
    assert detection["map50"] == detection["map50_95"] == 1.0  # the detections are the truth boxes
    assert localization["matched"] == localization["ground_truth_objects"] == detection["ground_truth_boxes"]
    assert localization["error_median_mm"] < 5.0 and localization["error_p95_mm"] < 15.0
    assert tracking["mota"] >= 0.95 and tracking["idf1"] >= 0.95 and tracking["id_switches"] == 0
    assert tracking["gt_objects"] == detection["ground_truth_boxes"]
    assert set(result["latency_ms"]) == {"localize", "track"}
    assert all(q["n"] == FRAMES and q["p50_ms"] <= q["p95_ms"] for q in result["latency_ms"].values())
    for name in ("latency.png", "error_3d.png", "track_count.png", "report.md"):
        assert (out / name).stat().st_size > 0
    report = (out / "report.md").read_text()
    assert f"| tracking | mota | {tracking['mota']} |" in report and "![latency](latency.png)" in report


@pytest.mark.slow
def test_yolo_pipeline_is_deterministic(bag):
    """A randomly initialised YOLOv8n (weights from the seed) on the real frames: every stage runs and two
    replays give identical scores."""
    detector = DetectorConfig(backend="yolo", weights="yolov8n.yaml", confidence=0.0, image_size=160)
    config = BagReplayConfig(
        detector=detector, max_frames=3, localizer=LocalizerConfig(size_priors_m=sim_size_priors())
    )
    first, second = replay_bag(bag, config).summary, replay_bag(bag, config).summary
    assert first["frames"] == 3 and first["detector"]["image_size"] == 160
    assert (first["detector"]["runtime"], first["detector"]["threads"]) == ("torch", 0)
    assert set(first["latency_ms"]) == {
        "detect_preprocess",
        "detect_inference",
        "detect_postprocess",
        "localize",
        "track",
    }
    assert first["detection"]["ground_truth_boxes"] > 0 and first["detection"]["map50"] is not None
    assert first["detection"]["detections"] > 0  # COCO names: outside the sim classes
    assert first["detection"]["detections_outside_classes"] == first["detection"]["detections"]
    assert scores(first) == scores(second)


def test_ground_truth_replay_is_deterministic(bag):
    first, second = replay_bag(bag, gt_config()), replay_bag(bag, gt_config())
    assert scores(first.summary) == scores(second.summary)
    assert (first.errors_m == second.errors_m).all()


def test_sqlite3_recording_scores_like_the_mcap_one(bag, tmp_path):
    sqlite = tmp_path / "sqlite"
    record_sim_bag(sqlite, SimBagConfig(seed=2, frames=4, storage="sqlite3"))
    mcap_prefix = replay_bag(bag, gt_config(max_frames=4)).summary
    summary = replay_bag(sqlite, gt_config()).summary
    assert summary["frames"] == 4 and not summary["truncated"]
    for group in ("detection", "localization", "tracking"):
        assert summary[group] == mcap_prefix[group]


def test_truncated_bag_gives_the_metrics_of_its_readable_prefix(bag, tmp_path, capsys):
    killed = tmp_path / "killed"  # a recorder killed mid-way: no metadata, cut file
    killed.mkdir()
    mcap = next(bag.glob("*.mcap"))
    killed.joinpath(mcap.name).write_bytes(mcap.read_bytes()[: mcap.stat().st_size // 2])
    assert (
        main(["eval", "bag", str(killed), "--detections", "ground-truth", "--out", str(tmp_path / "e"), "--json"]) == 0
    )
    result = last_json(capsys)
    assert result["truncated"] and 0 < result["frames"] < FRAMES and str(killed) in result["warning"]
    prefix = replay_bag(bag, gt_config(max_frames=result["frames"])).summary
    for group in ("detection", "localization", "tracking"):
        assert result[group] == prefix[group]


def test_closed_bag_cut_afterwards_is_read_up_to_the_cut(bag, tmp_path):
    cut = tmp_path / "cut"
    shutil.copytree(bag, cut)
    mcap = next(cut.glob("*.mcap"))
    mcap.write_bytes(mcap.read_bytes()[: mcap.stat().st_size // 3])
    summary = replay_bag(cut, gt_config()).summary
    assert summary["truncated"] and 0 < summary["frames"] < FRAMES


def test_bag_without_ground_truth_names_the_missing_topic(tmp_path, capsys):
    sim = TabletopSim()
    sim.reset(0)
    with BagWriter(tmp_path / "camera_only") as writer:
        write_frames(writer, [sim.render("fixed", with_segmentation=False)])
    sim.close()
    assert main(["eval", "bag", str(tmp_path / "camera_only"), "--detections", "ground-truth", "--json"]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "camera_only" in error and "/sim/ground_truth" in error


@pytest.mark.parametrize("make", ["missing", "garbage", "empty_dir"])
def test_unusable_bags_are_one_line_errors(make, tmp_path, capsys):
    path = tmp_path / make
    if make == "garbage":
        path.mkdir()
        (path / "episode_0.mcap").write_bytes(bytes(range(256)) * 40)
    elif make == "empty_dir":
        path.mkdir()
    assert main(["eval", "bag", str(path), "--detections", "ground-truth", "--json"]) == 2
    captured = capsys.readouterr()
    error = captured.err.strip()
    assert error.startswith("visuomotor: ") and "\n" not in error and str(path) in error
    assert captured.out == ""


@pytest.mark.parametrize("option", [["--detections", "ground-truth"], ["--max-frames", "3"], ["--seed", "1"]])
def test_realtime_refuses_the_deterministic_only_options(bag, option, tmp_path, capsys):
    assert main(["eval", "bag", str(bag), "--realtime", *option, "--out", str(tmp_path / "e"), "--json"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("visuomotor: --realtime") and "\n" not in error
    assert not (tmp_path / "e").exists()


def test_realtime_detector_parameters_are_the_replay_config_with_the_overrides():
    from visuomotor.detection.assets import SHIPPED_YOLO
    from visuomotor.eval.bag.realtime import realtime_detector

    assert realtime_detector({}) == {
        "backend": "yolo",
        "weights": str(SHIPPED_YOLO),
        "confidence": 0.5,
        "iou": 0.5,
        "image_size": None,
        "device": "cpu",
        "runtime": "onnxruntime",
        "threads": 1,
    }  # config/replay.yaml
    assert realtime_detector({"confidence": 0.1, "image_size": 320})["confidence"] == 0.1
