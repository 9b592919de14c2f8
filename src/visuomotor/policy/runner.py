"""Closed-loop use of a trained ACT: observation → normalised state → chunk (z = 0) → denormalised actions →
one action per control step through an action schedule (visuomotor.policy.action_schedule) → the gripper
command snapped to 0 (open) / 1 (closed) at GRIPPER_THRESHOLD.

Runtimes compute the same chunk: "torch" runs the ACT itself; "nnfoundation" runs its torch-free export
(visuomotor.policy.nn_export, state-mode checkpoints only, float64); "onnxruntime" runs its ONNX export
(visuomotor.onnx_runtime, state-mode checkpoints only, `threads` CPU threads, default 1: ~4× less time per
query than eager torch for this small transformer).

Why snap: the demonstrations' gripper command is binary, but the regressed (and ensembled) value is not; a
command of 0.05 closes the fingers slightly, the policy then sees a gripper state it only saw while the
expert was closing, and predicts "close" — a feedback loop that shuts the gripper in mid-air."""

from __future__ import annotations

import numpy as np
import torch

from visuomotor.onnx_runtime import OnnxRuntimeNetwork
from visuomotor.policy.act import ACT
from visuomotor.policy.action_schedule import ChunkExecution, TemporalEnsembling
from visuomotor.policy.nn_export import export_act
from visuomotor.policy.normalization import NormalizationStats
from visuomotor.policy.preprocess import checked_vector, images_to_tensor
from visuomotor.robot.state_layout import OBJECT_DIM, QPOS_DIM

GRIPPER_THRESHOLD = 0.5
RUNTIMES = ("torch", "nnfoundation", "onnxruntime")


class _StateModeActions(torch.nn.Module):
    """ACT inference (z = 0) as one tensor function: normalised state (1, state_dim) → actions (1, k, 7)."""

    def __init__(self, model: ACT):
        super().__init__()
        self.model = model

    def forward(self, state: torch.Tensor) -> torch.Tensor:
        return self.model(state, None).actions


def onnx_act(model: ACT, threads: int = 1) -> OnnxRuntimeNetwork:
    """The state-mode ACT exported to ONNX Runtime on `threads` CPU threads (default 1: a query is too small
    to share; 0 = ONNX Runtime's default, all cores)."""
    if model.config.camera_names:
        raise ValueError(
            f"this ACT uses cameras {list(model.config.camera_names)}; the onnxruntime runtime runs "
            "state-only checkpoints (camera_names empty): use runtime 'torch' for image mode"
        )
    example = torch.zeros(1, model.config.state_dim)
    return OnnxRuntimeNetwork(_StateModeActions(model).cpu().eval(), example, threads=threads)


class PolicyRunner:
    """Call `reset()` at the start of every episode and `act(...)` (or `plan(...)`) once per control step."""

    def __init__(
        self,
        model: ACT,
        stats: NormalizationStats,
        temporal_ensembling: bool = True,
        ensemble_m: float = 0.01,
        execute_steps: int | None = None,
        binary_gripper: bool = True,
        runtime: str = "torch",
        threads: int = 1,
    ):
        if runtime not in RUNTIMES:
            raise ValueError(f"unknown policy runtime {runtime!r}; pick one of {list(RUNTIMES)}")
        self.model = model.eval()
        self.exported = export_act(model) if runtime == "nnfoundation" else None
        self.onnx = onnx_act(model, threads) if runtime == "onnxruntime" else None
        self.stats = stats
        self.temporal_ensembling = temporal_ensembling
        self.ensemble_m = ensemble_m
        self.execute_steps = execute_steps
        self.binary_gripper = binary_gripper
        self.device = next(model.parameters()).device
        self.reset()

    def reset(self) -> None:
        k = self.model.config.chunk_size
        self.schedule = (
            TemporalEnsembling(k, self.ensemble_m)
            if self.temporal_ensembling
            else ChunkExecution(k, self.execute_steps)
        )
        self._latest_chunk: np.ndarray | None = None  # the newest predicted chunk (k, 7)
        self._steps_into_chunk = 0  # control steps taken since it was predicted

    @torch.inference_mode()
    def predict_chunk(self, qpos, object_position, images: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """qpos (7,), object_position (3,) in base_link m, images camera → (H, W, 3) uint8 → chunk (k, 7)."""
        state = np.concatenate(
            [checked_vector(qpos, QPOS_DIM, "qpos"), checked_vector(object_position, OBJECT_DIM, "object_position")]
        )
        state_tensor = self.stats.normalize_state(torch.as_tensor(state, dtype=torch.float32, device=self.device))
        image_tensor = None
        cameras = self.model.config.camera_names
        if cameras:
            given = images or {}
            missing = [c for c in cameras if c not in given]
            if missing:
                raise ValueError(f"the policy needs images from cameras {missing}")
            frames = np.stack([given[c] for c in cameras])
            size = (self.model.config.image_height, self.model.config.image_width)
            image_tensor = images_to_tensor(frames, size).to(self.device)[None]
        if self.exported is not None:
            chunk = torch.from_numpy(self.exported.predict(state_tensor[None].cpu().numpy())[0])  # (k, 7)
        elif self.onnx is not None:
            chunk = self.onnx(state_tensor[None])[0]  # (k, 7)
        else:
            chunk = self.model(state_tensor[None], image_tensor).actions[0]  # (k, 7) normalised
        actions = self.stats.denormalize_action(chunk).double().cpu().numpy()
        if self.model.config.relative_joints:  # offsets → targets
            actions[:, : QPOS_DIM - 1] += state[: QPOS_DIM - 1]
        return actions

    def act(self, qpos, object_position, images: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """→ action (7,): 6 absolute joint targets (rad) + gripper command (0 open / 1 closed; the raw
        regressed value when binary_gripper is False)."""
        if self.schedule.wants_query():
            self._latest_chunk, self._steps_into_chunk = self.predict_chunk(qpos, object_position, images), 0
            self.schedule.add_chunk(self._latest_chunk)
        action = self.schedule.next_action()
        self._steps_into_chunk += 1
        if self.binary_gripper:
            action[-1] = float(action[-1] >= GRIPPER_THRESHOLD)
        return action

    def plan(self, qpos, object_position, images: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """This step's action and the actions ahead: (n, 7), row 0 = act(...), rows 1.. the newest predicted
        chunk's actions for the following control steps (as predicted: neither ensembled nor snapped), so a
        controller can follow the plan between control steps."""
        action = self.act(qpos, object_position, images)
        latest = self._latest_chunk
        assert latest is not None  # act() queried the policy at least once since reset()
        return np.vstack([action, latest[self._steps_into_chunk :]])
