"""Converters between ROS messages and the ROS-free core's records (images, detections, objects, transforms)."""
