"""The policy CLI end to end on the real MuJoCo task: record → train → eval, and bench."""

import json

import h5py
import pytest

from visuomotor.cli import main


@pytest.fixture(autouse=True)
def environment(monkeypatch):
    monkeypatch.setenv("MUJOCO_GL", "egl")
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)


def last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


TINY = [
    "--d-model",
    "32",
    "--heads",
    "4",
    "--feedforward",
    "64",
    "--cvae-layers",
    "1",
    "--encoder-layers",
    "1",
    "--decoder-layers",
    "2",
    "--latent-dim",
    "8",
    "--threads",
    "1",
    "--no-progress",
]


def test_record_train_eval_in_the_sim(tmp_path, capsys):
    demos, ckpt = tmp_path / "demos", tmp_path / "ckpt"
    assert main(["demos", "record", "--episodes", "2", "--seed-start", "7", "--out", str(demos), "--json"]) == 0
    recorded = last_json(capsys)
    assert recorded["written"] == 2 and recorded["failed_seeds"] == []
    with h5py.File(demos / "episode_000007.hdf5") as file:
        steps = file["action"].shape[0]
        assert file["observations/qpos"].shape == (steps, 7) and file["observations/object_position"].shape == (
            steps,
            3,
        )
        assert file.attrs["seed"] == 7 and 100 < steps < 600  # 50 Hz, success within the 12 s limit
    assert (
        main(
            [
                "train",
                "policy",
                "--data",
                str(demos),
                "--out",
                str(ckpt),
                "--steps",
                "3",
                "--batch-size",
                "8",
                *TINY,
                "--json",
            ]
        )
        == 0
    )
    assert last_json(capsys)["step"] == 3
    assert (
        main(["eval", "policy", "--checkpoint", str(ckpt), "--episodes", "1", "--no-temporal-ensembling", "--json"])
        == 0
    )
    result = last_json(capsys)
    assert result["episodes"] == 1 and result["seeds"] == [100000, 100000] and not result["temporal_ensembling"]
    assert result["successes"] + len(result["failed_seeds"]) == 1
    assert main(["eval", "policy", "--checkpoint", str(ckpt), "--episodes", "1", "--seed-start", "8"]) == 2
    assert "were training demonstrations" in capsys.readouterr().err


def test_bench_reports_both_modes(capsys):
    assert main(["bench", "policy", "--iterations", "3", "--image-size", "64x64", "--threads", "1", "--json"]) == 0
    result = last_json(capsys)
    assert result["state_mode"]["n"] == 3 and result["state_mode"]["mean_ms"] > 0
    assert result["state_mode_onnxruntime"]["n"] == 3 and result["state_mode_onnxruntime"]["mean_ms"] > 0
    assert result["image_mode"]["model_input"] == [64, 64] and result["image_mode"]["seed_budget_ms"] == 20.0


def test_bad_user_input_is_one_clear_line(tmp_path, capsys):
    assert main(["eval", "policy", "--checkpoint", str(tmp_path / "missing"), "--json"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["train", "policy", "--data", str(tmp_path), "--out", str(tmp_path / "o"), *TINY]) == 2
    assert "no *.hdf5 episodes" in capsys.readouterr().err
    assert main(["train", "policy", "--data", str(tmp_path), "--out", str(tmp_path / "o"), "--d-model", "30"]) == 2
    assert "divisible by n_heads" in capsys.readouterr().err
    assert main(["demos", "record", "--episodes", "1", "--out", str(tmp_path / "d"), "--action-noise-rad", "-0.1"]) == 2
    assert "must be >= 0" in capsys.readouterr().err


def test_dart_recording_keeps_the_expert_actions_and_records_its_settings(tmp_path, capsys):
    """With noise on the executed targets the arm's path differs from the clean run, but the recorded
    actions are still the expert's (it replans from where the arm is), and the settings are stored."""
    assert main(["demos", "record", "--episodes", "1", "--out", str(tmp_path / "clean"), "--json"]) == 0
    assert (
        main(
            [
                "demos",
                "record",
                "--episodes",
                "1",
                "--out",
                str(tmp_path / "dart"),
                "--start-jitter-rad",
                "0.05",
                "--action-noise-rad",
                "0.02",
                "--json",
            ]
        )
        == 0
    )
    result = last_json(capsys)
    assert result["written"] == 1 and result["action_noise_rad"] == 0.02 and result["start_jitter_rad"] == 0.05
    with (
        h5py.File(tmp_path / "clean" / "episode_000000.hdf5") as clean,
        h5py.File(tmp_path / "dart" / "episode_000000.hdf5") as dart,
    ):
        assert dart.attrs["action_noise_rad"] == 0.02
        steps = min(len(clean["action"]), len(dart["action"]))
        assert abs(clean["observations/qpos"][steps - 1] - dart["observations/qpos"][steps - 1]).max() > 1e-3
        assert abs(clean["observations/qpos"][0] - dart["observations/qpos"][0]).max() == 0.0  # same start


def test_correlated_noise_has_the_stationary_std_and_none_at_zero():
    import numpy as np

    from visuomotor.policy.rollout import CorrelatedNoise

    noise = CorrelatedNoise(0.02, seed=0)
    samples = np.array([noise.sample().copy() for _ in range(20000)])
    assert samples.shape == (20000, 6) and abs(samples[1000:].std() - 0.02) < 0.002
    assert not CorrelatedNoise(0.0, seed=0).sample().any()


def test_record_with_images_stores_camera_frames(tmp_path, capsys):
    assert (
        main(["demos", "record", "--episodes", "1", "--seed-start", "3", "--images", "--out", str(tmp_path), "--json"])
        == 0
    )
    assert last_json(capsys)["cameras"] == ["fixed"]
    with h5py.File(tmp_path / "episode_000003.hdf5") as file:
        frames = file["observations/images/fixed"]
        assert frames.shape == (file["action"].shape[0], 480, 640, 3) and frames.dtype == "uint8"
        assert frames[0].std() > 5  # a rendered scene, not a blank image
