"""Demonstration episodes in ACT's HDF5 layout, and the torch Dataset of (state, action chunk, is_pad).

One file per episode (`episode_0000.hdf5`, ...):
    /observations/qpos             (T, 7)  float   6 joint angles (rad) + gripper state (0 open .. 1 closed)
    /observations/object_position  (T, 3)  float   tracked red cube position in base_link (m)
    /observations/images/<camera>  (T, H, W, 3) uint8 RGB, optional
    /action                        (T, 7)  float   6 absolute joint targets (rad) + gripper command (0 / 1)
    attributes: seed, success, and whatever the recorder adds.

The policy state is s = [qpos, object_position] ∈ R^10 (seed 004 §29.3.3, eq. 29.14). Sample (e, t) holds
s_t and the chunk a_t .. a_{t+k−1}; steps past the episode end are zero-filled and flagged is_pad = True.

Relative joints (ACTConfig.relative_joints): the chunk's 6 joint targets are expressed as offsets from the
joint angles at t, a'_{t+j} = a_{t+j} − q_t (gripper unchanged), and the action statistics are those of these
offsets. At 50 Hz the expert moves a joint ≤ 0.024 rad per step while the joints span ~1 rad over the data,
so offsets normalise to a far finer scale than absolute targets; the runner adds q_t back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch
from torch.utils.data import Dataset

from visuomotor.policy.normalization import NormalizationStats
from visuomotor.robot.state_layout import ACTION_DIM, OBJECT_DIM, QPOS_DIM


class DatasetError(ValueError):
    """A demonstration file is missing, malformed, or inconsistent."""


@dataclass
class Episode:
    qpos: np.ndarray  # (T, 7)
    object_position: np.ndarray  # (T, 3)
    action: np.ndarray  # (T, 7)
    images: dict[str, np.ndarray]  # camera → (T, H, W, 3) uint8; may be empty
    attrs: dict

    @property
    def states(self) -> np.ndarray:  # (T, 10)
        return np.concatenate([self.qpos, self.object_position], axis=1)


def write_episode(path: str | Path, episode: Episode) -> Path:
    import h5py

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    check_episode(episode, path)
    with h5py.File(path, "w") as file:
        file.create_dataset("observations/qpos", data=np.asarray(episode.qpos, np.float32))
        file.create_dataset("observations/object_position", data=np.asarray(episode.object_position, np.float32))
        for camera, frames in episode.images.items():
            file.create_dataset(
                f"observations/images/{camera}",
                data=np.asarray(frames, np.uint8),
                chunks=(1, *np.shape(frames)[1:]),
                compression="gzip",
                compression_opts=1,
            )
        file.create_dataset("action", data=np.asarray(episode.action, np.float32))
        for key, value in episode.attrs.items():
            file.attrs[key] = value
    return path


def read_episode(path: str | Path, with_images: bool = False) -> Episode:
    import h5py

    path = Path(path)
    try:
        with h5py.File(path, "r") as file:
            for key in ("observations/qpos", "observations/object_position", "action"):
                if key not in file:
                    raise DatasetError(
                        f"{path} lacks /{key}; it is not a visuomotor demonstration "
                        "(record with `visuomotor demos record`)"
                    )
            images = (
                {name: file[f"observations/images/{name}"][()] for name in file.get("observations/images", {})}
                if with_images
                else {}
            )
            episode = Episode(
                file["observations/qpos"][()].astype(np.float64),
                file["observations/object_position"][()].astype(np.float64),
                file["action"][()].astype(np.float64),
                images,
                dict(file.attrs),
            )
    except OSError as error:
        raise DatasetError(f"{path} is not a readable HDF5 file ({error})") from error
    check_episode(episode, path)
    return episode


def check_episode(episode: Episode, path: Path) -> None:
    expected = {"qpos": QPOS_DIM, "object_position": OBJECT_DIM, "action": ACTION_DIM}
    length = len(episode.qpos)
    for name, width in expected.items():
        array = np.asarray(getattr(episode, name))
        if array.ndim != 2 or array.shape != (length, width):
            raise DatasetError(f"{path}: {name} has shape {array.shape}, expected ({length}, {width})")
        if not np.all(np.isfinite(array)):
            raise DatasetError(f"{path}: {name} contains NaN or inf; re-record the episode")
    if length < 1:
        raise DatasetError(f"{path}: the episode is empty")
    for camera, frames in episode.images.items():
        if np.shape(frames)[0] != length or np.ndim(frames) != 4 or np.shape(frames)[3] != 3:
            raise DatasetError(f"{path}: images/{camera} has shape {np.shape(frames)}, expected ({length}, H, W, 3)")


def episode_files(directory: str | Path) -> list[Path]:
    directory = Path(directory)
    files = sorted(directory.glob("*.hdf5")) if directory.is_dir() else []
    if not files:
        raise DatasetError(
            f"no *.hdf5 episodes in {directory}; record some with `visuomotor demos record --episodes N --out DIR`"
        )
    return files


Chunk = TypeVar("Chunk", np.ndarray, torch.Tensor)


def relative_chunk(actions: Chunk, qpos: Chunk) -> Chunk:
    """(k, 7) absolute actions, (7,) qpos at the chunk start → joint targets minus the current joint angles
    (both NumPy, float64 out, or both torch)."""
    offsets = actions.clone() if isinstance(actions, torch.Tensor) else np.array(actions, dtype=np.float64)
    offsets[:, : QPOS_DIM - 1] -= qpos[: QPOS_DIM - 1]
    return offsets


def compute_stats(episodes: list[Episode], chunk_size: int = 1, relative_joints: bool = False) -> NormalizationStats:
    """State statistics over all time steps; action statistics over all actions, or, with relative_joints,
    over every (t, j < chunk_size) offset a_{t+j} − q_t that a sample can contain."""
    states = np.concatenate([e.states for e in episodes])
    if not relative_joints:
        return NormalizationStats.from_data(states, np.concatenate([e.action for e in episodes]))
    offsets = []
    for episode in episodes:
        for j in range(min(chunk_size, len(episode.action))):
            shifted = episode.action[j:].copy()
            shifted[:, : QPOS_DIM - 1] -= episode.qpos[: len(shifted), : QPOS_DIM - 1]
            offsets.append(shifted)
    return NormalizationStats.from_data(states, np.concatenate(offsets))


class ChunkDataset(Dataset):
    """Every (episode, t) → {"state": (10,), "actions": (k, 7), "is_pad": (k,) bool[, "images": (n_cam, 3, H, W)]},
    normalised with `stats` (computed from these episodes when None). Images are read lazily from the files,
    scaled to [0, 1] and resized to image_size = (H, W)."""

    def __init__(
        self,
        files: list[Path],
        chunk_size: int,
        stats: NormalizationStats | None = None,
        camera_names: tuple[str, ...] = (),
        image_size: tuple[int, int] = (240, 320),
        relative_joints: bool = False,
    ):
        if chunk_size < 1:
            raise ValueError(f"chunk_size = {chunk_size} must be >= 1")
        self.files = list(files)
        self.chunk_size = chunk_size
        self.camera_names = tuple(camera_names)
        self.image_size = image_size
        episodes = [read_episode(path) for path in self.files]
        self.relative_joints = relative_joints
        self.stats = stats or compute_stats(episodes, chunk_size, relative_joints)
        self.states = [torch.as_tensor(e.states, dtype=torch.float32) for e in episodes]
        self.actions = [torch.as_tensor(e.action, dtype=torch.float32) for e in episodes]
        self.episode_seeds = sorted(int(e.attrs["seed"]) for e in episodes if "seed" in e.attrs)
        self.index = [(e, t) for e, episode in enumerate(episodes) for t in range(len(episode.action))]
        self._normalized_states = [self.stats.normalize_state(s) for s in self.states]
        self._normalized_actions = [] if relative_joints else [self.stats.normalize_action(a) for a in self.actions]
        self._qpos = [torch.as_tensor(e.qpos, dtype=torch.float32) for e in episodes]
        self._handles: tuple[int, dict] = (-1, {})
        if self.camera_names:
            self._check_cameras()

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, item: int) -> dict[str, torch.Tensor]:
        episode, t = self.index[item]
        if self.relative_joints:
            offsets = relative_chunk(self.actions[episode][t : t + self.chunk_size], self._qpos[episode][t])
            actions = self.stats.normalize_action(offsets)  # (≤k, 7)
        else:
            actions = self._normalized_actions[episode][t : t + self.chunk_size]  # (≤k, 7)
        valid = len(actions)
        padded = torch.zeros(self.chunk_size, actions.shape[1])
        padded[:valid] = actions
        is_pad = torch.arange(self.chunk_size) >= valid
        sample = {"state": self._normalized_states[episode][t], "actions": padded, "is_pad": is_pad}
        if self.camera_names:
            sample["images"] = self._images(episode, t)
        return sample

    def _images(self, episode: int, t: int) -> torch.Tensor:
        from visuomotor.policy.preprocess import images_to_tensor

        file = self._file(episode)
        frames = [file[f"observations/images/{camera}"][t] for camera in self.camera_names]  # (H, W, 3) each
        return images_to_tensor(np.stack(frames), self.image_size)  # (n_cam, 3, H, W)

    def _file(self, episode: int):
        import h5py

        pid, handles = self._handles
        if pid != os.getpid():  # h5py handles must not cross DataLoader worker forks
            handles = {}
            self._handles = (os.getpid(), handles)
        if episode not in handles:
            handles[episode] = h5py.File(self.files[episode], "r")
        return handles[episode]

    def _check_cameras(self) -> None:
        for episode, path in enumerate(self.files):
            file = self._file(episode)
            for camera in self.camera_names:
                if f"observations/images/{camera}" not in file:
                    raise DatasetError(
                        f"{path} has no images for camera {camera!r}; record with --images or train in state-only mode"
                    )
