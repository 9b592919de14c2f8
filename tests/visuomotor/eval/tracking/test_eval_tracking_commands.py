"""`visuomotor eval tracking` and `visuomotor bench perception` run end to end and print one JSON object."""

import json

import pytest

# Imported at collection, before any test renders: importing torchvision (→ triton) after MuJoCo has made an
# EGL context in the process segfaults (triton's and Mesa's bundled LLVM clash); --detections yolo imports it.
import torchvision  # noqa: F401

from visuomotor.cli import main


def last_json(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_eval_tracking_on_a_short_static_simulation(capsys):
    assert (
        main(
            [
                "eval",
                "tracking",
                "--scenarios",
                "static",
                "wrist",
                "--seeds",
                "1",
                "--frames",
                "4",
                "--depth-encoding",
                "16UC1",
                "--json",
            ]
        )
        == 0
    )
    result = last_json(capsys)
    assert set(result["scenarios"]) == {"static", "wrist"} and result["depth_encoding"] == "16UC1"
    static = result["scenarios"]["static"]
    assert static["frames"] == 4 and static["localized"] == static["gt_objects"] > 0
    assert static["error_in_view_median_mm"] < 5.0 and static["mota"] == 1.0 and static["id_switches"] == 0
    assert 0 < static["in_view"]["gt_objects"] <= static["gt_objects"] and static["in_view"]["mota"] == 1.0
    assert result["scenarios"]["wrist"]["refused_frames"] == 0  # FK pose found at every stamp
    assert set(result["goals_met"]) == {
        "error_in_view_median_le_5mm",
        "error_in_view_p95_le_15mm",
        "in_view_mota_ge_0.95",
        "in_view_idf1_ge_0.95",
    }


def test_bench_perception_reports_times(capsys):
    assert main(["bench", "perception", "--repeats", "2", "--batch", "2", "--json"]) == 0
    result = last_json(capsys)
    for key in (
        "localization_20_boxes",
        "localization_20_masks",
        "localization_20_boxes_32FC1",
        "localization_20_masks_32FC1",
        "tracking_50x50",
    ):
        wall, cpu = result[key]["wall_ms"], result[key]["cpu_ms"]
        assert wall["n"] == cpu["n"] == 2 and wall["p50_ms"] > 0 and cpu["p50_ms"] >= cpu["min_ms"] >= 0
    assert result["tracks_alive"] == 50 and result["machine"]["cores"] >= 1


@pytest.mark.parametrize(
    "argv",
    [
        ["eval", "tracking", "--seeds", "0"],
        ["bench", "perception", "--batch", "0"],
        ["eval", "tracking", "--weights", "model.pt"],
    ],
)
def test_bad_arguments_are_one_line_errors(argv, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("visuomotor: ")


def test_missing_yolo_weights_are_named(capsys):
    assert main(["eval", "tracking", "--detections", "yolo", "--weights", "/nonexistent/model.pt"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("visuomotor: ") and "/nonexistent/model.pt" in error and "does not exist" in error
