"""Reading ROS 2 Python launch files without the launch/launch_ros packages, and running their nodes.

`launch/*.launch.py` are standard ROS 2 launch files (for `ros2 launch`). The PyPI ROS wheels we build on
have no launch/launch_ros, so `visuomotor launch` evaluates the same files against `launch_api`, a small
implementation of the part of that API the files use, and starts the same nodes with the same parameter
files.
"""
