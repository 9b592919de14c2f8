"""The detection subcommands through the real CLI: a dataset is made, bad input is one line + exit 2."""
import json

from visuomotor.cli import main


def test_dataset_make_writes_a_dataset(tmp_path, capsys):
    assert main(["dataset", "make", "--scenes", "3", "--out", str(tmp_path / "d"), "--seed", "5"]) == 0
    summary = json.loads((tmp_path / "d" / "dataset.json").read_text())
    assert summary["images"] == {"train": 1, "val": 1, "test": 1} and summary["seed"] == 5
    assert len(list((tmp_path / "d" / "labels" / "train").glob("*.txt"))) == 1


def test_eval_detector_json_last_line(sim_dataset, capsys):
    from visuomotor.detection.assets import SHIPPED_YOLO

    assert main(["eval", "detector", "--weights", str(SHIPPED_YOLO), "--data", str(sim_dataset[0]),
                 "--split", "test", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["backend"] == "yolo" and result["images"] == 1 and 0 <= result["map50"] <= 1


def test_bad_input_is_one_line_with_exit_code_2(tmp_path, capsys):
    cases = [
        (["dataset", "make", "--scenes", "2", "--out", str(tmp_path / "x")], "at least 3"),
        (["train", "detector", "--backend", "yolo", "--data", str(tmp_path), "--out", str(tmp_path / "r")],
         "no data.yaml"),
        (["eval", "detector", "--weights", str(tmp_path / "missing.pt"), "--data", str(tmp_path)], "does not exist"),
    ]
    for argv, expected in cases:
        assert main(argv) == 2
        error = capsys.readouterr().err.strip()
        assert error.startswith("visuomotor: ") and expected in error and "\n" not in error
