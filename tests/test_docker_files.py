"""docker/ cannot run here (no Docker engine): check it is consistent with the repo by construction."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "docker/Dockerfile").read_text()


def test_dockerfile_uses_jazzy_and_builds_this_package_with_colcon():
    assert re.search(r"^FROM ros:jazzy", DOCKERFILE, re.M)
    assert "colcon build --packages-select visuomotor_ros" in DOCKERFILE
    assert "-r /tmp/python.txt" in DOCKERFILE


def test_dockerfile_copies_only_existing_files():
    for source in re.findall(r"^COPY (\S+) ", DOCKERFILE, re.M):
        if source != ".":
            assert (ROOT / source).exists(), source


def test_compose_services_and_launch_files_exist():
    compose = yaml.safe_load((ROOT / "docker/compose.yaml").read_text())
    assert set(compose["services"]) == {"robot", "sim"}
    for name, service in compose["services"].items():
        assert service["build"]["dockerfile"] == "docker/Dockerfile"
        assert (ROOT / "docker" / service["build"]["context"] / "docker/Dockerfile").is_file()
        command = service["command"]
        assert command[:3] == ["ros2", "launch", "visuomotor_ros"], name
        assert (ROOT / "launch" / command[3]).is_file(), f"{name}: launch/{command[3]} missing"
