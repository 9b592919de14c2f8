import json
import socket

import numpy as np
import pytest
import torch
from policy_synthetic import TINY_MODEL, ddp_worker

from visuomotor.policy.act import ACTConfig
from visuomotor.policy.checkpoint import load_policy
from visuomotor.policy.training import LOG_FILE, TrainConfig, train_policy


@pytest.fixture(autouse=True)
def single_process(monkeypatch):
    """No torchrun variables in the environment."""
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)


def run(demo_dir, out, steps, **overrides):
    config = TrainConfig(
        data=str(demo_dir),
        out=str(out),
        steps=steps,
        batch_size=8,
        lr=1e-3,
        device="cpu",
        progress=False,
        log_every=5,
        **overrides,
    )
    return train_policy(config, ACTConfig(**TINY_MODEL))


def test_tiny_overfit_drops_the_loss(tmp_path):
    from policy_synthetic import write_synthetic

    data = write_synthetic(tmp_path / "one", count=1, length=16)  # 16 samples, 2 batches per epoch
    result = run(data, tmp_path / "ckpt", steps=100)
    first, last = np.mean(result.losses[:4]), np.mean(result.losses[-4:])
    assert last < 0.2 * first, (first, last)
    _model, _stats, info = load_policy(tmp_path / "ckpt")
    assert info["step"] == 100 and info["episodes"] == 1
    assert (tmp_path / "ckpt" / LOG_FILE).read_text().count("\n") == 20


def test_resume_continues_exactly(demo_dir, tmp_path):
    straight = run(demo_dir, tmp_path / "straight", steps=30)
    run(demo_dir, tmp_path / "resumed", steps=12)
    resumed = run(demo_dir, tmp_path / "resumed", steps=30)  # continues at step 12
    assert resumed.step == 30 and len(resumed.losses) == 18
    np.testing.assert_allclose(resumed.losses, straight.losses[12:], rtol=1e-5)
    a, _, _ = load_policy(tmp_path / "straight")
    b, _, _ = load_policy(tmp_path / "resumed")
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        torch.testing.assert_close(x, y, rtol=1e-5, atol=1e-6, msg=name)


def test_resume_with_another_model_config_is_refused(demo_dir, tmp_path):
    run(demo_dir, tmp_path / "ckpt", steps=2)
    config = TrainConfig(
        data=str(demo_dir), out=str(tmp_path / "ckpt"), steps=4, batch_size=8, device="cpu", progress=False
    )
    with pytest.raises(ValueError, match="different model config"):
        train_policy(config, ACTConfig(**{**TINY_MODEL, "d_model": 64}))


def test_batch_larger_than_the_data_is_refused(demo_dir, tmp_path):
    config = TrainConfig(
        data=str(demo_dir), out=str(tmp_path / "c"), steps=2, batch_size=1024, device="cpu", progress=False
    )
    with pytest.raises(ValueError, match="cannot fill one global batch"):
        train_policy(config, ACTConfig(**TINY_MODEL))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_two_process_gloo_ddp_matches_one_process_with_the_same_global_batch(demo_dir, tmp_path):
    """Same global batch of 8: one process vs two processes of 4 (DistributedSampler + DDP gradient mean).
    The only difference is the order of floating-point sums (two half-batch means averaged by all-reduce vs one
    mean): ~1e-7 relative per gradient in float32. Measured over 10 steps: losses agree to 2e-6 relative, model
    outputs to 1e-4 absolute (normalised units). Tolerances: losses 1e-4 relative, outputs 2e-3 — far below the
    ~1e-1 differences of a wrong data split, unsynchronised gradients or per-rank noise. Parameters are not
    compared one by one: the attention key biases have an exactly zero true gradient (softmax is shift
    invariant), so Adam turns their rounding noise into lr-sized steps that change no output."""
    import torch.multiprocessing as mp

    steps = 10
    single = run(demo_dir, tmp_path / "single", steps=steps)
    losses_file = tmp_path / "ddp_losses.json"
    mp.spawn(
        ddp_worker,
        args=(2, free_port(), str(demo_dir), str(tmp_path / "ddp"), steps, 8, str(losses_file)),
        nprocs=2,
        join=True,
    )
    ddp = json.loads(losses_file.read_text())
    np.testing.assert_allclose(ddp, single.losses, rtol=1e-4)
    single_model, _, _ = load_policy(tmp_path / "single")
    ddp_model, _, _ = load_policy(tmp_path / "ddp")
    states = torch.randn(16, 10, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        torch.testing.assert_close(ddp_model(states).actions, single_model(states).actions, atol=2e-3, rtol=0)


def test_image_mode_trains_and_reloads(tmp_path):
    from policy_synthetic import write_synthetic

    data = write_synthetic(tmp_path / "cams", count=1, length=12, cameras=("fixed",))
    config = TrainConfig(
        data=str(data), out=str(tmp_path / "ckpt"), steps=2, batch_size=4, device="cpu", progress=False
    )
    model_config = ACTConfig(**{**TINY_MODEL, "camera_names": ("fixed",), "image_height": 32, "image_width": 32})
    result = train_policy(config, model_config)
    assert result.step == 2 and all(np.isfinite(result.losses))
    model, _, _ = load_policy(tmp_path / "ckpt")
    assert model.config.camera_names == ("fixed",)
    with torch.no_grad():
        assert model(torch.zeros(1, 10), torch.rand(1, 1, 3, 32, 32)).actions.shape == (1, 8, 7)


def test_time_limit_stops_early_with_a_checkpoint(demo_dir, tmp_path):
    result = run(demo_dir, tmp_path / "ckpt", steps=1000, time_limit_s=1e-3)
    assert result.step == 1
    assert load_policy(tmp_path / "ckpt")[2]["step"] == 1


def test_cosine_schedule_anneals_from_lr_to_zero():
    from visuomotor.policy.training import learning_rate

    config = TrainConfig(data="d", out="o", steps=100, lr=1e-3, lr_schedule="cosine")
    assert learning_rate(config, 0) == pytest.approx(1e-3)
    assert learning_rate(config, 50) == pytest.approx(5e-4)
    assert learning_rate(config, 100) == pytest.approx(0.0, abs=1e-12)
    assert learning_rate(TrainConfig(data="d", out="o", lr=1e-3), 70) == 1e-3


def test_a_trained_checkpoint_without_training_state_is_never_overwritten(demo_dir, tmp_path):
    """The shipped act_state is such a directory (issue 18, defect 6); with training state it resumes."""
    from visuomotor.policy.training_state import STATE_JSON, STATE_TENSORS

    run(demo_dir, tmp_path / "ckpt", steps=2)
    (tmp_path / "ckpt" / STATE_JSON).unlink()
    (tmp_path / "ckpt" / STATE_TENSORS).unlink()
    weights = (tmp_path / "ckpt" / "model.safetensors").read_bytes()
    with pytest.raises(ValueError, match="holds a trained policy checkpoint without training state"):
        run(demo_dir, tmp_path / "ckpt", steps=4)
    assert (tmp_path / "ckpt" / "model.safetensors").read_bytes() == weights
