"""ROS 2 nodes: thin Node subclasses over the ROS-agnostic core (`*_node.py`, one node each), their message
converters (`msgs/`), QoS profiles, diagnostics and `run_node`. Run one as a process with
`python -m visuomotor.nodes NODE [--ros-args ...]` (what the installed executables do)."""
