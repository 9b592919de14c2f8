import json

import numpy as np
import pytest
import torch
from policy_synthetic import TINY_MODEL

from visuomotor.policy.act import ACT, ACTConfig
from visuomotor.policy.checkpoint import (
    CONFIG_FILE,
    NORMALIZATION_FILE,
    WEIGHTS_FILE,
    CheckpointError,
    load_policy,
    save_policy,
)
from visuomotor.policy.normalization import NormalizationStats
from visuomotor.policy.runner import PolicyRunner


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    model = ACT(ACTConfig(**TINY_MODEL)).eval()
    rng = np.random.default_rng(0)
    stats = NormalizationStats.from_data(rng.normal(size=(50, 10)), rng.normal(size=(50, 7)))
    save_policy(tmp_path / "ckpt", model, stats, {"seed": 3})
    return tmp_path / "ckpt", model, stats


def test_round_trip_without_pickle(saved):
    directory, model, stats = saved
    assert sorted(p.name for p in directory.iterdir()) == sorted([WEIGHTS_FILE, CONFIG_FILE, NORMALIZATION_FILE])
    assert not (directory / WEIGHTS_FILE).read_bytes().startswith(b"\x80")  # not a pickle stream
    loaded, loaded_stats, info = load_policy(directory)
    assert loaded.config == model.config and info == {"seed": 3}
    np.testing.assert_array_equal(loaded_stats.action_std, stats.action_std)
    state = torch.randn(4, 10)
    with torch.no_grad():
        torch.testing.assert_close(loaded(state).actions, model(state).actions)


def test_truncated_weights_are_reported(saved):
    directory, _, _ = saved
    data = (directory / WEIGHTS_FILE).read_bytes()
    (directory / WEIGHTS_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="not a readable safetensors"):
        load_policy(directory)


def test_corrupt_config_json_is_reported(saved):
    directory, _, _ = saved
    (directory / CONFIG_FILE).write_text("{not json")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        load_policy(directory)


def test_config_that_does_not_match_the_weights_is_reported(saved):
    directory, _, _ = saved
    config = json.loads((directory / CONFIG_FILE).read_text())
    config["act"]["d_feedforward"] = 128
    (directory / CONFIG_FILE).write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="has shape .* config.json implies"):
        load_policy(directory)
    config["act"]["d_feedforward"] = 64
    config["act"]["n_decoder_layers"] = 3
    (directory / CONFIG_FILE).write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="missing \\['decoder.layers.2"):
        load_policy(directory)
    config["act"]["n_decoder_layers"] = 2
    config["act"]["mystery"] = 1
    (directory / CONFIG_FILE).write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="unknown ACTConfig keys \\['mystery'\\]"):
        load_policy(directory)


def test_normalisation_of_the_wrong_size_is_reported(saved):
    directory, _, stats = saved
    values = stats.to_json_dict()
    values["action_mean"] = values["action_mean"][:6]
    (directory / NORMALIZATION_FILE).write_text(json.dumps(values))
    with pytest.raises(CheckpointError, match="action statistics have 6/7 entries"):
        load_policy(directory)


