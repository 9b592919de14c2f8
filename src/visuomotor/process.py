"""Process-wide settings, made once per process: by the CLI (`visuomotor.cli.main`), by every node process
(`python -m visuomotor.nodes NODE`, the installed node executables, `run_node`) and by the test suite. Nothing
in visuomotor changes the environment or torch on import.

Environment defaults (set only where the user has not set them):
- MUJOCO_GL=egl: MuJoCo renders headless through EGL (read when mujoco is imported).
- HF_HUB_OFFLINE=1, YOLO_OFFLINE=1: transformers and ultralytics never try the network (weights are local).
Always set, whatever the user's environment says:
- ULTRALYTICS_SAFE_LOAD=1 (read when ultralytics is imported): ultralytics unpickles checkpoints with
  torch.load(weights_only=True) and builds models without eval(), so a weights file cannot run code
  (visuomotor.detection.safe_weights).
- FASTDDS_DEFAULT_PROFILES_FILE = assets/dds/fastdds_large_images.xml when the RMW is Fast DDS (read when
  rclpy creates its first participant): Fast DDS's UDPv4 + shared-memory transports with a 4 MiB shared-memory
  segment, so a 640×480 image reaches a subscriber in ~3 ms instead of ~14 ms over fragmented UDP loopback
  (docs/performance.md).
Threads: torch has one intra-op thread pool per process, so its size is a process setting, `torch_threads`
(None leaves torch's default, all cores).
"""

from __future__ import annotations

import os
from pathlib import Path

FASTDDS_PROFILE = Path(__file__).resolve().parent / "assets" / "dds" / "fastdds_large_images.xml"
ENVIRONMENT_DEFAULTS = {"MUJOCO_GL": "egl", "HF_HUB_OFFLINE": "1", "YOLO_OFFLINE": "1"}
ENVIRONMENT_REQUIRED = {"ULTRALYTICS_SAFE_LOAD": "1"}


def configure_process(torch_threads: int | None = None) -> None:
    """Set the environment above (idempotent) and, if given, torch's intra-op thread count (≥ 1)."""
    for name, value in ENVIRONMENT_DEFAULTS.items():
        os.environ.setdefault(name, value)
    os.environ.update(ENVIRONMENT_REQUIRED)
    if os.environ.get("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp") == "rmw_fastrtps_cpp":
        os.environ.setdefault("FASTDDS_DEFAULT_PROFILES_FILE", str(FASTDDS_PROFILE))
    if torch_threads is not None:
        if torch_threads < 1:
            raise ValueError(f"torch_threads {torch_threads} must be ≥ 1 (or None for torch's default)")
        import torch

        torch.set_num_threads(torch_threads)
