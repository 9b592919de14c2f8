"""Turning predicted action chunks into one action per control step (Zhao et al. 2023, §IV "action
chunking and temporal ensembling"; seed 004 §29.3.5).

Both schedules are driven the same way each control step:
    if schedule.wants_query(): schedule.add_chunk(policy(observation))   # chunk (k, action_dim)
    action = schedule.next_action()

ChunkExecution:      query every `execute_steps` (default k) steps and play the chunk open-loop.
TemporalEnsembling:  query every step; the action for step t is the weighted mean of every stored chunk's
                     prediction for t,  a_t = Σ_i w_i a_t^(i) / Σ_i w_i,  w_i = exp(−m·i), with i = 0 the OLDEST
                     prediction (as in the ACT paper: a small m weights old and new predictions almost alike,
                     a large m trusts the oldest most).
"""

from __future__ import annotations

from collections import deque

import numpy as np


def ensemble_weights(count: int, m: float) -> np.ndarray:
    """w_i = exp(−m·i) / Σ_j exp(−m·j) for i = 0 (oldest) .. count−1 (newest). → (count,)."""
    weights = np.exp(-m * np.arange(count))
    return weights / weights.sum()


class ChunkExecution:
    def __init__(self, chunk_size: int, execute_steps: int | None = None):
        execute_steps = chunk_size if execute_steps is None else execute_steps
        if not 1 <= execute_steps <= chunk_size:
            raise ValueError(f"execute_steps = {execute_steps} must lie in [1, chunk_size = {chunk_size}]")
        self.chunk_size = chunk_size
        self.execute_steps = execute_steps
        self._queue: deque[np.ndarray] = deque()

    def wants_query(self) -> bool:
        return not self._queue

    def add_chunk(self, chunk: np.ndarray) -> None:
        chunk = _checked(chunk, self.chunk_size)
        self._queue = deque(chunk[: self.execute_steps])

    def next_action(self) -> np.ndarray:
        if not self._queue:
            raise RuntimeError("no action queued: call add_chunk when wants_query() is True")
        return self._queue.popleft()


class TemporalEnsembling:
    def __init__(self, chunk_size: int, m: float = 0.01):
        if m < 0:
            raise ValueError(f"temporal ensembling m = {m} must be >= 0")
        self.chunk_size = chunk_size
        self.m = m
        self._step = 0
        self._chunks: deque[tuple[int, np.ndarray]] = deque()  # (step the chunk was predicted at, chunk)
        self._queried_step = -1

    def wants_query(self) -> bool:
        return self._queried_step != self._step

    def add_chunk(self, chunk: np.ndarray) -> None:
        self._chunks.append((self._step, _checked(chunk, self.chunk_size)))
        self._queried_step = self._step

    def next_action(self) -> np.ndarray:
        while self._chunks and self._chunks[0][0] + self.chunk_size <= self._step:
            self._chunks.popleft()  # no longer covers this step
        if not self._chunks:
            raise RuntimeError("no chunk covers this step: call add_chunk when wants_query() is True")
        predictions = np.stack([chunk[self._step - start] for start, chunk in self._chunks])  # oldest first
        action = ensemble_weights(len(predictions), self.m) @ predictions
        self._step += 1
        return action


def _checked(chunk: np.ndarray, chunk_size: int) -> np.ndarray:
    chunk = np.asarray(chunk, dtype=np.float64)
    if chunk.ndim != 2 or chunk.shape[0] != chunk_size:
        raise ValueError(f"an action chunk must have shape ({chunk_size}, action_dim), got {chunk.shape}")
    if not np.all(np.isfinite(chunk)):
        raise ValueError("the policy produced a non-finite action chunk; check the checkpoint and its inputs")
    return chunk
