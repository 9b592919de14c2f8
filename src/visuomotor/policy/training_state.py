"""Resumable training state without pickle, beside the policy checkpoint:

training_state.safetensors   optimizer moment tensors ("optimizer/<param index>/<name>") and RNG states
training_state.json          {"step": ..., "optimizer": {param_groups, non-tensor state}, "train": TrainConfig}
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from visuomotor.policy.checkpoint import CheckpointError, read_json

STATE_TENSORS = "training_state.safetensors"
STATE_JSON = "training_state.json"


def save_training_state(directory: Path, optimizer: torch.optim.Optimizer, step: int, train_config: dict) -> None:
    from safetensors.torch import save_file

    state = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {"rng/torch_cpu": torch.get_rng_state()}
    if torch.cuda.is_available():
        tensors["rng/torch_cuda"] = torch.cuda.get_rng_state()
    scalars: dict[str, dict] = {}
    for index, values in state["state"].items():
        for name, value in values.items():
            if torch.is_tensor(value):
                tensors[f"optimizer/{index}/{name}"] = value.detach().cpu().contiguous()
            else:
                scalars.setdefault(str(index), {})[name] = value
    save_file(tensors, str(directory / STATE_TENSORS))
    record = {
        "step": step,
        "optimizer": {"param_groups": state["param_groups"], "scalars": scalars},
        "train": train_config,
    }
    (directory / STATE_JSON).write_text(json.dumps(record, indent=1, sort_keys=True))


def has_training_state(directory: Path) -> bool:
    return (directory / STATE_JSON).is_file() and (directory / STATE_TENSORS).is_file()


def load_training_state(directory: Path, optimizer: torch.optim.Optimizer, restore_rng: bool) -> dict:
    """Restore the optimizer (and the RNG when `restore_rng`) in place; → the JSON record (step, train)."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    record = read_json(directory / STATE_JSON, "resumable training run")
    if not isinstance(record.get("step"), int) or "optimizer" not in record:
        raise CheckpointError(f"{directory / STATE_JSON} lacks step/optimizer; delete it to train from scratch")
    try:
        tensors = load_file(str(directory / STATE_TENSORS))
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(f"{directory / STATE_TENSORS} is not readable safetensors ({error})") from error
    per_param: dict[int, dict] = {}
    for key, tensor in tensors.items():
        if key.startswith("optimizer/"):
            _, index, name = key.split("/", 2)
            per_param.setdefault(int(index), {})[name] = tensor
    for index, values in record["optimizer"]["scalars"].items():
        per_param.setdefault(int(index), {}).update(values)
    try:
        optimizer.load_state_dict({"state": per_param, "param_groups": record["optimizer"]["param_groups"]})
    except (ValueError, KeyError) as error:
        raise CheckpointError(
            f"{directory}: optimizer state does not fit this model ({error}); "
            "resume with the same model config or use a fresh --out"
        ) from error
    if restore_rng:
        torch.set_rng_state(tensors["rng/torch_cpu"])
        if torch.cuda.is_available() and "rng/torch_cuda" in tensors:
            torch.cuda.set_rng_state(tensors["rng/torch_cuda"])
    return record
