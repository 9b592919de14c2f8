"""The test process is configured as every visuomotor process is (headless MuJoCo, offline model hubs, the
Fast DDS profile), before any test module imports mujoco, transformers or rclpy."""

from visuomotor.process import configure_process

configure_process()
