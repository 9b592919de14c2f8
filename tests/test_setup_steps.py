"""`make setup` failures stop with one line: the step, the cause, the fix and the log."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.prefix)


def run_step(tmp_path: Path, name: str, fix: str, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "tools/step.sh"), name, fix, *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PIP_DEFAULT_TIMEOUT": "30"},
    )


def assert_one_line_failure(result: subprocess.CompletedProcess, name: str, cause_fragment: str):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"setup: {name} failed: ")
    assert cause_fragment in lines[0]
    assert "| fix: " in lines[0] and "| full log: build/logs/" in lines[0]


def test_successful_step_prints_ok(tmp_path):
    result = run_step(tmp_path, "echo", "none", "true")
    assert result.returncode == 0 and result.stdout.strip() == "setup: echo ok"


def test_failed_wheel_install_is_one_line(tmp_path):
    result = run_step(
        tmp_path,
        "python-packages",
        "check the pins in deps/python.txt",
        sys.executable,
        "-m",
        "pip",
        "install",
        "--dry-run",
        "numpy==0.0.1",
    )
    assert_one_line_failure(result, "python-packages", "numpy==0.0.1")


def test_failed_interface_build_is_one_line(tmp_path):
    source = tmp_path / "pkg"
    for item in ("CMakeLists.txt", "package.xml", "msg", "tools"):
        copy = shutil.copytree if (ROOT / item).is_dir() else shutil.copy2
        source.mkdir(exist_ok=True)
        copy(ROOT / item, source / item)
    (source / "msg/Broken.msg").write_text("not_a_type field\n")
    env_prefix = f"CMAKE_PREFIX_PATH={VENV}"
    result = run_step(
        tmp_path,
        "interfaces",
        "fix the .msg named in the log",
        "env",
        env_prefix,
        f"AMENT_PREFIX_PATH={VENV}",
        "cmake",
        "-S",
        str(source),
        "-B",
        str(tmp_path / "b"),
        f"-DPython3_EXECUTABLE={sys.executable}",
        "-DVISUOMOTOR_INSTALL_PYTHON=OFF",
    )
    assert_one_line_failure(result, "interfaces", "")
    assert "Broken" in (tmp_path / "build/logs/interfaces.log").read_text()


def test_missing_python_is_one_line(tmp_path):
    for item in ("Makefile", "pyproject.toml", "CMakeLists.txt", "package.xml"):
        shutil.copy2(ROOT / item, tmp_path / item)
    for item in ("tools", "deps", "msg"):
        shutil.copytree(ROOT / item, tmp_path / item)
    result = subprocess.run(["make", "-s", "PYTHON=python9.9", "setup"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode != 0
    assert "setup: python9.9 not found | fix: install Python 3.11" in result.stderr
    assert not (tmp_path / ".venv").exists()