def test_missing_directory_and_files_are_reported(saved, tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        load_policy(tmp_path / "nowhere")
    directory, _, _ = saved
    (directory / WEIGHTS_FILE).unlink()
    with pytest.raises(CheckpointError, match="model.safetensors is missing"):
        load_policy(directory)


def test_runner_rejects_garbage_observations(saved):
    directory, _, _ = saved
    model, stats, _ = load_policy(directory)
    runner = PolicyRunner(model, stats)
    action = runner.act(np.zeros(7), [0.4, 0.0, 0.02])
    assert action.shape == (7,) and np.all(np.isfinite(action))
    with pytest.raises(ValueError, match="qpos contains NaN"):
        runner.act(np.r_[np.nan, np.zeros(6)], [0.4, 0.0, 0.02])
    with pytest.raises(ValueError, match="object_position must have 3 values"):
        runner.act(np.zeros(7), [0.4, 0.0])


def test_runner_switches_between_ensembling_and_chunk_execution(saved):
    directory, _, _ = saved
    model, stats, _ = load_policy(directory)
    calls = []
    original = PolicyRunner.predict_chunk

    class Counting(PolicyRunner):
        def predict_chunk(self, *args, **kwargs):
            calls.append(1)
            return original(self, *args, **kwargs)

    for ensembling, expected_queries in ((True, 16), (False, 2)):
        calls.clear()
        runner = Counting(model, stats, temporal_ensembling=ensembling)
        first = [runner.act(np.zeros(7), [0.4, 0.0, 0.02]) for _ in range(16)]
        assert len(calls) == expected_queries  # chunk size 8
    chunk = original(runner, np.zeros(7), [0.4, 0.0, 0.02])
    played = np.array(first[:8])
    np.testing.assert_allclose(played[:, :6], chunk[:, :6], rtol=1e-6)  # open loop = the chunk itself
    np.testing.assert_array_equal(played[:, 6], (chunk[:, 6] >= 0.5).astype(float))  # gripper snapped to 0 / 1


def test_runner_adds_the_current_joints_back_in_relative_mode(tmp_path):
    torch.manual_seed(0)
    model = ACT(ACTConfig(**{**TINY_MODEL, "relative_joints": True})).eval()
    stats = NormalizationStats(np.zeros(10), np.ones(10), np.zeros(7), np.ones(7))
    runner = PolicyRunner(model, stats)
    qpos = np.array([0.5, -1.0, 1.2, 0.3, -0.2, 0.7, 0.0])
    cube = np.array([0.4, 0.0, 0.02])
    with torch.no_grad():
        raw = model(torch.as_tensor(np.r_[qpos, cube], dtype=torch.float32)[None]).actions[0].double().numpy()
    chunk = runner.predict_chunk(qpos, cube)
    np.testing.assert_allclose(chunk[:, :6], raw[:, :6] + qpos[:6], atol=1e-6)
    np.testing.assert_allclose(chunk[:, 6], raw[:, 6], atol=1e-6)


def test_the_shipped_checkpoint_loads_and_acts():
    from visuomotor.policy.checkpoint import SHIPPED_CHECKPOINT

    model, stats, info = load_policy(SHIPPED_CHECKPOINT)
    assert model.config.chunk_size == 16 and model.config.camera_names == () and info["episodes"] == 100
    assert max(info["demo_seeds"]) < 100_000  # evaluation seeds start at 100 000
    action = PolicyRunner(model, stats).act([0.0, -1.6, 1.6, -1.6, -1.57, 0.0, 0.0], [0.45, -0.05, 0.02])
    assert action.shape == (7,) and np.all(np.isfinite(action))


# Corrupt checkpoints: each is one CheckpointError line, never a traceback (issue 18, defect 8).


def write_config_field(directory, name, value) -> None:
    config = json.loads((directory / CONFIG_FILE).read_text())
    config["act"][name] = value
    (directory / CONFIG_FILE).write_text(json.dumps(config))


def one_line_error(directory) -> str:
    with pytest.raises(CheckpointError) as caught:
        load_policy(directory)
    assert "\n" not in str(caught.value)
    return str(caught.value)


@pytest.mark.parametrize("value", [{"a": 1.0}, "0.5", [[1.0], [2.0, 3.0]], [], [None] * 7])
def test_normalisation_statistic_that_is_not_a_list_of_numbers_is_reported(saved, value):
    directory, _, stats = saved
    values = stats.to_json_dict()
    values["action_mean"] = value
    (directory / NORMALIZATION_FILE).write_text(json.dumps(values))
    assert "action_mean must be a finite 1-D list of numbers" in one_line_error(directory)


def test_layer_that_would_allocate_512_terabytes_is_refused_without_allocating(saved):
    """d_feedforward 2^39 × d_model 32 × 4 B × several layers: refused from the shapes alone."""
    directory, _, _ = saved
    write_config_field(directory, "d_feedforward", 2**39)
    assert "config.json implies" in one_line_error(directory)


def test_absurd_layer_count_is_refused_before_building_the_layers(saved):
    directory, _, _ = saved
    write_config_field(directory, "n_encoder_layers", 10**9)
    assert "asks for 1000000003 transformer layers" in one_line_error(directory)


def test_nan_weights_are_reported(saved):
    from safetensors.torch import load_file, save_file

    directory, _, _ = saved
    weights = load_file(str(directory / WEIGHTS_FILE))
    weights["decoder.layers.0.linear1.weight"][0, 0] = float("nan")
    save_file(weights, str(directory / WEIGHTS_FILE))
    assert "decoder.layers.0.linear1.weight holds NaN or infinite values" in one_line_error(directory)
