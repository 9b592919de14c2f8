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


