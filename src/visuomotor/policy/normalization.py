"""Per-dimension standardisation of policy states and actions: x̂ = (x − μ) / σ, with σ floored at
`STD_FLOOR` so a constant dimension (e.g. a joint the expert never moves) does not blow up (ACT uses the same
clip). Statistics come from the training demonstrations and travel with every checkpoint."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

STD_FLOOR = 1e-2


@dataclass(frozen=True)
class NormalizationStats:
    state_mean: np.ndarray  # (state_dim,)
    state_std: np.ndarray  # (state_dim,), ≥ STD_FLOOR
    action_mean: np.ndarray  # (action_dim,)
    action_std: np.ndarray  # (action_dim,), ≥ STD_FLOOR

    @classmethod
    def from_data(cls, states: np.ndarray, actions: np.ndarray) -> NormalizationStats:
        """states (N, state_dim), actions (N, action_dim): all time steps of all episodes."""
        states, actions = np.asarray(states, np.float64), np.asarray(actions, np.float64)
        if len(states) < 2 or len(actions) < 2:
            raise ValueError("need at least 2 time steps to compute normalisation statistics; record more demos")
        return cls(
            states.mean(0), np.maximum(states.std(0), STD_FLOOR), actions.mean(0), np.maximum(actions.std(0), STD_FLOOR)
        )

    def normalize_state(self, state: torch.Tensor) -> torch.Tensor:
        return (state - _like(self.state_mean, state)) / _like(self.state_std, state)

    def normalize_action(self, action: torch.Tensor) -> torch.Tensor:
        return (action - _like(self.action_mean, action)) / _like(self.action_std, action)

    def denormalize_action(self, action: torch.Tensor) -> torch.Tensor:
        return action * _like(self.action_std, action) + _like(self.action_mean, action)

    def to_json_dict(self) -> dict:
        return {name: getattr(self, name).tolist() for name in self.__dataclass_fields__}

    @classmethod
    def from_json_dict(cls, values: dict) -> NormalizationStats:
        missing = [name for name in cls.__dataclass_fields__ if name not in values]
        if missing:
            raise ValueError(f"normalisation statistics lack {missing}")
        arrays = {name: _finite_vector(name, values[name]) for name in cls.__dataclass_fields__}
        for name in ("state_std", "action_std"):
            if np.any(arrays[name] <= 0):
                raise ValueError(f"normalisation statistic {name} has non-positive entries")
        return cls(**arrays)

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_json_dict(), indent=1))


def _finite_vector(name: str, value: object) -> np.ndarray:
    """A JSON value as a non-empty finite 1-D float64 array, else ValueError naming the statistic."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):  # a dict, a string, a ragged list ...
        array = None
    if array is None or array.ndim != 1 or array.size == 0 or not np.all(np.isfinite(array)):
        shown = repr(value)
        raise ValueError(
            f"normalisation statistic {name} must be a finite 1-D list of numbers, got "
            f"{shown if len(shown) <= 60 else shown[:57] + '...'}"
        )
    return array


def _like(array: np.ndarray, reference: torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(array, dtype=reference.dtype, device=reference.device)
