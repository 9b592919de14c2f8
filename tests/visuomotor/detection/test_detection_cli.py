"""The detection subcommands through the real CLI: a dataset is made, bad input is one line + exit 2."""

import json

# Imported at collection, before any test renders: importing torch._inductor (→ triton) after MuJoCo has made
# an EGL context in the process segfaults (triton's and Mesa's bundled LLVM clash); ultralytics' training
# imports it through torch.use_deterministic_algorithms.
import torch._inductor.config  # noqa: F401

from visuomotor.cli import main


def test_dataset_make_writes_a_dataset(tmp_path, capsys):
    assert main(["dataset", "make", "--scenes", "3", "--out", str(tmp_path / "d"), "--seed", "5"]) == 0
    summary = json.loads((tmp_path / "d" / "dataset.json").read_text())
    assert summary["images"] == {"train": 1, "val": 1, "test": 1} and summary["seed"] == 5
    assert len(list((tmp_path / "d" / "labels" / "train").glob("*.txt"))) == 1


def test_dataset_make_wrist_approach_views(tmp_path, capsys):
    out = tmp_path / "w"
    assert (
        main(
            [
                "dataset",
                "make",
                "--scenes",
                "3",
                "--out",
                str(out),
                "--seed",
                "5",
                "--camera",
                "wrist",
                "--approach-views",
                "2",
                "--joint-jitter",
                "0.05",
            ]
        )
        == 0
    )
    summary = json.loads((out / "dataset.json").read_text())
    assert summary["images"] == {"train": 2, "val": 2, "test": 2} and summary["camera"] == "wrist"
    assert summary["approach_views"] == 2 and summary["joint_jitter_rad"] == 0.05
    assert sorted(p.name for p in (out / "images" / "train").glob("*.jpg"))[1].endswith("_view01.jpg")


def test_train_yolo_from_init_weights_starts_from_them(sim_dataset, tmp_path, capsys):
    """One epoch fine-tuned from the shipped weights stays next to them (a random init would be far)."""
    import torch
    from ultralytics import YOLO

    from visuomotor.detection.assets import SHIPPED_YOLO

    assert (
        main(
            [
                "train",
                "detector",
                "--backend",
                "yolo",
                "--data",
                str(sim_dataset[0]),
                "--out",
                str(tmp_path / "r"),
                "--epochs",
                "1",
                "--init-weights",
                str(SHIPPED_YOLO),
            ]
        )
        == 0
    )
    start, tuned = YOLO(str(SHIPPED_YOLO)).model, YOLO(str(tmp_path / "r" / "model.pt")).model
    assert tuned.names == start.names
    start_weights = torch.cat([p.float().flatten() for p in start.state_dict().values()])
    tuned_weights = torch.cat([p.float().flatten() for p in tuned.state_dict().values()])
    assert (tuned_weights - start_weights).norm() < 0.05 * start_weights.norm()


def test_eval_detector_json_last_line(sim_dataset, capsys):
    from visuomotor.detection.assets import SHIPPED_YOLO

    assert (
        main(
            [
                "eval",
                "detector",
                "--weights",
                str(SHIPPED_YOLO),
                "--data",
                str(sim_dataset[0]),
                "--split",
                "test",
                "--json",
            ]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["backend"] == "yolo" and result["images"] == 1 and 0 <= result["map50"] <= 1


def test_bad_input_is_one_line_with_exit_code_2(tmp_path, capsys):
    from visuomotor.detection.assets import SHIPPED_YOLO

    other_classes = tmp_path / "other_classes"  # a dataset whose classes are not the shipped model's
    other_classes.mkdir()
    (other_classes / "data.yaml").write_text("names:\n  0: mug\n  1: plate\n")
    (other_classes / "dataset.json").write_text(json.dumps({"class_names": ["mug", "plate"]}))
    cases = [
        (["dataset", "make", "--scenes", "2", "--out", str(tmp_path / "x")], "at least 3"),
        (
            ["train", "detector", "--backend", "yolo", "--data", str(tmp_path), "--out", str(tmp_path / "r")],
            "no data.yaml",
        ),
        (["eval", "detector", "--weights", str(tmp_path / "missing.pt"), "--data", str(tmp_path)], "does not exist"),
        (
            ["dataset", "make", "--scenes", "3", "--out", str(tmp_path / "x"), "--approach-views", "-1"],
            "approach views (-1)",
        ),
        (
            [
                "train",
                "detector",
                "--backend",
                "yolo",
                "--data",
                str(other_classes),
                "--out",
                str(tmp_path / "r"),
                "--init-weights",
                str(tmp_path / "missing.pt"),
            ],
            "not a YOLO .pt file",
        ),
        (
            [
                "train",
                "detector",
                "--backend",
                "yolo",
                "--data",
                str(other_classes),
                "--out",
                str(tmp_path / "r"),
                "--init-weights",
                str(SHIPPED_YOLO),
            ],
            "fine-tune only on a dataset with the same classes",
        ),
        (
            [
                "train",
                "detector",
                "--backend",
                "detr",
                "--data",
                str(other_classes),
                "--out",
                str(tmp_path / "r"),
                "--init-weights",
                str(SHIPPED_YOLO),
            ],
            "--init-weights is for a new YOLO run",
        ),
    ]
    for argv, expected in cases:
        assert main(argv) == 2
        error = capsys.readouterr().err.strip()
        assert error.startswith("visuomotor: ") and expected in error and "\n" not in error
