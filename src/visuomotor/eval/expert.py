"""Closed-loop evaluation of the scripted expert on PickPlaceTask episodes (seeds seed_start … + episodes − 1)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from visuomotor.sim.expert import ExpertConfig, PickPlaceExpert
from visuomotor.sim.task import PickPlaceTask, TaskConfig
from visuomotor.statistics import success_summary


@dataclass(frozen=True)
class EpisodeOutcome:
    seed: int
    success: bool
    duration_s: float  # sim time until success or the time limit
    final_phase: str


def run_expert_episode(task: PickPlaceTask, expert: PickPlaceExpert, seed: int) -> EpisodeOutcome:
    """One episode: reset(seed), then expert.act → task.step each control period until task.done()."""
    observation = task.reset(seed)
    expert.reset()
    while not task.done():
        observation = task.step(expert.act(observation))
    return EpisodeOutcome(seed, task.success(), round(task.elapsed_s, 3), expert.phase)


def evaluate_expert(episodes: int, seed_start: int = 0, config: TaskConfig | None = None) -> dict:
    """Success rate of the expert over `episodes` seeds (statistics.success_summary: with its Wilson 95 %
    interval), the failing seeds and timing."""
    if episodes <= 0:
        raise ValueError(f"episodes must be ≥ 1, got {episodes}")
    task = PickPlaceTask(config)
    expert = PickPlaceExpert(
        ExpertConfig(bin_center_m=task.config.scene.bin_center_m, control_hz=task.config.control_hz)
    )
    started = time.perf_counter()
    outcomes = [run_expert_episode(task, expert, seed) for seed in range(seed_start, seed_start + episodes)]
    successes = [o for o in outcomes if o.success]
    return {
        **success_summary(len(successes), episodes),
        "seed_start": seed_start,
        "failed_seeds": [o.seed for o in outcomes if not o.success],
        "failed_final_phases": [o.final_phase for o in outcomes if not o.success],
        "mean_success_time_s": (sum(o.duration_s for o in successes) / len(successes)) if successes else None,
        "wall_time_s": round(time.perf_counter() - started, 2),
    }
