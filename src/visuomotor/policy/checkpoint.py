"""Policy checkpoints without pickle: a directory holding

    model.safetensors     the ACT weights (safetensors: raw tensors, no code execution on load)
    config.json           {"format": FORMAT, "act": ACTConfig fields, "info": free-form provenance}
    normalization.json    state/action mean and std (visuomotor.policy.normalization)

Loading checks the format tag, the config, the normalisation sizes, every weight name and shape (against the
model built on torch's "meta" device, from the safetensors header, before anything is allocated: a config that
implies a 512 TB layer is refused, not attempted) and that every weight is finite, and raises CheckpointError
naming what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from visuomotor.policy.act import ACT, ACTConfig
from visuomotor.policy.normalization import NormalizationStats

FORMAT = "visuomotor-act/1"
WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
NORMALIZATION_FILE = "normalization.json"


# The committed state-mode policy (model card: docs/policy.md).
SHIPPED_CHECKPOINT = Path(__file__).resolve().parents[1] / "assets" / "policy" / "act_state"


class CheckpointError(ValueError):
    """A policy checkpoint is missing, corrupt, or does not match its config."""


def save_policy(directory: str | Path, model: ACT, stats: NormalizationStats, info: dict | None = None) -> Path:
    from safetensors.torch import save_file

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    weights = {name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()}
    save_file(weights, str(directory / WEIGHTS_FILE))
    config = {"format": FORMAT, "act": model.config.to_json_dict(), "info": info or {}}
    (directory / CONFIG_FILE).write_text(json.dumps(config, indent=1, sort_keys=True))
    stats.save(directory / NORMALIZATION_FILE)
    return directory


def holds_checkpoint(directory: Path) -> bool:
    """Whether `directory` holds (part of) a saved policy: its weights or its config."""
    return (directory / WEIGHTS_FILE).exists() or (directory / CONFIG_FILE).exists()


def read_json(path: Path, what: str) -> dict:
    if not path.is_file():
        raise CheckpointError(
            f"{path} is missing; a {what} needs it (was the directory written by `visuomotor train policy`?)"
        )
    try:
        values = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CheckpointError(
            f"{path} is not valid JSON ({error}); the file is corrupt, re-save the checkpoint"
        ) from error
    if not isinstance(values, dict):
        raise CheckpointError(f"{path} must hold a JSON object")
    return values


def load_policy(directory: str | Path, device: str | torch.device = "cpu") -> tuple[ACT, NormalizationStats, dict]:
    """→ (model in eval mode on `device`, normalisation statistics, provenance info)."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointError(
            f"policy checkpoint directory {directory} does not exist; pass the --out "
            "directory of `visuomotor train policy`"
        )
    config_values = read_json(directory / CONFIG_FILE, "policy checkpoint")
    if config_values.get("format") != FORMAT:
        raise CheckpointError(
            f"{directory / CONFIG_FILE} has format {config_values.get('format')!r}, expected {FORMAT!r}"
        )
    try:
        config = ACTConfig.from_json_dict(config_values.get("act", {}))
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"{directory / CONFIG_FILE}: invalid ACT config: {error}") from error
    try:
        stats = NormalizationStats.from_json_dict(read_json(directory / NORMALIZATION_FILE, "policy checkpoint"))
    except ValueError as error:
        raise CheckpointError(f"{directory / NORMALIZATION_FILE}: {error}") from error
    sizes = {
        "state": (len(stats.state_mean), len(stats.state_std), config.state_dim),
        "action": (len(stats.action_mean), len(stats.action_std), config.action_dim),
    }
    for what, (n_mean, n_std, expected) in sizes.items():
        if n_mean != expected or n_std != expected:
            raise CheckpointError(
                f"{directory / NORMALIZATION_FILE}: {what} statistics have {n_mean}/{n_std} "
                f"entries but the config says {what}_dim = {expected}"
            )
    weights_path = directory / WEIGHTS_FILE
    if not weights_path.is_file():
        raise CheckpointError(f"{weights_path} is missing; the checkpoint is incomplete")
    stored = _stored_shapes(weights_path)
    layers = config.n_cvae_layers + config.n_encoder_layers + config.n_decoder_layers
    if layers > len(stored):  # each layer holds several tensors; checked before building that many layers
        raise CheckpointError(
            f"{directory / CONFIG_FILE} asks for {layers} transformer layers but {weights_path} holds only "
            f"{len(stored)} tensors; the weights and config come from different models"
        )
    check_state_dict(_expected_shapes(config, weights_path), stored, weights_path)
    try:
        weights = load_file(str(weights_path))
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(
            f"{weights_path} is not a readable safetensors file ({error}); re-save the checkpoint"
        ) from error
    for name, tensor in weights.items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise CheckpointError(
                f"{weights_path}: {name} holds NaN or infinite values; the training run diverged — "
                "use an earlier checkpoint or retrain"
            )
    model = ACT(config)
    model.load_state_dict(weights)
    return model.to(device).eval(), stats, config_values.get("info", {})


def _stored_shapes(weights_path: Path) -> dict[str, tuple[int, ...]]:
    """Tensor name → shape from the safetensors header (no tensor data is read)."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(weights_path), framework="pt") as stored:
            return {name: tuple(stored.get_slice(name).get_shape()) for name in stored.keys()}  # noqa: SIM118
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(
            f"{weights_path} is not a readable safetensors file ({error}); re-save the checkpoint"
        ) from error


def _expected_shapes(config: ACTConfig, weights_path: Path) -> dict[str, tuple[int, ...]]:
    """Tensor name → shape of ACT(config), built on the meta device (shapes only, no memory)."""
    try:
        with torch.device("meta"):
            model = ACT(config)
    except (RuntimeError, ValueError, OverflowError) as error:
        raise CheckpointError(
            f"{weights_path.parent / CONFIG_FILE}: the ACT config cannot be built ({error}); the file is corrupt"
        ) from None
    return {name: tuple(tensor.shape) for name, tensor in model.state_dict().items()}


def check_state_dict(expected: dict[str, tuple[int, ...]], found: dict[str, tuple[int, ...]], source: Path) -> None:
    """expected / found: tensor name → shape."""
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    if missing or unexpected:
        raise CheckpointError(
            f"{source} does not match its config.json: missing {missing[:4]}, unexpected "
            f"{unexpected[:4]}; the weights and config come from different models"
        )
    for name, shape in expected.items():
        if tuple(found[name]) != tuple(shape):
            raise CheckpointError(
                f"{source}: {name} has shape {tuple(found[name])}, config.json implies "
                f"{tuple(shape)}; the weights and config come from different models"
            )
