"""visuomotor: RGB-D pixels to arm motion. ROS-agnostic core; ROS 2 nodes live in visuomotor.nodes."""

__version__ = "0.1.0"
