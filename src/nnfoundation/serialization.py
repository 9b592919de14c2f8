"""Save and load state dicts as NumPy .npz archives, never with pickle (allow_pickle=False).

The format needs only NumPy: one array per dotted parameter/buffer name.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def save_state_dict(state: dict[str, np.ndarray], path: str | Path) -> Path:
    """Write `state` to `path` (a .npz archive; the suffix is added if missing)."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_suffix(path.suffix + ".npz")
    bad = [k for k, v in state.items() if not isinstance(v, np.ndarray) or v.dtype == object]
    if bad:
        raise TypeError(f"state dict entries {bad} are not numeric arrays; only arrays can be saved")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez(handle, allow_pickle=False, **state)
    return path


def load_state_dict(path: str | Path) -> dict[str, np.ndarray]:
    """Read a state dict written by `save_state_dict`."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}; check the path (save_state_dict writes .npz)")
    with np.load(path, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}
