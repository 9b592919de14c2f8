"""Episodes in the MuJoCo pick-and-place task (visuomotor.sim.task): recording the scripted expert's
demonstrations, and closed-loop evaluation of a trained policy on held-out seeds (seed 004 §29.3).

Seeds: demonstrations use seeds seed_start … seed_start + N − 1 (default from 0); evaluation defaults to
seeds from EVAL_SEED_START (visuomotor.policy.config), and refuses seeds that the checkpoint's
demonstrations used.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from visuomotor.policy.dataset import Episode, write_episode
from visuomotor.policy.runner import PolicyRunner
from visuomotor.robot.arm import NUM_JOINTS


def make_task(camera_names: tuple[str, ...] = (), start_jitter_rad: float | None = None):
    """The pick-and-place task; start_jitter_rad: ± uniform jitter of the start pose around HOME_Q
    (None: the scene's default, SceneConfig.joint_jitter_rad)."""
    from visuomotor.sim.layout import SceneConfig
    from visuomotor.sim.task import PickPlaceTask, TaskConfig

    scene = SceneConfig() if start_jitter_rad is None else SceneConfig(joint_jitter_rad=start_jitter_rad)
    return PickPlaceTask(TaskConfig(scene=scene, camera_names=tuple(camera_names)))


class CorrelatedNoise:
    """Ornstein–Uhlenbeck joint-target noise for DART-style demonstrations (Laskey et al. 2017): the
    executed target is the expert's plus n_t, n_{t+1} = ρ·n_t + σ·√(1 − ρ²)·ε_t, ε ~ N(0, I), so n has
    stationary std σ (rad) and drifts over ~1/(1 − ρ) steps — the arm strays from the expert's path and the
    recorded (clean) expert actions show how to come back. σ = 0: no noise."""

    def __init__(self, sigma_rad: float, seed: int, rho: float = 0.9, dim: int = NUM_JOINTS):
        self.sigma, self.rho = sigma_rad, rho
        self.rng = np.random.default_rng(seed)
        self.value = np.zeros(dim)

    def sample(self) -> np.ndarray:
        self.value = self.rho * self.value + self.sigma * np.sqrt(1 - self.rho**2) * self.rng.standard_normal(
            len(self.value)
        )
        return self.value


def qpos_of(observation) -> np.ndarray:
    """(7,) = 6 joint angles (rad) + gripper state (0 open … 1 closed)."""
    return np.r_[observation.joint_positions, observation.gripper_state]


def colour_images(observation) -> dict[str, np.ndarray]:
    return {name: frame.color for name, frame in observation.frames.items()}


def record_demos(
    episodes: int,
    out: str | Path,
    seed_start: int = 0,
    camera_names: tuple[str, ...] = (),
    progress: bool = True,
    start_jitter_rad: float | None = None,
    action_noise_rad: float = 0.0,
) -> dict:
    """Run the scripted expert on seeds seed_start … seed_start + episodes − 1 and write one
    episode_<seed>.hdf5 per successful episode (failed ones are counted, not written).
    start_jitter_rad: start-pose jitter (make_task); action_noise_rad: σ of the CorrelatedNoise added to the
    executed joint targets (the expert's clean action is what is recorded)."""
    from visuomotor.sim.expert import ExpertConfig, PickPlaceExpert

    task = make_task(camera_names, start_jitter_rad)
    expert = PickPlaceExpert(
        ExpertConfig(bin_center_m=task.config.scene.bin_center_m, control_hz=task.config.control_hz)
    )
    out = Path(out)
    written, failed, steps = [], [], 0
    started = time.perf_counter()
    seeds = range(seed_start, seed_start + episodes)
    for seed in _progress(seeds, progress, "record demos"):
        observation = task.reset(seed)
        expert.reset()
        noise = CorrelatedNoise(action_noise_rad, seed)
        qpos, cube, actions = [], [], []
        images: dict[str, list[np.ndarray]] = {name: [] for name in camera_names}
        while not task.done():
            action = expert.act(observation)
            qpos.append(qpos_of(observation))
            cube.append(np.asarray(observation.cube_position_m, dtype=float))
            for name, frame in colour_images(observation).items():
                images[name].append(frame)
            actions.append(action)
            executed = action.copy()
            executed[:NUM_JOINTS] += noise.sample()
            observation = task.step(executed)
        if not task.success():
            failed.append(seed)
            continue
        episode = Episode(
            np.array(qpos),
            np.array(cube),
            np.array(actions),
            {name: np.stack(frames) for name, frames in images.items()},
            {
                "seed": seed,
                "success": True,
                "control_hz": task.config.control_hz,
                "source": "visuomotor.sim.expert.PickPlaceExpert",
                "start_jitter_rad": task.config.scene.joint_jitter_rad,
                "action_noise_rad": action_noise_rad,
            },
        )
        write_episode(out / f"episode_{seed:06d}.hdf5", episode)
        written.append(seed)
        steps += len(actions)
    return {
        "episodes": episodes,
        "written": len(written),
        "failed_seeds": failed,
        "seed_start": seed_start,
        "start_jitter_rad": task.config.scene.joint_jitter_rad,
        "action_noise_rad": action_noise_rad,
        "steps": steps,
        "cameras": list(camera_names),
        "out": str(out),
        "wall_time_s": round(time.perf_counter() - started, 2),
    }


def evaluate_policy(
    runner: PolicyRunner, seeds: list[int], progress: bool = True, start_jitter_rad: float | None = None
) -> dict:
    """Closed loop: each control step the runner maps the observation to an action until success or the
    task's time limit. → success rate, failing seeds, mean time to success, policy latency.
    start_jitter_rad: start-pose jitter (make_task; None: the scene's default)."""
    cameras = runner.model.config.camera_names
    task = make_task(cameras, start_jitter_rad)
    outcomes, latencies = [], []
    started = time.perf_counter()
    for seed in _progress(seeds, progress, "eval policy"):
        observation = task.reset(seed)
        runner.reset()
        while not task.done():
            tick = time.perf_counter()
            action = runner.act(qpos_of(observation), observation.cube_position_m, colour_images(observation))
            latencies.append(time.perf_counter() - tick)
            observation = task.step(action)
        outcomes.append((seed, task.success(), task.elapsed_s))
    successes = [o for o in outcomes if o[1]]
    return {
        "episodes": len(seeds),
        "seeds": [seeds[0], seeds[-1]] if seeds else [],
        "successes": len(successes),
        "success_rate": len(successes) / len(seeds),
        "failed_seeds": [o[0] for o in outcomes if not o[1]],
        "mean_success_time_s": round(float(np.mean([o[2] for o in successes])), 3) if successes else None,
        "temporal_ensembling": runner.temporal_ensembling,
        "start_jitter_rad": task.config.scene.joint_jitter_rad,
        "policy_step_ms_mean": round(1e3 * float(np.mean(latencies)), 3),
        "wall_time_s": round(time.perf_counter() - started, 2),
    }


def _progress(items, enabled: bool, description: str):
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=description, unit="episode", dynamic_ncols=True)
