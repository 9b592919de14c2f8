"""The torch-free ACT (visuomotor.policy.nn_export) computes the torch ACT's chunk: the shipped checkpoint on
1000 realistic states (max |Δ action| ≤ 1e-4 rad), a random deeper model whose every layer is shown to matter,
and the runtime switch of PolicyRunner and `visuomotor eval policy`."""

import json

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_limits

from visuomotor.cli import main
from visuomotor.policy.act import ACT, ACTConfig
from visuomotor.policy.checkpoint import SHIPPED_CHECKPOINT, load_policy
from visuomotor.policy.nn_export import NNFoundationACT, export_act
from visuomotor.policy.normalization import NormalizationStats
from visuomotor.policy.runner import PolicyRunner

SMALL = dict(
    d_model=32,
    n_heads=4,
    d_feedforward=64,
    n_cvae_layers=1,
    n_encoder_layers=2,
    n_decoder_layers=3,
    latent_dim=8,
    chunk_size=5,
    dropout=0.0,
)


@pytest.fixture(autouse=True)
def single_blas_thread():
    """NumPy's BLAS would otherwise start threads on the shared 2-core machine."""
    with threadpool_limits(limits=1):
        yield


def both_chunks(model: ACT, normalized_state: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Normalised (B, state_dim) → normalised chunks (B, k, action_dim) from torch and from the export."""
    with torch.inference_mode():
        theirs = model(normalized_state).actions.double().numpy()
    return export_act(model).predict(normalized_state.numpy()), theirs


def test_shipped_checkpoint_matches_torch_on_1000_states():
    model, stats, _ = load_policy(SHIPPED_CHECKPOINT)
    rng = np.random.default_rng(0)
    states = stats.state_mean + stats.state_std * rng.standard_normal((1000, model.config.state_dim))  # realistic
    ours, theirs = both_chunks(model, stats.normalize_state(torch.as_tensor(states, dtype=torch.float32)))
    ours_rad = stats.denormalize_action(torch.from_numpy(ours)).numpy()  # (1000, 16, 7) rad / gripper
    theirs_rad = stats.denormalize_action(torch.from_numpy(theirs)).numpy()
    assert ours_rad.shape == (1000, 16, 7)
    assert np.abs(ours_rad - theirs_rad).max() <= 1e-4
    assert theirs_rad.std(axis=0).min() > 1e-4  # every chunk entry varies with the state beyond the tolerance


def test_every_layer_of_a_deeper_random_model_is_used():
    """Perturbing any one encoder or decoder layer of the torch model changes its chunk, and the re-exported
    model follows: no layer is skipped, repeated or shared."""
    torch.manual_seed(3)
    model = ACT(ACTConfig(**SMALL)).eval()
    state = torch.randn(64, model.config.state_dim)
    ours, theirs = both_chunks(model, state)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    stacks = [("encoder", model.encoder.layers), ("decoder", model.decoder.layers)]
    for stack, layers in stacks:
        for index, layer in enumerate(layers):
            with torch.no_grad():
                layer.linear2.weight.add_(0.1 * torch.randn_like(layer.linear2.weight))
            perturbed_ours, perturbed_theirs = both_chunks(model, state)
            assert np.abs(perturbed_theirs - theirs).max() > 1e-3, f"{stack} layer {index} has no effect"
            np.testing.assert_allclose(
                perturbed_ours, perturbed_theirs, atol=1e-5, err_msg=f"after perturbing {stack} layer {index}"
            )
            theirs = perturbed_theirs


def test_runner_runtimes_act_alike_on_the_shipped_checkpoint():
    model, stats, _ = load_policy(SHIPPED_CHECKPOINT)
    runners = [
        PolicyRunner(model, stats, binary_gripper=False, runtime=runtime)
        for runtime in ("torch", "nnfoundation", "onnxruntime")
    ]
    qpos, cube = np.array([0.0, -1.6, 1.6, -1.6, -1.57, 0.0, 0.0]), np.array([0.45, -0.05, 0.02])
    for step in range(5):
        torch_action, nn_action, onnx_action = (runner.act(qpos + 0.01 * step, cube) for runner in runners)
        np.testing.assert_allclose(nn_action, torch_action, atol=1e-4)
        np.testing.assert_allclose(onnx_action, torch_action, atol=1e-4)


def test_unknown_runtime_and_image_checkpoints_are_refused():
    model = ACT(ACTConfig(**SMALL))
    stats = NormalizationStats(np.zeros(10), np.ones(10), np.zeros(7), np.ones(7))
    with pytest.raises(ValueError, match="unknown policy runtime 'onnx'"):
        PolicyRunner(model, stats, runtime="onnx")
    with pytest.raises(ValueError, match="state-only checkpoints .* use runtime 'torch'"):
        NNFoundationACT(ACTConfig(**SMALL, camera_names=("fixed",)))
    with pytest.raises(ValueError, match="onnxruntime runtime runs state-only checkpoints"):
        PolicyRunner(ACT(ACTConfig(**SMALL, camera_names=("fixed",))), stats, runtime="onnxruntime")


def test_eval_policy_runtimes_give_the_same_episode(monkeypatch, capsys):
    monkeypatch.setenv("MUJOCO_GL", "egl")
    results = {}
    for runtime in ("torch", "nnfoundation"):
        assert (
            main(
                [
                    "eval",
                    "policy",
                    "--checkpoint",
                    str(SHIPPED_CHECKPOINT),
                    "--episodes",
                    "1",
                    "--seed-start",
                    "100001",
                    "--runtime",
                    runtime,
                    "--json",
                ]
            )
            == 0
        )
        results[runtime] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert results["nnfoundation"]["runtime"] == "nnfoundation" and results["nnfoundation"]["successes"] == 1
    for key in ("successes", "failed_seeds", "mean_success_time_s"):
        assert results["nnfoundation"][key] == results["torch"][key]
