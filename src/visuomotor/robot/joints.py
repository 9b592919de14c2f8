"""The robot's joint contract: the arm's joint names, the gripper joint and its open/closed positions.

Every node, the simulator and the policy read the names from here. `/joint_states` carries the six arm joints
and the gripper; the gripper position is its closure, GRIPPER_OPEN (0) … GRIPPER_CLOSED (1), and the policy's
gripper command uses the same scale.
"""

from __future__ import annotations

JOINT_NAMES = ("shoulder_pan", "shoulder_lift", "elbow", "wrist_1", "wrist_2", "wrist_3")
GRIPPER_JOINT = "gripper"
ARM_AND_GRIPPER = (*JOINT_NAMES, GRIPPER_JOINT)
GRIPPER_OPEN = 0.0
GRIPPER_CLOSED = 1.0
