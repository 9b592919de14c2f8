import math

import pytest
import torch

from visuomotor.policy.act import ACT, ACTConfig, act_loss, kl_divergence, sinusoidal_positions

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


SMALL_CONFIG = ACTConfig(**SMALL)


def batch(size=3, config=SMALL_CONFIG):
    torch.manual_seed(1)
    state = torch.randn(size, config.state_dim)
    actions = torch.randn(size, config.chunk_size, config.action_dim)
    is_pad = torch.zeros(size, config.chunk_size, dtype=torch.bool)
    is_pad[0, 3:] = True
    return state, actions, is_pad


def test_training_and_inference_shapes():
    config = ACTConfig(**SMALL)
    model = ACT(config)
    state, actions, is_pad = batch()
    out = model(state, actions=actions, is_pad=is_pad)
    assert out.actions.shape == (3, 5, 7) and out.mu.shape == (3, 8) and out.logvar.shape == (3, 8)
    inference = model.eval()(state)
    assert inference.actions.shape == (3, 5, 7) and inference.mu is None


def test_inference_uses_z_zero_and_is_deterministic():
    model = ACT(ACTConfig(**SMALL)).eval()
    state, _, _ = batch()
    expected = model.decode(state, torch.zeros(3, 8), None)
    torch.testing.assert_close(model(state).actions, expected)
    torch.testing.assert_close(model(state).actions, model(state).actions)


def test_padded_actions_do_not_reach_the_latent():
    model = ACT(ACTConfig(**SMALL)).eval()
    state, actions, is_pad = batch()
    mu, logvar = model.encode_latent(state, actions, is_pad)
    changed = actions.clone()
    changed[0, 3:] = 100.0  # padded steps of sample 0
    mu2, logvar2 = model.encode_latent(state, changed, is_pad)
    torch.testing.assert_close(mu, mu2)
    torch.testing.assert_close(logvar, logvar2)
    changed[0, 1] = 100.0  # a real step does matter
    assert not torch.allclose(mu, model.encode_latent(state, changed, is_pad)[0])


def test_kl_matches_closed_form_and_torch_distributions():
    mu = torch.tensor([[0.5, -1.0], [0.0, 0.0]])
    logvar = torch.tensor([[math.log(2.0), 0.0], [0.0, 0.0]])
    # sample 0: ½(σ² + μ² − 1 − log σ²) per dim = ½(2 + 0.25 − 1 − ln 2) + ½(1 + 1 − 1 − 0); sample 1: 0
    first = 0.5 * (2 + 0.25 - 1 - math.log(2.0)) + 0.5 * 1.0
    assert kl_divergence(mu, logvar).item() == pytest.approx(first / 2, rel=1e-6)
    posterior = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    prior = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    reference = torch.distributions.kl_divergence(posterior, prior).sum(-1).mean()
    assert kl_divergence(mu, logvar).item() == pytest.approx(reference.item(), rel=1e-6)


def test_loss_ignores_padded_steps_and_weights_kl():
    model = ACT(ACTConfig(**SMALL))
    state, actions, is_pad = batch()
    out = model(state, actions=actions, is_pad=is_pad, noise=torch.zeros(3, 8))
    losses = act_loss(out, actions, is_pad, kl_weight=10.0)
    valid = (~is_pad)[..., None].float()
    assert losses["l1"].item() == pytest.approx(((out.actions - actions).abs() * valid).mean().item(), rel=1e-6)
    assert losses["loss"].item() == pytest.approx(losses["l1"].item() + 10 * losses["kl"].item(), rel=1e-6)
    moved = actions.clone()
    moved[0, 3:] += 50.0
    assert act_loss(out, moved, is_pad, 10.0)["l1"].item() == pytest.approx(losses["l1"].item(), rel=1e-6)


def test_every_decoder_layer_gets_gradient_and_changes_the_output():
    """The official ACT code reads only the first decoder layer's output; here each layer matters."""
    model = ACT(ACTConfig(**SMALL))
    state, actions, is_pad = batch()
    out = model(state, actions=actions, is_pad=is_pad, noise=torch.zeros(3, 8))
    act_loss(out, actions, is_pad, 10.0)["loss"].backward()
    assert len(model.decoder.layers) == 3
    for index, layer in enumerate(model.decoder.layers):
        for name, parameter in layer.named_parameters():
            assert parameter.grad is not None and parameter.grad.abs().sum() > 0, f"layer {index} {name}"
    model.eval()
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        reference = model(state).actions
        for index, layer in enumerate(model.decoder.layers):
            saved = layer.linear2.weight.clone()
            # a random (not constant) change: a shift along all channels would vanish in the next LayerNorm
            layer.linear2.weight.add_(0.5 * torch.randn(saved.shape, generator=generator))
            change = (model(state).actions - reference).abs().max().item()
            assert change > 1e-2, f"decoder layer {index} is unused (output moved by {change})"
            layer.linear2.weight.copy_(saved)


def test_image_mode_shapes_and_missing_images_error():
    config = ACTConfig(**SMALL, camera_names=("top",), image_height=64, image_width=96)
    model = ACT(config).eval()
    state, _, _ = batch(2)
    images = torch.rand(2, 1, 3, 64, 96)
    assert model.image_tokens(images[:, 0]).shape == (2, 2 * 3, 32)  # (64/32)·(96/32) tokens
    assert model(state, images).actions.shape == (2, 5, 7)
    with pytest.raises(ValueError, match="pass images"):
        model(state)


def test_pretrained_trunk_loads_from_local_safetensors(tmp_path):
    import torchvision
    from safetensors.torch import save_file

    torch.manual_seed(3)
    reference = torchvision.models.resnet18(weights=None)
    save_file(reference.state_dict(), str(tmp_path / "resnet18.safetensors"))
    model = ACT(ACTConfig(**SMALL, camera_names=("top",)))
    model.image_tokens.load_pretrained_trunk(tmp_path / "resnet18.safetensors")
    torch.testing.assert_close(model.image_tokens.trunk[0].weight, reference.conv1.weight)
    save_file({"conv1.weight": torch.zeros(1)}, str(tmp_path / "bad.safetensors"))
    with pytest.raises(ValueError, match="not a torchvision resnet18"):
        model.image_tokens.load_pretrained_trunk(tmp_path / "bad.safetensors")


def test_config_rejects_bad_sizes():
    with pytest.raises(ValueError, match="divisible by n_heads"):
        ACTConfig(d_model=30, n_heads=4)
    with pytest.raises(ValueError, match="chunk_size"):
        ACTConfig(chunk_size=0)


def test_sinusoidal_positions_formula():
    table = sinusoidal_positions(4, 6)
    assert table[2, 0].item() == pytest.approx(math.sin(2.0))
    assert table[2, 3].item() == pytest.approx(math.cos(2.0 / 10000 ** (2 / 6)), rel=1e-5)
