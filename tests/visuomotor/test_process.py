"""configure_process: the Fast DDS profile it selects exists, parses, and keeps Fast DDS's built-in transports
(UDPv4 + shared memory) with a shared-memory segment that holds a 640×480 RGB image; the user's environment wins;
importing visuomotor changes nothing."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from visuomotor.process import ENVIRONMENT_DEFAULTS, ENVIRONMENT_REQUIRED, FASTDDS_PROFILE

NS = {"dds": "http://www.eprosima.com"}


def test_profile_is_the_default_participant_profile_with_a_large_shm_segment():
    root = ET.parse(FASTDDS_PROFILE).getroot()
    transports = {
        d.findtext("dds:transport_id", namespaces=NS): d for d in root.iterfind(".//dds:transport_descriptor", NS)
    }
    assert {d.findtext("dds:type", namespaces=NS) for d in transports.values()} == {"SHM", "UDPv4"}
    shm = next(d for d in transports.values() if d.findtext("dds:type", namespaces=NS) == "SHM")
    assert int(shm.findtext("dds:segment_size", namespaces=NS)) >= 2 * 640 * 480 * 3
    participant = root.find(".//dds:participant", NS)
    assert participant.get("is_default_profile") == "true"
    used = [t.text for t in participant.iterfind(".//dds:userTransports/dds:transport_id", NS)]
    assert sorted(used) == sorted(transports)


SET_BY_US = ("FASTDDS_DEFAULT_PROFILES_FILE", "RMW_IMPLEMENTATION", *ENVIRONMENT_DEFAULTS, *ENVIRONMENT_REQUIRED)


def run_python(code: str, environment: dict) -> str:
    env = {k: v for k, v in os.environ.items() if k not in SET_BY_US}
    return subprocess.run(
        [sys.executable, "-c", code], env={**env, **environment}, capture_output=True, text=True, check=True
    ).stdout.strip()


CONFIGURED = (
    "from visuomotor.process import configure_process; import os; configure_process(); print(os.environ.get({!r}, ''))"
)


def test_configure_process_selects_the_profile_unless_the_user_chose():
    code = CONFIGURED.format("FASTDDS_DEFAULT_PROFILES_FILE")
    assert run_python(code, {}) == str(FASTDDS_PROFILE)
    assert run_python(code, {"FASTDDS_DEFAULT_PROFILES_FILE": "/etc/mine.xml"}) == "/etc/mine.xml"
    assert run_python(code, {"RMW_IMPLEMENTATION": "rmw_cyclonedds_cpp"}) == ""


def test_configure_process_sets_the_offline_and_headless_defaults_unless_the_user_chose():
    assert run_python(CONFIGURED.format("MUJOCO_GL"), {}) == "egl"
    assert run_python(CONFIGURED.format("MUJOCO_GL"), {"MUJOCO_GL": "glfw"}) == "glfw"
    assert run_python(CONFIGURED.format("HF_HUB_OFFLINE"), {}) == "1"
    assert run_python(CONFIGURED.format("YOLO_OFFLINE"), {}) == "1"


def test_configure_process_always_turns_on_ultralytics_safe_loading():
    """Weights never run code: the user cannot switch ultralytics' weights_only loading off by accident."""
    assert run_python(CONFIGURED.format("ULTRALYTICS_SAFE_LOAD"), {}) == "1"
    assert run_python(CONFIGURED.format("ULTRALYTICS_SAFE_LOAD"), {"ULTRALYTICS_SAFE_LOAD": "0"}) == "1"


def test_importing_visuomotor_changes_neither_the_environment_nor_torch():
    modules = "visuomotor.nodes, visuomotor.sim.renderer, visuomotor.detection, visuomotor.policy.runner"
    # mujoco itself sets PYOPENGL_PLATFORM=egl on import under MUJOCO_GL=egl; nothing else may change
    code = (
        "import os, torch; env = lambda: {k: v for k, v in os.environ.items() if k != 'PYOPENGL_PLATFORM'}; "
        f"before = env(), torch.get_num_threads(); import {modules}; print(before == (env(), torch.get_num_threads()))"
    )
    assert run_python(code, {"MUJOCO_GL": "egl"}) == "True"


def test_configure_process_sets_torch_threads_and_refuses_zero():
    code = (
        "from visuomotor.process import configure_process; import torch; "
        "configure_process(1); print(torch.get_num_threads())"
    )
    assert run_python(code, {}) == "1"
    with pytest.raises(ValueError, match="torch_threads 0"):
        from visuomotor.process import configure_process

        configure_process(torch_threads=0)
