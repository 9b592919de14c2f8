"""No weights file runs code: .pt files whose payload creates a marker directory are refused on every path that
loads YOLO weights — `eval detector --weights`, `eval bag --weights`, `detector_node -p weights:=`,
`train detector --init-weights` and `train detector --resume` — with a one-line error naming the file and the
cause, and the marker never appears. A clean model whose yaml holds code loads for inference (its yaml is
never evaluated there) and is refused when training would build a model from that yaml."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

# Imported at collection, before any test renders: importing torch._inductor (→ triton) after MuJoCo has made
# an EGL context in the process segfaults; ultralytics' training imports it.
import torch._inductor.config  # noqa: F401
from code_running_weights import PAYLOADS

from visuomotor.cli import main
from visuomotor.detection import DetectorConfig, load_detector
from visuomotor.detection.assets import SHIPPED_YOLO
from visuomotor.detection.safe_weights import check_yolo_weights

CAUSES = {"pickle": "its pickle calls posix.mkdir", "model_call": "safe loading blocked it", "yaml": "blocked it"}


@pytest.fixture
def payload(tmp_path):
    """payload(kind) -> (weights .pt, marker path that must never exist)."""

    def make(kind: str):
        marker = tmp_path / f"marker_{kind}"
        return PAYLOADS[kind](tmp_path / f"{kind}.pt", marker), marker

    return make


def refused_in_one_line(argv, capsys, weights, marker, cause) -> None:
    code = main(argv)
    assert not marker.exists(), "the payload ran"
    assert code == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("visuomotor: ") and "\n" not in error, error
    assert str(weights) in error and cause in error, error


@pytest.mark.parametrize("kind", ["pickle", "model_call"])
def test_eval_detector_and_eval_bag_refuse_code_running_weights(kind, payload, tmp_path, capsys):
    weights, marker = payload(kind)
    refused_in_one_line(
        ["eval", "detector", "--weights", str(weights), "--data", str(tmp_path)], capsys, weights, marker, CAUSES[kind]
    )
    bag = tmp_path / "bag"  # the detector is built before the bag is read
    bag.mkdir()
    refused_in_one_line(["eval", "bag", str(bag), "--weights", str(weights)], capsys, weights, marker, CAUSES[kind])


@pytest.mark.parametrize("kind", ["pickle", "model_call"])
def test_detector_node_refuses_code_running_weights(kind, payload):
    weights, marker = payload(kind)
    argv = [sys.executable, "-m", "visuomotor.nodes", "detector_node", "--ros-args", "-p", f"weights:={weights}"]
    env = {**os.environ, "ROS_AUTOMATIC_DISCOVERY_RANGE": "OFF"}  # refused at construction: no graph needed
    done = subprocess.run(argv, capture_output=True, text=True, timeout=180, env=env)
    assert not marker.exists(), "the payload ran"
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("detector_node: ")]
    assert len(lines) == 1 and str(weights) in lines[0] and CAUSES[kind] in lines[0], done.stderr


def test_yaml_code_is_not_evaluated_for_inference(payload):
    weights, marker = payload("yaml")
    assert load_detector(DetectorConfig("yolo", str(weights))).class_names
    assert not marker.exists()


@pytest.mark.parametrize("kind", ["pickle", "model_call", "yaml"])
def test_train_detector_init_weights_refuses_code_running_weights(kind, payload, sim_dataset, tmp_path, capsys):
    weights, marker = payload(kind)
    argv = ["train", "detector", "--backend", "yolo", "--data", str(sim_dataset[0]), "--out", str(tmp_path / "r")]
    refused_in_one_line([*argv, "--epochs", "1", "--init-weights", str(weights)], capsys, weights, marker, CAUSES[kind])


@pytest.mark.parametrize("kind", ["pickle", "model_call", "yaml"])
def test_train_detector_resume_refuses_code_running_weights(kind, payload, sim_dataset, tmp_path, capsys):
    weights, marker = payload(kind)
    run = tmp_path / "r"
    (run / "yolo" / "weights").mkdir(parents=True)
    last = shutil.copyfile(weights, run / "yolo" / "weights" / "last.pt")
    argv = ["train", "detector", "--backend", "yolo", "--data", str(sim_dataset[0]), "--out", str(run), "--resume"]
    refused_in_one_line(argv, capsys, last, marker, CAUSES[kind])


def test_train_detector_resume_refuses_a_planted_best_checkpoint(payload, sim_dataset, tmp_path, capsys):
    """ultralytics strips best.pt with weights_only=False at the end of a run: a clean last.pt beside a
    code-running best.pt is refused before training starts."""
    weights, marker = payload("pickle")
    run = tmp_path / "r" / "yolo" / "weights"
    run.mkdir(parents=True)
    shutil.copyfile(SHIPPED_YOLO, run / "last.pt")
    best = shutil.copyfile(weights, run / "best.pt")
    argv = ["train", "detector", "--backend", "yolo", "--data", str(sim_dataset[0]), "--out", str(tmp_path / "r")]
    refused_in_one_line([*argv, "--resume"], capsys, best, marker, CAUSES["pickle"])


def test_the_scan_admits_the_shipped_checkpoint_and_refuses_non_archives(tmp_path):
    check_yolo_weights(SHIPPED_YOLO)
    legacy = tmp_path / "legacy.pt"
    legacy.write_bytes(b"\x80\x02cposix\nmkdir\nq\x00.")  # a bare pickle, not a torch.save() archive
    with pytest.raises(ValueError, match="not a torch checkpoint archive"):
        check_yolo_weights(legacy)
