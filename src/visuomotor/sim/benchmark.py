"""Simulator benchmark: RGB-D render rate and physics real-time factor on this machine."""

from __future__ import annotations

import time

import numpy as np

from visuomotor.sim.layout import SceneConfig
from visuomotor.sim.simulator import TabletopSim
from visuomotor.statistics import latency_summary


def benchmark_sim(
    frames: int = 100, physics_seconds: float = 5.0, seed: int = 0, config: SceneConfig | None = None
) -> dict:
    """Time reset (MJCF rebuild + 0.3 s settling + renderer rebind), render `frames` RGB-D frames per camera
    (with and without segmentation; the arm moves between frames so nothing is cached) and simulate
    `physics_seconds` of sim time; report rates, and the reset time as statistics.latency_summary (ms)."""
    if frames <= 0 or physics_seconds <= 0:
        raise ValueError(f"frames ({frames}) and physics_seconds ({physics_seconds}) must be > 0")
    sim = TabletopSim(config)
    sim.reset(seed)
    sim.render(sim.config.cameras[0].name)  # a renderer exists, so resets also rebind it
    reset_ms = []
    for offset in range(1, 11):
        started = time.perf_counter()
        sim.reset(seed + offset)
        reset_ms.append((time.perf_counter() - started) * 1e3)
    result: dict = {"seed": seed, "timestep_s": sim.config.timestep_s, "reset_ms": latency_summary(reset_ms)}
    sim.reset(seed)
    home = sim.joint_positions()
    for camera in sim.config.cameras:
        sim.render(camera.name)  # warm-up: GL context and buffers
        k = camera.intrinsics
        for with_segmentation in (False, True):
            started = time.perf_counter()
            for index in range(frames):
                sim.set_targets(home + 0.1 * np.sin(index / 10.0), gripper=0.0)
                sim.step(1)
                sim.render(camera.name, with_segmentation=with_segmentation)
            rate = frames / (time.perf_counter() - started)
            key = f"render_hz_{camera.name}_{k.width}x{k.height}_{'rgbd_seg' if with_segmentation else 'rgbd'}"
            result[key] = round(rate, 1)
    steps = int(round(physics_seconds / sim.config.timestep_s))
    started = time.perf_counter()
    for index in range(0, steps, 10):
        sim.set_targets(home + 0.3 * np.sin(index * sim.config.timestep_s), gripper=float(index % 1000 < 500))
        sim.step(10)
    wall = time.perf_counter() - started
    result["physics_steps_per_s"] = round(steps / wall, 1)
    result["physics_real_time_factor"] = round(physics_seconds / wall, 2)
    sim.close()
    return result
