"""The repo root is a valid ROS 2 package whose CMake install has the layout `ros2 run`/`ros2 launch` need."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from catkin_pkg.package import parse_package

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.prefix)
NODE_MODULES = sorted(p.stem for p in (ROOT / "src/visuomotor/nodes").glob("*_node.py"))


def test_package_xml_is_format3_ament_cmake_interface_package():
    package = parse_package(ROOT / "package.xml")
    assert package.name == "visuomotor_ros"
    assert package.package_format == 3
    assert package.get_build_type() == "ament_cmake"
    assert "rosidl_interface_packages" in [group.name for group in package.member_of_groups]
    depends = {d.name for d in package.build_depends + package.exec_depends}
    assert {"std_msgs", "geometry_msgs", "builtin_interfaces", "rclpy", "sensor_msgs"} <= depends


def test_every_node_module_has_main():
    import importlib.util

    for name in NODE_MODULES:
        source = (ROOT / "src/visuomotor/nodes" / f"{name}.py").read_text()
        assert "\ndef main(" in source, f"visuomotor/nodes/{name}.py needs main() for ros2 run"
    assert importlib.util.find_spec("visuomotor.nodes") is not None


@pytest.mark.slow
def test_cmake_install_layout(tmp_path):
    """Configure, build and install the package into a fresh prefix, as colcon would. The sources are
    copied out of the checkout first: CMake refuses exported include dirs (the venv's numpy headers)
    that lie inside the source directory."""
    source, prefix, build = tmp_path / "src", tmp_path / "install", tmp_path / "build"
    for item in ("CMakeLists.txt", "package.xml", "msg", "src", "launch", "config", "sim", "tools"):
        if (ROOT / item).is_dir():
            shutil.copytree(ROOT / item, source / item, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / item, source / item)
    env = {**os.environ, "CMAKE_PREFIX_PATH": str(VENV), "AMENT_PREFIX_PATH": str(VENV)}
    for command in (
        [
            "cmake",
            "-S",
            str(source),
            "-B",
            str(build),
            f"-DCMAKE_INSTALL_PREFIX={prefix}",
            f"-DPython3_EXECUTABLE={sys.executable}",
        ],
        ["cmake", "--build", str(build), "-j2"],
        ["cmake", "--install", str(build)],
    ):
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    share = prefix / "share/visuomotor_ros"
    assert (share / "package.xml").is_file()
    assert sorted(p.name for p in (share / "msg").glob("*.msg")) == sorted(p.name for p in (ROOT / "msg").glob("*.msg"))
    for folder in ("launch", "config"):
        assert sorted(p.name for p in (share / folder).iterdir()) == sorted(p.name for p in (ROOT / folder).iterdir())
    node_dir = prefix / "lib/visuomotor_ros"
    executables = sorted(p.name for p in node_dir.iterdir()) if node_dir.is_dir() else []
    assert executables == NODE_MODULES
    for name in executables:
        assert os.access(prefix / "lib/visuomotor_ros" / name, os.X_OK)
        text = (prefix / "lib/visuomotor_ros" / name).read_text()
        assert text.startswith(f"#!{sys.executable}\n") and f'sys.exit(main(["{name}", *sys.argv[1:]]))' in text
    site = prefix / f"lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"
    for package in ("visuomotor", "nnfoundation", "visuomotor_ros"):
        assert (site / package / "__init__.py").is_file(), package
    assert (site / "visuomotor/cli.py").is_file()
    # The executable runs with the interpreter it was built for, not the first python3 on PATH (issue 18,
    # defect 10): run without the venv on PATH, a recorder without `out` refuses in one line and exits 2.
    bare = {**os.environ, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(site), "ROS_AUTOMATIC_DISCOVERY_RANGE": "OFF"}
    done = subprocess.run([str(node_dir / "recorder_node")], env=bare, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "recorder_node: recorder needs an output path" in done.stderr, done.stderr
