"""Policy checkpoints without pickle: a directory holding

    model.safetensors     the ACT weights (safetensors: raw tensors, no code execution on load)
    config.json           {"format": FORMAT, "act": ACTConfig fields, "info": free-form provenance}
    normalization.json    state/action mean and std (visuomotor.policy.normalization)

Loading checks the format tag, the config, the normalisation sizes and every weight name and shape, and
raises CheckpointError naming what is wrong."""

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
    try:
        weights = load_file(str(weights_path))
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(
            f"{weights_path} is not a readable safetensors file ({error}); re-save the checkpoint"
        ) from error
    model = ACT(config)
    check_state_dict(model.state_dict(), weights, weights_path)
    model.load_state_dict(weights)
    return model.to(device).eval(), stats, config_values.get("info", {})


def check_state_dict(expected: dict[str, torch.Tensor], found: dict[str, torch.Tensor], source: Path) -> None:
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    if missing or unexpected:
        raise CheckpointError(
            f"{source} does not match its config.json: missing {missing[:4]}, unexpected "
            f"{unexpected[:4]}; the weights and config come from different models"
        )
    for name, tensor in expected.items():
        if tuple(found[name].shape) != tuple(tensor.shape):
            raise CheckpointError(
                f"{source}: {name} has shape {tuple(found[name].shape)}, config.json implies "
                f"{tuple(tensor.shape)}; the weights and config come from different models"
            )
