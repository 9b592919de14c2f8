"""The robot's contract, read by every node, the simulator and the policy: joint names and the gripper joint
(`joints`), the arm model and its kinematics (`arm`, `kinematics`), the wrist camera mount (`wrist_mount`) and
the policy's state/action layout (`state_layout`)."""
