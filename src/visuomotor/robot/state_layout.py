"""The policy's state and action layout (seed 004 §29.3.3, eqs. 29.14–29.15).

State s = [6 joint angles (rad), gripper state (0 open … 1 closed), target position (3, m, base_link)] ∈ R^10;
action a = [6 absolute joint targets (rad), gripper command (0 open / 1 closed)] ∈ R^7.
"""

from __future__ import annotations

from visuomotor.robot.arm import NUM_JOINTS

QPOS_DIM = NUM_JOINTS + 1  # joints + gripper
OBJECT_DIM = 3  # target position in base_link
STATE_DIM = QPOS_DIM + OBJECT_DIM
ACTION_DIM = NUM_JOINTS + 1  # joint targets + gripper command
