"""Pacing the simulation against a wall clock (ROS-free): how far to step, when to render a frame.

Sim time advances in control ticks of `tick_s` (a whole number of physics steps); at real-time factor ρ
the sim should be at t_sim = ρ·(t_wall − t_wall0). Frames are due every 1/camera_rate_hz of sim time; when
rendering falls behind, late frames are dropped (never queued), so a frame always shows the current state.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RealTimePacer:
    tick_s: float
    camera_period_s: float
    real_time_factor: float = 1.0
    _next_frame_s: float = 0.0
    frames_dropped: int = 0

    def __post_init__(self) -> None:
        if not (self.tick_s > 0 and self.camera_period_s > 0 and self.real_time_factor > 0):
            raise ValueError("tick_s, camera_period_s and real_time_factor must be > 0")

    def ticks_due(self, sim_time_s: float, wall_elapsed_s: float) -> int:
        """Control ticks to run now so sim time catches up with ρ·wall time (at most 1 s worth at once)."""
        behind = self.real_time_factor * wall_elapsed_s - sim_time_s
        return max(0, min(int(behind / self.tick_s + 1e-9), int(round(1.0 / self.tick_s))))

    def frame_due(self, sim_time_s: float) -> bool:
        """True when a frame should be rendered now; frames missed meanwhile count as dropped."""
        if sim_time_s + 1e-9 < self._next_frame_s:
            return False
        missed = int((sim_time_s - self._next_frame_s) / self.camera_period_s + 1e-9)
        self.frames_dropped += missed
        self._next_frame_s += (missed + 1) * self.camera_period_s
        return True

    def reset(self) -> None:
        self._next_frame_s = 0.0
