"""Seeded mini-batch iteration (seed 004 §8.1.2: mini-batches B_t sampled uniformly without replacement)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


class DataLoader:
    """Iterate over aligned arrays in mini-batches; a fresh permutation per epoch when shuffling.

    DataLoader(x, y, batch_size=32, shuffle=True, seed=0) yields (x_batch, y_batch) tuples of arrays.
    The permutation sequence depends only on `seed`, so runs are reproducible.
    """

    def __init__(
        self, *arrays: np.ndarray, batch_size: int, shuffle: bool = True, seed: int = 0, drop_last: bool = False
    ):
        if not arrays:
            raise ValueError("DataLoader needs at least one array")
        lengths = {len(a) for a in arrays}
        if len(lengths) != 1:
            raise ValueError(f"DataLoader arrays have different lengths {sorted(lengths)}; they must align")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.arrays = tuple(np.asarray(a) for a in arrays)
        self.batch_size, self.shuffle, self.drop_last = batch_size, shuffle, drop_last
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        n = len(self.arrays[0])
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, ...]]:
        n = len(self.arrays[0])
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            index = order[start : start + self.batch_size]
            yield tuple(a[index] for a in self.arrays)
