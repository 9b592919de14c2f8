"""Synthetic demonstrations for the policy tests: a point-to-point 'reach then grip' expert whose joint targets
depend on the object position, so a policy must read the state to imitate it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from visuomotor.policy.dataset import Episode, write_episode


def synthetic_episode(seed: int, length: int = 40, cameras: tuple[str, ...] = ()) -> Episode:
    rng = np.random.default_rng(seed)
    cube = rng.uniform([0.3, -0.2, 0.02], [0.6, 0.2, 0.02])
    goal = np.array([cube[0] * 2, cube[1] * 3, -1.0, 0.5, cube[0] - cube[1], 0.1])
    joints = np.zeros(6)
    qpos, actions = [], []
    for t in range(length):
        gripper = 1.0 if t > length // 2 else 0.0
        qpos.append(np.r_[joints, gripper])
        target = joints + np.clip(goal - joints, -0.08, 0.08)
        actions.append(np.r_[target, 1.0 if t >= length // 2 else 0.0])
        joints = target
    images = {name: rng.integers(0, 255, (length, 48, 64, 3), dtype=np.uint8) for name in cameras}
    return Episode(np.array(qpos), np.tile(cube, (length, 1)), np.array(actions), images, {"seed": seed})


def write_synthetic(directory: Path, count: int, length: int = 40, cameras: tuple[str, ...] = ()) -> Path:
    for seed in range(count):
        write_episode(directory / f"episode_{seed:04d}.hdf5", synthetic_episode(seed, length, cameras))
    return directory


TINY_MODEL = dict(
    d_model=32,
    n_heads=4,
    d_feedforward=64,
    n_cvae_layers=1,
    n_encoder_layers=1,
    n_decoder_layers=2,
    latent_dim=8,
    chunk_size=8,
    dropout=0.0,
)


def ddp_worker(
    rank: int, world_size: int, port: int, data: str, out: str, steps: int, batch_size: int, losses_file: str
) -> None:
    """One process of a gloo data-parallel run (torch.multiprocessing.spawn target)."""
    import json
    import os

    import torch

    from visuomotor.policy.act import ACTConfig
    from visuomotor.policy.training import TrainConfig, train_policy

    torch.set_num_threads(1)
    os.environ.update(
        RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world_size), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port)
    )
    result = train_policy(
        TrainConfig(data=data, out=out, steps=steps, batch_size=batch_size, lr=1e-3, device="cpu", progress=False),
        ACTConfig(**TINY_MODEL),
    )
    if rank == 0:
        with open(losses_file, "w") as file:
            json.dump(result.losses, file)
